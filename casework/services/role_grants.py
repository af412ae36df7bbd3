"""ZVH roles: giving, asking for, approving, rejecting and taking them away.

Who may give which role is one table, ``casework.roles.GRANT_RULES``; this module
enforces it, and the /partners/ screens change roles only through it (the invitation
through ``organisations.invitation_create``). A role that needs a second person is
stored as a ``RoleGrantRequest`` and given only when someone else approves it.

Every act is audited: ``role.grant``, ``role.request``, ``role.approve``,
``role.reject``, ``role.revoke``, with the subject, the roles and the organisation in
the entry's purpose. For ZVH roles the privacy officers get a content-free e-mail.
"""

import functools
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.mail import absolute_url, send_transactional

from .. import audit, roles
from ..models import Invitation, Membership, RoleGrantRequest
from ..selectors import role_request_refusal
from ._common import CaseworkError
from .messaging import _after_commit_quietly

ZVH = "ZVH"

# The one line each notice says; nothing about who, for whom or which role.
NOTICE_TEXT = {
    "role.grant": gettext_lazy("A ZVH role has been given to an account."),
    "role.request": gettext_lazy(
        "A ZVH role has been requested and waits for approval by a second person."
    ),
    "role.approve": gettext_lazy("A request for a ZVH role has been approved."),
    "role.reject": gettext_lazy("A request for a ZVH role has been rejected."),
    "role.revoke": gettext_lazy("A ZVH role has been taken away from an account."),
}


def grant_purpose(*, subject: str, role_names: Iterable[str], organisation: str) -> str:
    """What an audit entry of a role act carries in its purpose."""
    return f"subject={subject}; roles={', '.join(role_names)}; organisation={organisation}"


def _audit(
    action: str,
    *,
    actor: User | None,
    subject: str,
    role_names: Iterable[str],
    organisation: str = ZVH,
    obj: Invitation | RoleGrantRequest | User | None = None,
    request: HttpRequest | None = None,
) -> None:
    audit.record(
        action=action,
        user=actor,
        request=request,
        obj=obj,
        purpose=grant_purpose(subject=subject, role_names=role_names, organisation=organisation),
    )


def _privacy_officers() -> QuerySet[User]:
    """Active users who read the audit log (``view_audit``), through a role or directly."""
    has_perm = Q(
        groups__permissions__codename="view_audit",
        groups__permissions__content_type__app_label="casework",
    ) | Q(
        user_permissions__codename="view_audit",
        user_permissions__content_type__app_label="casework",
    )
    return get_user_model().objects.filter(has_perm, is_active=True).distinct()


def _notify_privacy_officers(event: str) -> None:
    """One content-free mail task per privacy officer, queued after the act commits."""
    from .. import tasks

    for pk in _privacy_officers().values_list("pk", flat=True):
        _after_commit_quietly(
            functools.partial(tasks.send_role_change_notice.delay, pk, event),
            mail="role_change",
            event=event,
        )


def role_change_notice_send(*, user_id: int, event: str) -> bool:
    """Tell a privacy officer that a role act happened, and where to look; nothing else.

    Mail errors propagate: the Celery task retries them."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not roles.has_role_perm(user, "view_audit"):
        return False
    what = NOTICE_TEXT.get(event)
    if what is None:
        return False
    if event == "role.request":
        link = absolute_url(reverse("casework:role_requests"))
        where = gettext_lazy("Sign in to see the request:")
    else:
        link = absolute_url(reverse("casework:audit"))
        where = gettext_lazy(
            "Sign in to see who did it, for whom and which roles, in the audit log:"
        )
    with translation.override(settings.LANGUAGE_CODE):
        send_transactional(
            to=[user.email],
            subject=_("Change in roles in the secure environment"),
            text=f"{what}\n{where}\n\n{link}\n",
        )
    return True


def role_grant_split(*, actor: User, role_names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The ZVH roles ``actor`` gives at once, and those that wait for a second person's
    approval (both in the table's order). Refuses an unknown role, and a role the actor
    may neither give nor ask for."""
    if set(role_names) - set(roles.STAFF_ROLES):
        raise CaseworkError(_("Unknown role."))
    now: list[str] = []
    later: list[str] = []
    for role in roles.STAFF_ROLES:
        if role not in role_names:
            continue
        if roles.GRANT_RULES[role].needs_approval and roles.may_request(actor, role):
            later.append(role)
        elif not roles.GRANT_RULES[role].needs_approval and roles.may_grant(actor, role):
            now.append(role)
        else:
            raise CaseworkError(
                _("You may not give or request the role %(role)s.") % {"role": role}
            )
    return now, later


