"""Who may see which case: the one rule every list, detail, export, download and
notification goes through.

- Partners see the cases their organisation registered (full), and cases their
  organisation is an involved partner in only as far as shared (``CaseShare``).
- Procesregisseurs see the cases they direct (as procesregisseur or casusregisseur)
  and, through break-the-glass with a stated reason, others until it expires.
- The manager (``view_all_cases``) sees all.
- Everyone else sees nothing.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.types import AnyUser

from .models import Case, CaseDraft, Membership, PartnerOrganisation
from .roles import has_role_perm, is_staff_member

if TYPE_CHECKING:
    from .models import SurveyInvitation


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


def _staff_rule(user: User) -> Q:
    if has_role_perm(user, "view_all_cases"):
        return Q()
    return Q(procesregisseur=user) | Q(casusregisseur=user) | _active_break_glass(user)


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Every case ``user`` may see (at least in part). Use ``case_access`` for how much."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if is_staff_member(user):
        return Case.objects.filter(_staff_rule(user)).distinct()
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
