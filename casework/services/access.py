"""Exceptional access: opening a case by breaking the glass (time-limited, read-only,
audited, and reported to the privacy officers at once)."""

import functools
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.mail import absolute_url, send_transactional

from .. import audit
from ..models import BreakGlass, Case
from ..roles import has_role_perm
from ._common import CaseworkError
from .messaging import _after_commit_quietly


@transaction.atomic
def break_glass_open(
    *,
    user: User,
    case: Case,
    category: str,
    reason: str,
    request: HttpRequest | None = None,
) -> BreakGlass:
    """Read-only access to ``case`` for ``CASEWORK_BREAK_GLASS_HOURS``, for a reason of
    one of the fixed categories plus a stated reason. Every privacy officer gets a
    content-free e-mail (a link to the audit log) once the grant is saved."""
    reason = reason.strip()
    if not has_role_perm(user, "break_glass"):
        raise CaseworkError(_("You are not allowed to do this."))
    if category not in BreakGlass.Category.values:
        raise CaseworkError(_("Choose why you need access to this case."))
    if len(reason) < 10:
        raise CaseworkError(_("State why you need access to this case (at least 10 characters)."))
    grant = BreakGlass.objects.create(
        user=user,
        case=case,
        category=category,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=settings.CASEWORK_BREAK_GLASS_HOURS),
    )
    # The reason is kept encrypted with the grant; the audit log records its category.
    audit.record(action="case.break_glass", user=user, request=request, obj=case, purpose=category)
    _alert_privacy_officers(grant)
    return grant


def _privacy_officers() -> QuerySet[User]:
    """Active users who read the audit log (``view_audit``), through a role or directly."""
    may_audit = Q(
        groups__permissions__codename="view_audit",
        groups__permissions__content_type__app_label="casework",
    ) | Q(
        user_permissions__codename="view_audit",
        user_permissions__content_type__app_label="casework",
    )
    return get_user_model().objects.filter(may_audit, is_active=True).distinct()


def _alert_privacy_officers(grant: BreakGlass) -> None:
    """One mail task per privacy officer, queued after the grant has committed."""
    from .. import tasks

    for officer in _privacy_officers().exclude(email=""):
        _after_commit_quietly(
            functools.partial(tasks.send_break_glass_alert.delay, grant.pk, officer.pk),
            mail="break_glass_alert",
            grant_id=grant.pk,
        )


def break_glass_alert_send(*, grant_id: int, user_id: int) -> bool:
    """Tell a privacy officer that the glass was broken: a link to the audit log and
    nothing else (no case, no person, no reason). Mail errors propagate: the Celery
    task retries them."""
    officer = _privacy_officers().filter(pk=user_id).first()
    if officer is None or not officer.email or not BreakGlass.objects.filter(pk=grant_id).exists():
        return False
    link = absolute_url(reverse("casework:audit"))
    with translation.override(settings.LANGUAGE_CODE):
        send_transactional(
            to=[officer.email],
            subject=_("Break-the-glass access to a case"),
            text=_(
                "A staff member has just opened a case that is not assigned to them "
                "(break-the-glass). Check the reason in the audit log:\n\n%(link)s\n"
            )
            % {"link": link},
        )
    return True
