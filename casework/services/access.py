"""Exceptional access: opening a case by breaking the glass (time-limited, audited)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import BreakGlass, Case
from ..roles import has_role_perm
from ._common import CaseworkError


@transaction.atomic
def break_glass_open(
    *, user: User, case: Case, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
    reason = reason.strip()
    if not has_role_perm(user, "break_glass"):
        raise CaseworkError(_("You are not allowed to do this."))
    if len(reason) < 10:
        raise CaseworkError(_("State why you need access to this case (at least 10 characters)."))
    grant = BreakGlass.objects.create(
        user=user,
        case=case,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=settings.CASEWORK_BREAK_GLASS_HOURS),
    )
    # The reason is kept encrypted with the grant; the audit log records that it was given.
    audit.record(
        action="case.break_glass", user=user, request=request, obj=case, purpose="reason given"
    )
    return grant
