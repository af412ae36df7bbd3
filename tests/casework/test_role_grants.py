"""Who can grant what: four eyes for the roles that reach case data, the audit log or
accounts (``casework.roles.GRANT_RULES``, enforced by ``casework.services.role_grants``).

Each finding of the security probe is a test here: a functioneel beheerder made a
manager alone through an invitation, the audit entry did not name the roles, and
nobody approved."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from casework import audit, services
from casework.models import AuditEntry, Invitation, RoleGrantRequest
from casework.roles import (
    FUNCTIONEEL_BEHEER,
    MANAGER,
    PRIVACY_OFFICER,
    PROCESONDERSTEUNER,
    PROCESREGISSEUR,
)
from casework.selectors import cases_visible_to
from tests.mfa import with_mfa

from .factories import UserFactory, invited_user, partner_user, staff_user

pytestmark = pytest.mark.django_db

POWERFUL = [MANAGER, PRIVACY_OFFICER, FUNCTIONEEL_BEHEER]


@pytest.fixture
def beheerder(db):
    return staff_user(FUNCTIONEEL_BEHEER)


def roles_of(user):
    return set(user.groups.values_list("name", flat=True))


def invite(inviter, roles, *, email="nieuw@example.org", organisation=None):
    return services.invitation_create(
        email=email, organisation=organisation, group_names=roles, invited_by=inviter
    )


def accept(token):
    return services.invitation_accept(token=token, password="een-lang-wachtwoord-123")


def waiting_request(invitation):
    return RoleGrantRequest.objects.get(invitation=invitation)


# --- The findings ----------------------------------------------------------------------


def test_functioneel_beheer_cannot_make_a_manager_alone(beheerder, case):
    invitation, token = invite(beheerder, [MANAGER])
    user = accept(token)
    user.refresh_from_db()
    assert MANAGER not in roles_of(user)
    assert not cases_visible_to(user).exists()
    assert waiting_request(invitation).status == RoleGrantRequest.Status.PENDING


def test_manager_privacy_officer_and_functioneel_beheer_at_once_all_wait(beheerder, case):
    invitation, token = invite(beheerder, POWERFUL)
    user = accept(token)
    user.refresh_from_db()
    assert roles_of(user) == set()
    assert not user.is_staff
    assert not cases_visible_to(user).exists()
    assert set(waiting_request(invitation).roles) == set(POWERFUL)


def test_through_the_invite_page_functioneel_beheer_gets_a_request_not_a_manager(client, beheerder):
    client.force_login(beheerder)
    response = client.post(
        reverse("casework:invite"),
        {"email": "nieuw@example.org", "roles": [MANAGER, PRIVACY_OFFICER]},
        follow=True,
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get(email="nieuw@example.org")
    assert invitation.group_names == []
    assert set(waiting_request(invitation).roles) == {MANAGER, PRIVACY_OFFICER}
    assert "goedkeurt" in response.content.decode()


def test_the_invitation_audit_entry_names_subject_roles_and_organisation(beheerder):
    invitation, _token = invite(beheerder, [PROCESONDERSTEUNER, MANAGER])
    entry = AuditEntry.objects.get(action="invitation.create")
    assert entry.actor_pk == beheerder.pk
    assert entry.object_id == str(invitation.pk)
    assert "subject=nieuw@example.org" in entry.purpose
    assert f"roles={PROCESONDERSTEUNER}, {MANAGER}" in entry.purpose
    assert "organisation=ZVH" in entry.purpose


def test_a_partner_invitation_audit_entry_names_the_organisation(organisation):
    ondersteuner = staff_user(PROCESONDERSTEUNER)
    invite(ondersteuner, [], organisation=organisation)
    for action in ("invitation.create", "role.grant"):
        entry = AuditEntry.objects.get(action=action)
        assert entry.actor_pk == ondersteuner.pk
        assert f"organisation={organisation.name}" in entry.purpose
        assert "roles=Partner user" in entry.purpose


def test_the_requester_cannot_approve_their_own_request(manager):
    # Holding both roles does not let one person supply both pairs of eyes.
    manager.groups.add(Group.objects.get(name=FUNCTIONEEL_BEHEER))
    invitation, _token = invite(manager, [MANAGER])
    grant_request = waiting_request(invitation)
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(grant_request=grant_request, actor=manager)
    grant_request.refresh_from_db()
    assert grant_request.status == RoleGrantRequest.Status.PENDING
    assert not AuditEntry.objects.filter(action="role.approve").exists()


def test_nobody_approves_roles_for_themselves(beheerder, privacy_officer):
    _granted, grant_request = services.role_grant_request(
        actor=beheerder, user=privacy_officer, role_names=[MANAGER]
    )
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(grant_request=grant_request, actor=privacy_officer)
    assert MANAGER not in roles_of(privacy_officer)


def test_an_invitee_who_became_an_approver_cannot_approve_their_own_invitation(beheerder, manager):
    invitation, token = invite(beheerder, [PROCESREGISSEUR])
    user = accept(token)
    user.groups.add(Group.objects.get(name=PRIVACY_OFFICER))  # as if given elsewhere
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(grant_request=waiting_request(invitation), actor=user)


def test_two_functioneel_beheerders_together_cannot_make_a_manager(beheerder, case):
    invitation, token = invite(beheerder, [MANAGER])
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(
            grant_request=waiting_request(invitation), actor=staff_user(FUNCTIONEEL_BEHEER)
        )
    assert not cases_visible_to(accept(token)).exists()


def test_approval_by_a_second_person_gives_the_role(beheerder, manager, case):
    invitation, token = invite(beheerder, [MANAGER])
    user = accept(token)
    grant_request = services.role_grant_approve(
        grant_request=waiting_request(invitation), actor=manager
    )
    assert grant_request.status == RoleGrantRequest.Status.APPROVED
    assert grant_request.decided_by == manager
    assert MANAGER in roles_of(user)
    assert cases_visible_to(user).filter(pk=case.pk).exists()


def test_an_approval_before_the_invitation_is_accepted_gives_the_role_on_acceptance(
    beheerder, privacy_officer
):
    invitation, token = invite(beheerder, [FUNCTIONEEL_BEHEER])
    services.role_grant_approve(grant_request=waiting_request(invitation), actor=privacy_officer)
    user = accept(token)
    user.refresh_from_db()
    assert roles_of(user) == {FUNCTIONEEL_BEHEER}
    assert user.is_staff
    assert (
        f"roles={FUNCTIONEEL_BEHEER}" in AuditEntry.objects.get(action="invitation.accept").purpose
    )


def test_roles_given_at_once_and_roles_waiting_in_one_invitation(beheerder, manager):
    invitation, token = invite(beheerder, [PROCESONDERSTEUNER, MANAGER])
    user = accept(token)
    assert roles_of(user) == {PROCESONDERSTEUNER}
    services.role_grant_approve(grant_request=waiting_request(invitation), actor=manager)
    assert roles_of(user) == {PROCESONDERSTEUNER, MANAGER}


def test_a_rejected_grant_gives_nothing(beheerder, privacy_officer, case):
    invitation, token = invite(beheerder, [PROCESONDERSTEUNER, MANAGER])
    user = accept(token)
    services.role_grant_reject(grant_request=waiting_request(invitation), actor=privacy_officer)
    assert roles_of(user) == {PROCESONDERSTEUNER}
    assert not cases_visible_to(user).exists()
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(
            grant_request=waiting_request(invitation), actor=staff_user(MANAGER)
        )
    assert MANAGER not in roles_of(user)


def test_a_rejected_invitation_that_would_give_nothing_stops_working(beheerder, manager):
    invitation, token = invite(beheerder, [MANAGER])
    services.role_grant_reject(grant_request=waiting_request(invitation), actor=manager)
    with pytest.raises(services.CaseworkError):
        accept(token)


def test_an_expired_invitation_cannot_be_approved(beheerder, manager):
    invitation, _token = invite(beheerder, [MANAGER])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    with pytest.raises(services.CaseworkError):
        services.role_grant_approve(grant_request=waiting_request(invitation), actor=manager)


def test_an_invitation_from_before_four_eyes_gives_a_request_not_the_role(beheerder, manager):
    """Invitations created by the old code listed every role in ``group_names``."""
    invitation, token = invite(beheerder, [PROCESONDERSTEUNER])
    Invitation.objects.filter(pk=invitation.pk).update(group_names=[MANAGER])
    user = accept(token)
    assert roles_of(user) == set()
    grant_request = RoleGrantRequest.objects.get(user=user)
    assert grant_request.roles == [MANAGER] and grant_request.requested_by == beheerder
    services.role_grant_approve(grant_request=grant_request, actor=manager)
    assert roles_of(user) == {MANAGER}


# --- Nobody grants what they may not -----------------------------------------------------


@pytest.mark.parametrize("role", [PROCESREGISSEUR, PROCESONDERSTEUNER, *POWERFUL])
def test_a_procesondersteuner_invites_partners_but_gives_no_zvh_role(ondersteuner, role):
    with pytest.raises(services.CaseworkError):
        invite(ondersteuner, [role])
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [PROCESREGISSEUR, PROCESONDERSTEUNER, *POWERFUL])
def test_a_superuser_without_a_role_grants_nothing(role):
    superuser = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    with pytest.raises(services.CaseworkError):
        services.role_grant_request(actor=superuser, user=UserFactory(), role_names=[role])


@pytest.mark.parametrize("approver_role", [MANAGER, PRIVACY_OFFICER])
def test_managers_and_privacy_officers_decide_but_do_not_ask(approver_role):
    approver = staff_user(approver_role)
    with pytest.raises(services.CaseworkError):
        services.role_grant_request(actor=approver, user=UserFactory(), role_names=[MANAGER])


def test_a_procesregisseur_needs_approval_too(beheerder):
    """Break-the-glass reaches any case: the role is not given by one person either."""
    colleague = UserFactory()
    granted, grant_request = services.role_grant_request(
        actor=beheerder, user=colleague, role_names=[PROCESREGISSEUR]
    )
    assert granted == [] and grant_request is not None
    assert roles_of(colleague) == set()


def test_functioneel_beheer_gives_procesondersteuner_at_once_but_not_to_themselves(beheerder):
    colleague = UserFactory()
    granted, grant_request = services.role_grant_request(
        actor=beheerder, user=colleague, role_names=[PROCESONDERSTEUNER]
    )
    assert granted == [PROCESONDERSTEUNER] and grant_request is None
    assert roles_of(colleague) == {PROCESONDERSTEUNER}
    with pytest.raises(services.CaseworkError):
        services.role_grant_request(
            actor=beheerder, user=beheerder, role_names=[PROCESONDERSTEUNER]
        )


def test_a_partner_user_gets_no_zvh_role(beheerder, partner):
    with pytest.raises(services.CaseworkError):
        services.role_grant_request(actor=beheerder, user=partner, role_names=[MANAGER])


def test_a_request_is_decided_once(beheerder, manager, privacy_officer):
    invitation, _token = invite(beheerder, [MANAGER])
    services.role_grant_approve(grant_request=waiting_request(invitation), actor=manager)
    with pytest.raises(services.CaseworkError):
        services.role_grant_reject(grant_request=waiting_request(invitation), actor=privacy_officer)
    assert waiting_request(invitation).status == RoleGrantRequest.Status.APPROVED


def test_revoking_takes_the_role_away_at_once(beheerder, manager, case):
    services.role_revoke(actor=beheerder, user=manager, role=MANAGER)
    assert not cases_visible_to(manager).exists()
    with pytest.raises(services.CaseworkError):
        services.role_revoke(
            actor=staff_user(PROCESONDERSTEUNER), user=beheerder, role=FUNCTIONEEL_BEHEER
        )
    assert FUNCTIONEEL_BEHEER in roles_of(beheerder)


# --- The audit chain and the privacy officer ----------------------------------------------


def test_every_grant_act_is_audited_with_actor_subject_roles_and_organisation(
    beheerder, manager, privacy_officer
):
    colleague = UserFactory(email="collega@example.org")
    services.role_grant_request(
        actor=beheerder, user=colleague, role_names=[PROCESONDERSTEUNER, MANAGER]
    )
    grant_request = RoleGrantRequest.objects.get(user=colleague)
    services.role_grant_approve(grant_request=grant_request, actor=manager)
    _granted, second = services.role_grant_request(
        actor=beheerder, user=colleague, role_names=[PRIVACY_OFFICER]
    )
    services.role_grant_reject(grant_request=second, actor=privacy_officer)
    services.role_revoke(actor=beheerder, user=colleague, role=MANAGER)

    expected = [
        ("role.grant", beheerder, PROCESONDERSTEUNER),
        ("role.request", beheerder, MANAGER),
        ("role.approve", manager, MANAGER),
        ("role.request", beheerder, PRIVACY_OFFICER),
        ("role.reject", privacy_officer, PRIVACY_OFFICER),
        ("role.revoke", beheerder, MANAGER),
    ]
    entries = list(AuditEntry.objects.filter(action__startswith="role.").order_by("pk"))
    assert [entry.action for entry in entries] == [action for action, _actor, _role in expected]
    for entry, (_action, actor, role) in zip(entries, expected, strict=True):
        assert entry.actor_pk == actor.pk
        assert entry.purpose == (f"subject=collega@example.org; roles={role}; organisation=ZVH")
    assert [entry.object_id for entry in entries[1:3]] == [str(grant_request.pk)] * 2
    assert list(audit.verify_chain()) == []


def test_the_privacy_officer_is_notified_of_each_act_without_content(
    beheerder, manager, privacy_officer, django_capture_on_commit_callbacks
):
    def notices():
        return [message for message in mail.outbox if message.to == [privacy_officer.email]]

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(beheerder, [PROCESONDERSTEUNER, MANAGER])
    assert len(notices()) == 2  # the procesondersteuner given, the manager requested
    with django_capture_on_commit_callbacks(execute=True):
        services.role_grant_approve(grant_request=waiting_request(invitation), actor=manager)
    user = accept(token)
    with django_capture_on_commit_callbacks(execute=True):
        services.role_revoke(actor=beheerder, user=user, role=MANAGER)
    assert len(notices()) == 4
    for message in notices():
        assert message.subject == "Wijziging in rollen in de beveiligde omgeving"
        body = message.body
        for detail in (
            "nieuw@example.org",
            beheerder.email,
            manager.email,
            "Manager",
            "Procesondersteuner",
        ):
            assert detail not in body, detail
        assert "/partners/" in body
    # Nobody else is told.
    assert {tuple(message.to) for message in mail.outbox} <= {
        (privacy_officer.email,),
        ("nieuw@example.org",),
    }


def test_a_partner_invitation_does_not_mail_the_privacy_officer(
    organisation, privacy_officer, ondersteuner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(ondersteuner, [], organisation=organisation)
    assert [message.to for message in mail.outbox] == [["nieuw@example.org"]]
    assert AuditEntry.objects.filter(action="role.grant").count() == 1


def test_a_former_privacy_officer_is_not_told(beheerder, privacy_officer):
    privacy_officer.groups.clear()
    assert not services.role_change_notice_send(user_id=privacy_officer.pk, event="role.grant")
    assert mail.outbox == []


# --- The role requests page ------------------------------------------------------------------


def test_the_role_requests_page_lets_a_second_person_approve(client, beheerder, manager):
    invitation, token = invite(beheerder, [MANAGER])
    user = accept(token)
    client.force_login(manager)
    home = client.get(reverse("casework:home")).content.decode()
    assert reverse("casework:role_requests") in home
    assert "1 wacht op u" in home
    page = client.get(reverse("casework:role_requests"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "nieuw@example.org" in body and "Goedkeuren" in body
    response = client.post(
        reverse("casework:role_requests"),
        {"action": "approve", "request": waiting_request(invitation).pk},
    )
    assert response.status_code == 302
    assert MANAGER in roles_of(user)


def test_the_requester_sees_the_request_without_a_decision(client, beheerder):
    invitation, _token = invite(beheerder, [MANAGER])
    client.force_login(beheerder)
    body = client.get(reverse("casework:role_requests")).content.decode()
    assert "nieuw@example.org" in body and "Goedkeuren" not in body
    response = client.post(
        reverse("casework:role_requests"),
        {"action": "approve", "request": waiting_request(invitation).pk},
        follow=True,
    )
    assert "een ander moet dat doen" in response.content.decode()
    assert waiting_request(invitation).status == RoleGrantRequest.Status.PENDING


@pytest.mark.parametrize("who", ["partner", "procesondersteuner", "procesregisseur"])
def test_others_do_not_see_the_role_requests_page(client, who, organisation):
    user = {
        "partner": lambda: partner_user(organisation),
        "procesondersteuner": lambda: staff_user(PROCESONDERSTEUNER),
        "procesregisseur": lambda: staff_user(PROCESREGISSEUR),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("casework:role_requests")).status_code == 403
    assert client.post(reverse("casework:role_requests"), {"action": "approve"}).status_code == 403


def test_the_invite_form_offers_only_the_roles_the_inviter_may_give(client, ondersteuner):
    client.force_login(ondersteuner)
    page = client.get(reverse("casework:invite")).content.decode()
    assert 'name="roles"' not in page
    response = client.post(
        reverse("casework:invite"), {"email": "nieuw@example.org", "roles": [MANAGER]}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_an_invited_account_made_by_the_factory_follows_the_same_rules(beheerder, manager, case):
    approved = invited_user([MANAGER], inviter=beheerder, approver=manager)
    pending = invited_user([MANAGER], inviter=beheerder)
    assert cases_visible_to(approved).filter(pk=case.pk).exists()
    assert not cases_visible_to(pending).exists()
