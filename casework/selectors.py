"""Who may see which case: the one rule every list, detail, export, download and
notification goes through.

- Partners see the cases their organisation registered (full), and cases their
  organisation is an involved partner in only as far as shared (``CaseShare``).
- Procesregisseurs see the cases they direct (as procesregisseur or casusregisseur)
  and, through break-the-glass with a stated reason, others until it expires: read
  only (``cases_writable_by`` leaves those out).
- The manager (``view_all_cases``) sees all.
- Everyone else sees nothing.
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.types import AnyUser

from .models import BreakGlass, Case, CaseDraft, Membership, PartnerOrganisation
from .roles import has_role_perm, is_staff_member

if TYPE_CHECKING:
    from .models import RoleGrantRequest, SurveyInvitation


class Access(StrEnum):
    FULL = "full"  # everything about the case
    SHARED_SUMMARY = "summary"  # involved partner: status, messages, question
    SHARED_STATUS = "status"  # involved partner: status and messages


def organisation_of(user: AnyUser) -> PartnerOrganisation | None:
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return membership.organisation if membership else None


def is_partner_or_staff(user: AnyUser) -> bool:
    """A professional of the network: ZVH staff (one of the role groups) or a member
    of an active covenant partner organisation. Other apps ask this instead of
    reading casework's roles and memberships themselves."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_staff_member(user):
        return True
    organisation = organisation_of(user)
    return organisation is not None and organisation.is_active


def _active_break_glass(user: User) -> Q:
    return Q(
        break_glass__user=user,
        break_glass__expires_at__gt=timezone.now(),
    )


