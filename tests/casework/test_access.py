"""Step B: second factor, encrypted TOTP secrets, invitations, idle timeout,
no-store, re-authentication and the one visibility rule."""

import time
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.mfa.models import Authenticator

from casework import services
from casework.middleware import LAST_SEEN_KEY
from casework.models import BreakGlass, CaseShare, Invitation, Membership
from casework.selectors import Access, case_access, cases_visible_to

from .factories import CaseFactory, UserFactory, partner_user, staff_user

pytestmark = pytest.mark.django_db

PROTECTED = ["/partners/", "/admin/", "/django-admin/"]


@pytest.mark.parametrize("path", PROTECTED)
def test_a_signed_in_user_without_a_second_factor_is_sent_to_totp_setup(client, organisation, path):
    user = partner_user(organisation, mfa=False)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_no_case_data_is_shown_before_the_second_factor(client, organisation):
    user = partner_user(organisation, mfa=False)
    case = CaseFactory(organisation=organisation)
    client.force_login(user)
    response = client.get(reverse("casework:case_detail", args=[case.public_id]), follow=False)
    assert response.status_code == 302
    assert case.reference.encode() not in response.content


def test_a_background_save_without_a_second_factor_gets_403(client, organisation):
    user = partner_user(organisation, mfa=False)
    client.force_login(user)
    response = client.post(
        "/partners/aanmelden/", {"kind": "com"}, headers={"x-requested-with": "fetch"}
    )
    assert response.status_code == 403


def test_a_user_with_a_second_factor_reaches_the_casework_home(client, partner):
    client.force_login(partner)
    assert client.get("/partners/").status_code == 200


def test_totp_secrets_are_stored_encrypted(partner):
    authenticator = Authenticator.objects.get(user=partner, type=Authenticator.Type.TOTP)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        raw = cursor.fetchone()[0]
    assert partner.totp_secret not in raw
    assert "gAAAA" in raw  # a Fernet token


def test_casework_responses_are_not_stored_by_browsers(client, partner):
    client.force_login(partner)
    response = client.get("/partners/")
    assert "no-store" in response["Cache-Control"]


