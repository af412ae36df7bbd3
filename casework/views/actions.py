"""Actions on one case (``casus/<id>/<action>/``): one small handler per action slug.

``case_action`` does what every action shares: the case through the visibility rule
(denied reads audited), the staff check, refused actions and form errors as a 400 with
the Dutch message, and the redirect back to the case. A handler binds its form, calls
its one service when the form is valid, and returns the form.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import AssignForm, MessageForm, NoteForm, TransitionForm
from ..models import PartnerOrganisation
from ..roles import has_role_perm, is_staff_member
from ._common import _action_error, _closure_form, _split_transitions, _visible_or_404


def _status(request, case, staff):
    form = TransitionForm(request.POST)
    if form.is_valid():
        services.case_transition(
            case=case,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, _("The status has been changed."))
    return form


def _close(request, case, staff):
    _transitions, closing = _split_transitions(case)
    if not has_role_perm(request.user, "triage_case"):
        raise PermissionDenied
    if not closing:
        raise services.CaseworkError(_("This case cannot be closed from its current status."))
    form = _closure_form(case, closing, request.POST)
    if form.is_valid():
        try:
            services.case_close(
                case=case,
                actor=request.user,
                evaluation=form.evaluation(),
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except services.ClosureRefused as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except services.CaseworkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The case has been closed and the satisfaction survey has been sent."),
            )
    return form


def _note(request, case, staff):
    form = NoteForm(request.POST)
    if form.is_valid():
        services.case_add_note(
            case=case, actor=request.user, body=form.cleaned_data["body"], request=request
        )
        messages.success(request, _("The note has been added."))
    return form


def _assign(request, case, staff):
    form = AssignForm(request.POST, case=case)
    if form.is_valid():
        services.case_assign(case=case, actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("The assignment has been saved."))
    return form


def _message(request, case, staff):
    if staff:
        involved = PartnerOrganisation.objects.filter(
            pk__in=[
                case.organisation_id,
                *case.shares.values_list("organisation_id", flat=True),
            ]
        )
        form = MessageForm(request.POST, organisations=involved)
    else:
        form = MessageForm(request.POST)
    if form.is_valid():
        services.message_send(
            case=case,
            author=request.user,
            body=form.cleaned_data["body"],
            to_organisation=form.cleaned_data.get("to_organisation"),
            request=request,
        )
        messages.success(request, _("Your message has been sent."))
    return form


# Action slug (the last part of the URL) → handler(request, case, staff) → bound form.
ACTIONS: dict[str, Callable] = {
    "status": _status,
    "notitie": _note,
    "toewijzen": _assign,
    "bericht": _message,
    "afsluiten": _close,
}
# Actions a partner (not a ZVH staff member) may take on a case they can see.
PARTNER_ACTIONS = {"bericht"}


@login_required
@require_POST
def case_action(request, public_id, action):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    case, access = _visible_or_404(request, public_id)
    staff = is_staff_member(request.user)
    if action not in PARTNER_ACTIONS and not staff:
        raise PermissionDenied
    try:
        form = handler(request, case, staff)
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc))
    if not form.is_valid():
        # Each problem is listed in the error summary and shown at its own field.
        return _action_error(
            request,
            case,
            _("Nothing has been saved yet. What you typed has been kept below."),
            form=form,
        )
    return redirect("casework:case_detail", case.public_id)
