"""Shared by the casework service modules: the refusal every service raises
(``CaseworkError``), the services' logger and the two permission checks."""

import logging

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from ..models import Case
from ..roles import has_role_perm
from ..selectors import cases_visible_to

logger = logging.getLogger("casework.services")  # the name it had as one module


class CaseworkError(Exception):
    """A refused action; the message is shown to the user as it is (translated)."""


def _require_staff(user: User, codename: str = "triage_case") -> None:
    if not has_role_perm(user, codename):
        raise CaseworkError(_("You are not allowed to do this."))


def _require_visible(user: User, case: Case) -> None:
    if not cases_visible_to(user).filter(pk=case.pk).exists():
        raise CaseworkError(_("You are not allowed to do this."))
