"""Helpers shared by the casework views."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from .. import audit, services, workflow
from ..forms import ClosureForm
from ..procesregie_selectors import closure_plan_summary
from ..roles import has_role_perm
from ..selectors import visible_case_or_none

RESCUED_MESSAGE = gettext_lazy(
    "What you typed before you were signed out has been put back below. "
    "Check it and save or send it again."
)


def _require(user, codename: str) -> None:
    if not has_role_perm(user, codename):
        raise PermissionDenied


def _denied_read_404(request, public_id):
    """A case the user may not see: the refused read is audited, the answer is 404."""
    audit.record(
        action="case.read",
        request=request,
        object_type="case",
        object_id=str(public_id),
        result="denied",
    )
    return Http404()


def _visible_or_404(request, public_id):
    case, access = visible_case_or_none(request.user, public_id)
    if case is None:
        raise _denied_read_404(request, public_id)
    return case, access


def _action_error(request, case, message, form=None):
    """Refused actions return 400 with the message and the typed text, not a redirect."""
    return render(
        request,
        "casework/action_error.html",
        {"case": case, "message": message, "form": form},
        status=400,
    )


def _split_transitions(case):
    """Ordinary status changes, and the closing ones (which need the closure form)."""
    every = workflow.allowed_transitions(case.kind, case.status)
    closing = [t for t in every if t.to_status in workflow.CLOSED_STATUSES]
    return [t for t in every if t.to_status not in workflow.CLOSED_STATUSES], closing


def _closure_form(case, closing, data=None, auto_id="id_%s"):
    # The adopted plan suggests the process goals; the procesregisseur decides.
    summary = closure_plan_summary(case) if data is None else None
    return ClosureForm(
        data,
        initial=summary["suggested"] if summary else None,
        auto_id=auto_id,
        case=case,
        closing_statuses=closing,
        in_procesregie=services.case_was_in_procesregie(case),
    )