def _staff_rule(user: User, *, break_glass: bool = True) -> Q:
    if has_role_perm(user, "view_all_cases"):
        return Q()
    own = Q(procesregisseur=user) | Q(casusregisseur=user)
    return (own | _active_break_glass(user)) if break_glass else own


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Every case ``user`` may see (at least in part). Use ``case_access`` for how much."""
    return _cases_of(user, break_glass=True)


def cases_writable_by(user: AnyUser) -> QuerySet[Case]:
    """The cases ``user`` may change: every visible case except those seen through
    break-the-glass alone, which is read-only. The write services check this in one
    place (``services._common._require_write_access``); the case page asks
    ``can_write_case`` to leave out its forms."""
    return _cases_of(user, break_glass=False)


def can_write_case(user: AnyUser, case: Case) -> bool:
    return cases_writable_by(user).filter(pk=case.pk).exists()


def break_glass_expires_at(user: AnyUser, case: Case) -> datetime | None:
    """When ``user`` sees ``case`` through break-the-glass alone: when that access ends."""
    if not user.is_authenticated or can_write_case(user, case):
        return None
    grant = (
        BreakGlass.objects.filter(user=user, case=case, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    return grant.expires_at if grant is not None else None


def _cases_of(user: AnyUser, *, break_glass: bool) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if is_staff_member(user):
        return Case.objects.filter(_staff_rule(user, break_glass=break_glass)).distinct()
    organisation = organisation_of(user)
    if organisation is None:
        return Case.objects.none()
    return Case.objects.filter(
        Q(organisation=organisation) | Q(shares__organisation=organisation)
    ).distinct()


def case_access(user: AnyUser, case: Case) -> Access | None:
    """How much of ``case`` the user may see; ``None`` when it is not visible at all."""
    if not cases_visible_to(user).filter(pk=case.pk).exists():
        return None
    organisation = organisation_of(user)
    if organisation is None or case.organisation_id == organisation.pk:
        return Access.FULL
    share = case.shares.filter(organisation=organisation).first()
    if share is not None and share.scope == share.Scope.SUMMARY:
        return Access.SHARED_SUMMARY
    return Access.SHARED_STATUS


def visible_case_or_none(user: AnyUser, public_id: UUID | str) -> tuple[Case | None, Access | None]:
    case = cases_visible_to(user).filter(public_id=public_id).first()
    if case is None:
        return None, None
    return case, case_access(user, case)


def can_break_glass(user: AnyUser, case: Case) -> bool:
    return (
        has_role_perm(user, "break_glass")
        and not cases_visible_to(user).filter(pk=case.pk).exists()
    )


def staff_case_lookup(public_id: UUID | str) -> Case | None:
    """Only for the break-the-glass form: the case exists, nothing of it is shown."""
    return Case.objects.filter(public_id=public_id).only("pk", "public_id", "reference").first()


def drafts_of(user: AnyUser) -> QuerySet[CaseDraft]:
    if not user.is_authenticated:
        return CaseDraft.objects.none()
    return CaseDraft.objects.filter(owner=user)


def users_to_notify(case: Case, users: Iterable[User]) -> list[User]:
    """Filter a list of users down to those who may see the case."""
    return [user for user in users if cases_visible_to(user).filter(pk=case.pk).exists()]


def closure_details_for(user: AnyUser, case: Case) -> dict[str, Any] | None:
    """The closure evaluation and the survey answers of a case: for ZVH staff who may
    see the case, never for partners (answers are about the ZVH's work, given to it)."""
    from .models import CaseEvaluation, SurveyInvitation, SurveyResponse

    if not is_staff_member(user) or not cases_visible_to(user).filter(pk=case.pk).exists():
        return None
    invitations = SurveyInvitation.objects.filter(case=case)
    return {
        "evaluation": CaseEvaluation.objects.filter(case=case)
        .select_related("evaluated_by")
        .prefetch_related("partners_involved")
        .first(),
        "responses": list(
            SurveyResponse.objects.filter(case=case).select_related("invitation__organisation")
        ),
        "invited": invitations.count(),
        "answered": invitations.filter(used_at__isnull=False).count(),
    }


def surveys_waiting_for(user: AnyUser) -> "QuerySet[SurveyInvitation]":
    """The user's own survey invitations that can still be answered."""
    from .models import SurveyInvitation

    if not user.is_authenticated or not user.is_active:
        return SurveyInvitation.objects.none()
    return SurveyInvitation.objects.filter(
        user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("case")


def role_request_refusal(user: AnyUser, grant_request: "RoleGrantRequest") -> str:
    """Why ``user`` may not approve or reject ``grant_request``; "" when they may. Four
    eyes: never the requester, never the person the roles are for, and only someone
    ``roles.may_approve`` allows for every role asked."""
    from django.utils.translation import gettext as _

    from .roles import roles_approvable_by

    if not user.is_authenticated or not user.is_active:
        return _("You are not allowed to do this.")
    if grant_request.status != grant_request.Status.PENDING:
        return _("This request has already been decided.")
    if grant_request.requested_by_id == user.pk:
        return _("You cannot decide on your own request; another person has to.")
    subject_email = grant_request.subject_email.casefold()
    if grant_request.user_id == user.pk or (
        subject_email and subject_email == user.email.casefold()
    ):
        return _("You cannot decide on roles for yourself.")
    if not set(grant_request.roles) <= roles_approvable_by(user):
        return _("You are not allowed to do this.")
    return ""


def role_requests_for(user: AnyUser) -> "list[RoleGrantRequest]":
    """The role requests page: pending requests the user may decide on or asked for
    themselves, then the last 20 decided ones they could have decided or asked for."""
    from .models import RoleGrantRequest
    from .roles import may_review_role_requests, roles_approvable_by

    if not user.is_authenticated or not may_review_role_requests(user):
        return []
    rows = RoleGrantRequest.objects.select_related(
        "user", "invitation__organisation", "requested_by", "decided_by"
    )
    pending = rows.filter(status=RoleGrantRequest.Status.PENDING).order_by("requested_at", "pk")
    decided = rows.exclude(status=RoleGrantRequest.Status.PENDING).order_by("-decided_at", "-pk")
    approvable = roles_approvable_by(user)

    def concerns(row: RoleGrantRequest) -> bool:
        return row.requested_by_id == user.pk or set(row.roles) <= approvable

    return [row for row in pending if concerns(row)] + [
        row for row in decided[:200] if concerns(row)
    ][:20]


def role_requests_to_decide(user: AnyUser) -> int:
    """How many role requests wait for this user's decision (shown on the casework home)."""
    return sum(
        1
        for row in role_requests_for(user)
        if row.status == row.Status.PENDING and not role_request_refusal(user, row)
    )