def test_a_casework_session_ends_after_fifteen_minutes_idle(client, partner):
    client.force_login(partner)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 16 * 60
    session.save()
    response = client.get("/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_activity_within_fifteen_minutes_keeps_the_session(client, partner):
    client.force_login(partner)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 14 * 60
    session.save()
    assert client.get("/partners/").status_code == 200


def test_export_asks_for_re_authentication(client, regisseur, case):
    client.force_login(regisseur)
    response = client.get(reverse("casework:case_export", args=[case.public_id]))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


# --- Invitations ---------------------------------------------------------------


def test_an_invitation_mails_a_link_and_stores_only_the_tokens_hash(ondersteuner, organisation):
    invitation, token = services.invitation_create(
        email="nieuw@example.org",
        organisation=organisation,
        group_names=[],
        invited_by=ondersteuner,
    )
    assert invitation.token_hash != token
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_an_invited_partner_sets_a_password_and_gets_a_verified_address(
    client, ondersteuner, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invitation_create(
            email="nieuw@example.org",
            organisation=organisation,
            group_names=[],
            invited_by=ondersteuner,
        )
    assert token in mail.outbox[0].body
    url = reverse("casework:invitation_accept", args=[token])
    response = client.post(
        url, {"password1": "Zeer-geheim-wachtwoord-42", "password2": "Zeer-geheim-wachtwoord-42"}
    )
    assert response.status_code == 302
    user = Membership.objects.get(organisation=organisation).user
    assert user.email == "nieuw@example.org"
    assert user.emailaddress_set.get().verified
    # The token works once.
    assert client.get(url).status_code == 404


def test_an_invitation_with_mismatched_passwords_is_refused_with_a_message(
    client, ondersteuner, organisation
):
    _invitation, token = services.invitation_create(
        email="nieuw@example.org",
        organisation=organisation,
        group_names=[],
        invited_by=ondersteuner,
    )
    response = client.post(
        reverse("casework:invitation_accept", args=[token]),
        {"password1": "Zeer-geheim-wachtwoord-42", "password2": "anders"},
    )
    assert response.status_code == 400


def test_an_unknown_invitation_token_is_404(client):
    assert (
        client.get(reverse("casework:invitation_accept", args=["onzin-token"])).status_code == 404
    )


def test_a_partner_cannot_invite(client, partner):
    client.force_login(partner)
    assert client.get(reverse("casework:invite")).status_code == 403


def test_staff_invite_through_the_form(client, ondersteuner, organisation):
    client.force_login(ondersteuner)
    response = client.post(
        reverse("casework:invite"),
        {"email": "collega@example.org", "organisation": organisation.pk},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="collega@example.org").exists()


def test_open_sign_up_stays_closed(client):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [template.name for template in response.templates]


# --- The visibility rule ---------------------------------------------------------


def test_partners_see_the_cases_their_organisation_registered(partner, organisation):
    colleague_case = CaseFactory(organisation=organisation)
    assert case_access(partner, colleague_case) == Access.FULL


def test_partners_do_not_see_other_organisations_cases(partner, other_organisation):
    foreign = CaseFactory(organisation=other_organisation)
    assert not cases_visible_to(partner).filter(pk=foreign.pk).exists()
    assert case_access(partner, foreign) is None


def test_an_involved_partner_sees_only_what_is_shared(other_partner, case, other_organisation):
    CaseShare.objects.create(case=case, organisation=other_organisation)
    assert case_access(other_partner, case) == Access.SHARED_STATUS
    CaseShare.objects.filter(case=case).update(scope=CaseShare.Scope.SUMMARY)
    assert case_access(other_partner, case) == Access.SHARED_SUMMARY


def test_a_regisseur_sees_own_cases_only(regisseur, other_regisseur, case):
    assert cases_visible_to(regisseur).filter(pk=case.pk).exists()
    assert not cases_visible_to(other_regisseur).filter(pk=case.pk).exists()


def test_break_the_glass_gives_access_with_a_reason_until_it_expires(other_regisseur, case):
    with pytest.raises(services.CaseworkError):
        services.break_glass_open(
            user=other_regisseur, case=case, category="colleague_absent", reason="kort"
        )
    grant = services.break_glass_open(
        user=other_regisseur,
        case=case,
        category="colleague_absent",
        reason="Waarneming tijdens vakantie collega",
    )
    assert cases_visible_to(other_regisseur).filter(pk=case.pk).exists()
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not cases_visible_to(other_regisseur).filter(pk=case.pk).exists()


def test_break_the_glass_through_the_view_is_logged(client, other_regisseur, case):
    client.force_login(other_regisseur)
    url = reverse("casework:case_detail", args=[case.public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_break_glass", args=[case.public_id])
    response = client.post(
        response["Location"],
        {"category": "colleague_absent", "reason": "Spoedoverleg, collega afwezig"},
    )
    assert response.status_code == 302
    assert client.get(url).status_code == 200
    from casework.models import AuditEntry

    assert AuditEntry.objects.filter(action="case.break_glass", object_id=case.reference).exists()


def test_the_manager_sees_every_case(manager, case):
    assert cases_visible_to(manager).filter(pk=case.pk).exists()


@pytest.mark.parametrize("role", ["Privacy officer", "Functioneel beheer", "Procesondersteuner"])
def test_other_roles_see_no_case_data(role, case):
    assert not cases_visible_to(staff_user(role)).exists()


def test_a_superuser_without_a_role_sees_no_case_data(case):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert not cases_visible_to(admin).exists()


def test_a_user_without_organisation_or_role_sees_nothing(case):
    assert not cases_visible_to(UserFactory()).exists()


def test_a_deactivated_partner_sees_nothing(partner, case):
    partner.is_active = False
    partner.save()
    assert not cases_visible_to(partner).exists()


def test_no_casework_url_serves_anything_without_a_second_factor(client, organisation):
    """Every URL pattern of the app, GET and POST, for a signed-in user without MFA."""
    import uuid

    from casework import urls

    user = partner_user(organisation, mfa=False)
    case = CaseFactory(organisation=organisation)
    client.force_login(user)
    fill = {
        "<uuid:public_id>": str(case.public_id),
        "<uuid:draft_id>": str(uuid.uuid4()),
        "<uuid:attachment_id>": str(uuid.uuid4()),
        "<slug:step>": "persoon",
        "<slug:action>": "status",
        "<id:pk>": "1",
    }
    checked = 0
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        if route.startswith("uitnodiging/"):
            continue  # the invitation page is for people who are not signed in yet
        for placeholder, value in fill.items():
            route = route.replace(placeholder, value)
        for method in (client.get, client.post):
            response = method("/partners/" + route)
            assert response.status_code == 302, route
            assert response["Location"].startswith(reverse("mfa_activate_totp")), route
            assert case.reference.encode() not in response.content
            checked += 1
    assert checked >= 30
