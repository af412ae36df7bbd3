"""Shared by the casework service modules: the refusal every service raises
(``CaseworkError``), the services' logger and the permission checks: the role
(``_require_staff``) and write access to a case (``_require_write_access``)."""

import logging

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

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