def _apply(user: User, role_names: Sequence[str]) -> None:
    for name in role_names:
        user.groups.add(Group.objects.get(name=name))
    if roles.FUNCTIONEEL_BEHEER in role_names and not user.is_staff:
        # Functioneel beheer works in the Wagtail and Django admin.
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _request_create(
    *,
    actor: User | None,
    role_names: list[str],
    user: User | None = None,
    invitation: Invitation | None = None,
    request: HttpRequest | None = None,
) -> RoleGrantRequest:
    grant_request = RoleGrantRequest.objects.create(
        roles=role_names, user=user, invitation=invitation, requested_by=actor
    )
    _audit(
        "role.request",
        actor=actor,
        subject=grant_request.subject_email,
        role_names=role_names,
        obj=grant_request,
        request=request,
    )
    _notify_privacy_officers("role.request")
    return grant_request


def role_grants_for_invitation(
    *,
    invitation: Invitation,
    actor: User,
    granted: list[str],
    requested: list[str],
    request: HttpRequest | None = None,
) -> RoleGrantRequest | None:
    """Audit what an invitation gives (a partner organisation, or ZVH roles given at
    once) and store the roles that wait for approval; called by ``invitation_create``
    after ``role_grant_split``. The account gets the roles when it is created
    (``role_grants_on_accept``), the waiting ones only once approved."""
    if invitation.organisation is not None:
        if not roles.may_grant(actor, roles.PARTNER_USER):
            raise CaseworkError(_("You are not allowed to do this."))
        _audit(
            "role.grant",
            actor=actor,
            subject=invitation.email,
            role_names=[roles.PARTNER_USER],
            organisation=invitation.organisation.name,
            obj=invitation,
            request=request,
        )
    if granted:
        _audit(
            "role.grant",
            actor=actor,
            subject=invitation.email,
            role_names=granted,
            obj=invitation,
            request=request,
        )
        _notify_privacy_officers("role.grant")
    if requested:
        return _request_create(
            actor=actor, role_names=requested, invitation=invitation, request=request
        )
    return None


def role_grants_on_accept(*, invitation: Invitation, user: User) -> list[str]:
    """Give the new account the ZVH roles its invitation carries: those given at once and
    those already approved. Requests still waiting now wait for this account. Returns
    the roles given."""
    given = [name for name in invitation.group_names if not roles.GRANT_RULES[name].needs_approval]
    # Invitations made before four eyes may still list a role that needs approval: it
    # becomes a request from the inviter instead of a role.
    waiting = [name for name in invitation.group_names if roles.GRANT_RULES[name].needs_approval]
    if waiting:
        _request_create(
            actor=invitation.invited_by, role_names=waiting, user=user, invitation=invitation
        )
    for grant_request in RoleGrantRequest.objects.select_for_update().filter(invitation=invitation):
        grant_request.user = user
        grant_request.save(update_fields=["user"])
        if grant_request.status == RoleGrantRequest.Status.APPROVED:
            given += [name for name in grant_request.roles if name not in given]
    given = [name for name in roles.STAFF_ROLES if name in given]
    _apply(user, given)
    return given


def _decidable(grant_request: RoleGrantRequest, actor: User) -> RoleGrantRequest:
    """The request, locked, once ``actor`` may decide on it (else ``CaseworkError``)."""
    locked = (
        RoleGrantRequest.objects.select_for_update(of=("self",))
        .select_related("user", "invitation")
        .get(pk=grant_request.pk)
    )
    refusal = role_request_refusal(actor, locked)
    if refusal:
        raise CaseworkError(refusal)
    return locked


