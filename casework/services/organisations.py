"""Organisations, relatiebeheer and invitations: which procesregisseur holds a
municipality, partner memberships, and inviting people into the secure environment."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress

from portal.mail import absolute_url, normalise_email, send_transactional
from portal.models import Municipality

from .. import audit
from ..models import Invitation, Membership, PartnerOrganisation, Relatiebeheer
from ..roles import PARTNER_USER, STAFF_ROLES
from ._common import CaseworkError
from .role_grants import (
    ZVH,
    grant_purpose,
    role_grant_split,
    role_grants_for_invitation,
    role_grants_on_accept,
)


def regisseur_default_for(*, municipality: Municipality) -> User | None:
    """The procesregisseur holding the municipality, else one of its basisteams."""
    row = (
        Relatiebeheer.objects.filter(municipality=municipality).select_related("regisseur").first()
    )
    if row is None:
        row = (
            Relatiebeheer.objects.filter(basisteam__municipalities=municipality)
            .select_related("regisseur")
            .order_by("basisteam__name")
            .first()
        )
    return row.regisseur if row else None


def membership_set(*, user: User, organisation: PartnerOrganisation) -> Membership:
    if user.groups.filter(name__in=STAFF_ROLES).exists():
        raise CaseworkError(_("ZVH staff cannot belong to a partner organisation."))
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"organisation": organisation}
    )
    return membership


@transaction.atomic
def invitation_create(
    *,
    email: str,
    organisation: PartnerOrganisation | None,
    group_names: list[str],
    invited_by: User,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and the one-time token.

    Who may give what is ``roles.GRANT_RULES`` (``role_grants.role_grant_split``): ZVH
    roles that need a second person are stored as a request and reach the account only
    once approved (``role_grants.role_grant_approve``)."""
    email = normalise_email(email)
    unknown = set(group_names) - set(STAFF_ROLES)
    if unknown:
        raise CaseworkError(_("Unknown role."))
    if organisation is None and not group_names:
        raise CaseworkError(_("Choose an organisation or a ZVH role."))
    if organisation is not None and group_names:
        raise CaseworkError(_("A partner user cannot also hold a ZVH role."))
    granted, requested = role_grant_split(actor=invited_by, role_names=group_names)
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise CaseworkError(_("There is already an account for this e-mail address."))
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        # Only what is given at once; what waits for approval is a RoleGrantRequest.
        group_names=granted,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.CASEWORK_INVITATION_DAYS),
    )
    link = absolute_url(reverse("casework:invitation_accept", args=[token]))
    audit.record(
        action="invitation.create",
        user=invited_by,
        request=request,
        obj=invitation,
        purpose=grant_purpose(
            subject=email,
            role_names=granted + requested if organisation is None else [PARTNER_USER],
            organisation=organisation.name if organisation is not None else ZVH,
        ),
    )
    role_grants_for_invitation(
        invitation=invitation,
        actor=invited_by,
        granted=granted,
        requested=requested,
        request=request,
    )
    # Sent inside the transaction, last, and not by a task: the one-time token should not
    # sit in the broker. If the mail server is down the invitation is not saved either,
    # and the inviter is told to try again (a token without an invitation opens nothing).
    try:
        send_transactional(
            to=[email],
            subject=_("Invitation to the secure partner environment"),
            text=_(
                "You have been invited to the secure environment of the Zorg- en Veiligheidshuis "
                "Brabant Zuidoost. Choose your password here (valid for %(days)s days):\n\n%(link)s\n"
            )
            % {"days": settings.CASEWORK_INVITATION_DAYS, "link": link},
        )
    except OSError as exc:
        raise CaseworkError(
            _("The invitation e-mail could not be sent. Nothing was saved; please try again later.")
        ) from exc
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=Invitation.hash_token(token)).first()
    if invitation is None or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    """Create the account with a verified e-mail address; the token works once."""
    invitation = invitation_for_token(token=token)
    if invitation is None:
        raise CaseworkError(_("This invitation is no longer valid."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise CaseworkError(_("This invitation is no longer valid."))
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise CaseworkError(_("There is already an account for this e-mail address."))
    user = User(email=invitation.email, username=invitation.email[:150])
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    if invitation.organisation is not None:
        Membership.objects.create(user=user, organisation=invitation.organisation)
    # ZVH roles given at once or already approved; the others wait for approval.
    given = role_grants_on_accept(invitation=invitation, user=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        action="invitation.accept",
        user=user,
        request=request,
        obj=invitation,
        purpose=grant_purpose(
            subject=invitation.email,
            role_names=given if invitation.organisation is None else [PARTNER_USER],
            organisation=invitation.organisation.name if invitation.organisation else ZVH,
        ),
    )
    return user
