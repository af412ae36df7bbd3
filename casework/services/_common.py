"""Shared by the casework service modules: the refusal every service raises
(``CaseworkError``), the services' logger and the permission checks: the role
(``_require_staff``), write access to a case (``_require_write_access``) and that the
case is still open (``_require_open``)."""

import logging

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from .. import workflow
from ..models import Case
from ..roles import has_role_perm
from ..selectors import cases_visible_to, cases_writable_by

logger = logging.getLogger("casework.services")  # the name it had as one module


class CaseworkError(Exception):
    """A refused action; the message is shown to the user as it is (translated)."""


def _require_staff(user: User, codename: str = "triage_case") -> None:
    if not has_role_perm(user, codename):
        raise CaseworkError(_("You are not allowed to do this."))


def _require_write_access(user: User, case: Case) -> None:
    """Every casework write service calls this before it changes a case: the user must
    see the case other than through break-the-glass, which gives read-only access."""
    if cases_writable_by(user).filter(pk=case.pk).exists():
        return
    if cases_visible_to(user).filter(pk=case.pk).exists():
        raise CaseworkError(
            _(
                "Break-the-glass access only lets you read this case. Ask its "
                "procesregisseur to make the change."
            )
        )
    raise CaseworkError(_("You are not allowed to do this."))


def _require_open(case: Case) -> None:
    """A closed or handed-over case gets nothing new: no meeting, plan, assignment,
    message or attachment. Its retention term runs from the closure, so nothing may
    add personal data to it afterwards."""
    if case.status in workflow.CLOSED_STATUSES:
        raise CaseworkError(
            _("This case is closed (%(status)s): it can no longer be changed.")
            % {"status": workflow.status_label(case.status)}
        )