def _decide(grant_request: RoleGrantRequest, actor: User, status: str) -> None:
    grant_request.status = status
    grant_request.decided_by = actor
    grant_request.decided_at = timezone.now()
    grant_request.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def role_grant_approve(
    *, grant_request: RoleGrantRequest, actor: User, request: HttpRequest | None = None
) -> RoleGrantRequest:
    """A second person approves: the roles are given now, or (invitation not yet
    accepted) when the account is created."""
    grant_request = _decidable(grant_request, actor)
    user = grant_request.user
    invitation = grant_request.invitation
    if user is None and invitation is not None and invitation.expires_at <= timezone.now():
        raise CaseworkError(
            _("This invitation has expired. Reject the request; a new invitation can be sent.")
        )
    if user is not None and Membership.objects.filter(user=user).exists():
        raise CaseworkError(_("A partner user cannot also hold a ZVH role."))
    _decide(grant_request, actor, RoleGrantRequest.Status.APPROVED)
    if user is not None:
        _apply(user, grant_request.roles)
    _audit(
        "role.approve",
        actor=actor,
        subject=grant_request.subject_email,
        role_names=grant_request.roles,
        obj=grant_request,
        request=request,
    )
    _notify_privacy_officers("role.approve")
    return grant_request


@transaction.atomic
def role_grant_reject(
    *, grant_request: RoleGrantRequest, actor: User, request: HttpRequest | None = None
) -> RoleGrantRequest:
    """A second person rejects: nothing is given. An invitation that would now give
    nothing at all (no organisation, no other role) stops working."""
    grant_request = _decidable(grant_request, actor)
    _decide(grant_request, actor, RoleGrantRequest.Status.REJECTED)
    invitation = grant_request.invitation
    if (
        invitation is not None
        and invitation.accepted_at is None
        and invitation.organisation_id is None
        and not invitation.group_names
        and not invitation.role_grant_requests.exclude(
            status=RoleGrantRequest.Status.REJECTED
        ).exists()
    ):
        invitation.expires_at = timezone.now()
        invitation.save(update_fields=["expires_at"])
    _audit(
        "role.reject",
        actor=actor,
        subject=grant_request.subject_email,
        role_names=grant_request.roles,
        obj=grant_request,
        request=request,
    )
    _notify_privacy_officers("role.reject")
    return grant_request


@transaction.atomic
def role_grant_request(
    *, actor: User, user: User, role_names: Sequence[str], request: HttpRequest | None = None
) -> tuple[list[str], RoleGrantRequest | None]:
    """Give an existing account ZVH roles: those ``actor`` may give at once are given,
    those that need approval become one request. Returns both."""
    if Membership.objects.filter(user=user).exists():
        raise CaseworkError(_("A partner user cannot also hold a ZVH role."))
    held = set(user.groups.filter(name__in=roles.STAFF_ROLES).values_list("name", flat=True))
    wanted = [name for name in role_names if name not in held]
    if not wanted:
        raise CaseworkError(_("This account already holds these roles."))
    now, later = role_grant_split(actor=actor, role_names=wanted)
    if now and user.pk == actor.pk:
        raise CaseworkError(_("You cannot give yourself a role."))
    pending = RoleGrantRequest.objects.filter(user=user, status=RoleGrantRequest.Status.PENDING)
    if any(set(row.roles) & set(later) for row in pending):
        raise CaseworkError(_("A request for this role is already waiting for approval."))
    if now:
        _apply(user, now)
        _audit(
            "role.grant", actor=actor, subject=user.email, role_names=now, obj=user, request=request
        )
        _notify_privacy_officers("role.grant")
    grant_request = (
        _request_create(actor=actor, role_names=later, user=user, request=request)
        if later
        else None
    )
    return now, grant_request


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str, request: HttpRequest | None = None) -> None:
    """Take a ZVH role away, at once (less access needs no second person)."""
    if role not in roles.STAFF_ROLES:
        raise CaseworkError(_("Unknown role."))
    if not roles.may_revoke(actor, role):
        raise CaseworkError(_("You are not allowed to do this."))
    group = Group.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        raise CaseworkError(_("This account does not hold that role."))
    user.groups.remove(group)
    if role == roles.FUNCTIONEEL_BEHEER and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    _audit(
        "role.revoke", actor=actor, subject=user.email, role_names=[role], obj=user, request=request
    )
    _notify_privacy_officers("role.revoke")
