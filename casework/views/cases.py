"""One case: detail, break-the-glass, export and attachments."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allauth.account.decorators import reauthentication_required

from .. import audit, services, workflow
from ..forms import (
    AssignForm,
    AttachmentForm,
    BreakGlassForm,
    MessageForm,
    NoteForm,
    TransitionForm,
)
from ..models import PartnerOrganisation
from ..roles import has_role_perm, is_staff_member
from ..selectors import (
    Access,
    break_glass_expires_at,
    can_break_glass,
    can_write_case,
    closure_details_for,
    organisation_of,
    staff_case_lookup,
    visible_case_or_none,
)
from ._common import (
    RESCUED_MESSAGE,
    _action_error,
    _closure_form,
    _denied_read_404,
    _require,
    _split_transitions,
    _visible_or_404,
)
from .procesregie import procesregie_context


@login_required
@require_GET
def case_detail(request, public_id):
    case, access = visible_case_or_none(request.user, public_id)
    if case is None:
        candidate = (
            staff_case_lookup(public_id) if has_role_perm(request.user, "break_glass") else None
        )
        if candidate is not None and can_break_glass(request.user, candidate):
            return redirect("casework:case_break_glass", public_id)
        raise _denied_read_404(request, public_id)
    audit.record(action="case.read", request=request, obj=case, purpose=str(access))
    staff = is_staff_member(request.user)
    own_org = organisation_of(request.user)
    # Break-the-glass alone is read-only: no forms (the services refuse writes as well).
    writable = can_write_case(request.user, case)
    # Text posted after an idle sign-out is put back in its form (once).
    rescued = services.rescued_input_take(user=request.user, target=request.path)
    if rescued:
        messages.info(request, RESCUED_MESSAGE)
    context = {
        "case": case,
        "access": str(access),
        "full": access == Access.FULL,
        "summary": access in (Access.FULL, Access.SHARED_SUMMARY),
        "is_staff_member": staff,
        "status_label": workflow.status_label(case.status),
        "next_step": workflow.next_step(case.status, staff=staff),
        "timeline": services.timeline_for(case=case, user=request.user, access=access),
        "status_labels": {key: str(value) for key, value in workflow.STATUS_LABELS.items()},
        "shares": case.shares.select_related("organisation"),
        "rescued": rescued,
        "read_only_until": None if writable else break_glass_expires_at(request.user, case),
        # A closed case is offered no assignment, meeting, plan, message or attachment
        # (the services refuse them too).
        "case_open": case.status not in workflow.CLOSED_STATUSES,
    }
    if staff:
        involved = PartnerOrganisation.objects.filter(
            pk__in=[case.organisation_id, *case.shares.values_list("organisation_id", flat=True)]
        )
        can_triage = writable and has_role_perm(request.user, "triage_case")
        transitions, closing = _split_transitions(case) if can_triage else ([], [])
        context.update(
            {
                "can_triage": can_triage,
                "can_export": has_role_perm(request.user, "export_case"),
                "transitions": transitions,
                "closure_form": _closure_form(case, closing, auto_id="afsluiten-%s")
                if closing
                else None,
                "closure": closure_details_for(request.user, case),
                "note_form": NoteForm(initial=rescued.get("notitie"), auto_id="notitie-%s"),
                "assign_form": AssignForm(
                    case=case,
                    auto_id="toewijzen-%s",
                    initial={
                        "procesregisseur": case.procesregisseur_id,
                        "casusregisseur": case.casusregisseur_id,
                    },
                ),
                "message_form": MessageForm(
                    organisations=involved, initial=rescued.get("bericht"), auto_id="bericht-%s"
                )
                if can_triage
                else None,
                "transition_form": TransitionForm(),
                "duplicates": services.duplicates_of(case=case, user=request.user),
                "duplicate_count": services.duplicate_count(case=case),
            }
        )
    elif own_org is not None and writable:
        context["message_form"] = MessageForm(initial=rescued.get("bericht"), auto_id="bericht-%s")
    if access == Access.FULL:
        context["attachments"] = case.attachments.all()
        context["attachment_form"] = AttachmentForm(auto_id="bijlage-%s") if writable else None
    if not context["case_open"]:
        # Nothing new on a closed case: the services refuse messages and attachments.
        context["message_form"] = context["attachment_form"] = None
    # Case meetings, the plan van aanpak and its actions, as far as this person may see.
    context.update(procesregie_context(request, case, access, writable))
    return render(request, "casework/case_detail.html", context)


@login_required
@require_POST
def case_attachment_upload(request, public_id):
    case, access = _visible_or_404(request, public_id)
    if access != Access.FULL:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _action_error(request, case, _("Choose a file first."))
    try:
        services.attachment_add(
            upload=form.cleaned_data["attachment"], user=request.user, case=case, request=request
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc))
    messages.success(request, _("The attachment has been added."))
    return redirect("casework:case_detail", case.public_id)


@login_required
@reauthentication_required
@require_GET
def case_attachment_download(request, public_id, attachment_id):
    """Served only here: visibility by the selector, fresh re-authentication, audited."""
    case, access = _visible_or_404(request, public_id)
    attachment = case.attachments.filter(public_id=attachment_id).first()
    if access != Access.FULL or attachment is None:
        raise Http404
    try:
        data = services.attachment_read(attachment=attachment, user=request.user, request=request)
    except services.CaseworkError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=attachment.content_type)
    extension = (
        attachment.original_name.rpartition(".")[2] if "." in attachment.original_name else "bin"
    )
    # The real name may hold personal data; it is shown on the page, not put in headers.
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-bijlage.{extension}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def case_break_glass(request, public_id):
    if not has_role_perm(request.user, "break_glass"):
        raise Http404
    case = staff_case_lookup(public_id)
    if case is None:
        raise Http404
    if not can_break_glass(request.user, case):
        return redirect("casework:case_detail", public_id)
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.break_glass_open(
                user=request.user,
                case=case,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
            return redirect("casework:case_detail", public_id)
        status = 400
    return render(
        request,
        "casework/break_glass.html",
        {"form": form, "public_id": public_id, "hours": settings.CASEWORK_BREAK_GLASS_HOURS},
        status=status,
    )


@login_required
@reauthentication_required
@require_GET
def case_export(request, public_id):
    """A JSON download of the case; asks for the password again first (allauth)."""
    _require(request.user, "export_case")
    case, access = _visible_or_404(request, public_id)
    if access != Access.FULL:
        raise Http404
    audit.record(action="case.export", request=request, obj=case)
    payload = {
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "municipality": case.municipality.name,
        "organisation": case.organisation.name if case.organisation else "",
        "person_name": case.person_name,
        "person_birth_date": case.person_birth_date,
        "other_persons": case.other_persons,
        "problem": case.problem,
        "safety_risk": case.safety_risk,
        "tried": case.tried,
        "question": case.question,
        "urgency": case.urgency,
        "ave_level": case.ave_level,
        "submitted_at": case.submitted_at.isoformat(),
        "timeline": [
            {
                "kind": entry.kind,
                "at": entry.created_at.isoformat(),
                "author": entry.author.email if entry.author else "",
                "from": entry.from_status,
                "to": entry.to_status,
                "text": entry.body,
                "participants": entry.participants,
                "agreements": entry.agreements,
            }
            for entry in case.timeline.select_related("author")
        ],
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.json"'
    return response
