"""Second-factor methods for casework: TOTP and WebAuthn count as a second factor,
recovery codes are a fallback for them (each code works once) and never count on
their own. The full WebAuthn ceremony in a browser is in tests/browser/test_passkeys.py."""

from django.core.cache import cache
from django.db import connection
from django.urls import reverse

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.mfa import totp_code

from .factories import partner_user

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-123"
LOGIN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_the_supported_methods_are_totp_webauthn_and_recovery_codes(settings):
    assert settings.MFA_SUPPORTED_TYPES == ["totp", "webauthn", "recovery_codes"]
    assert settings.MFA_TRUST_ENABLED is False
    # Production origins are https: the insecure-origin escape hatch stays off.
    assert getattr(settings, "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False) is False


def test_recovery_codes_alone_do_not_open_the_casework(client, organisation):
    """allauth's login only asks for a code when TOTP or WebAuthn is set up, so a user
    holding nothing but recovery codes signs in with a password alone: the casework
    must then still demand a real second factor."""
    user = partner_user(organisation, mfa=False)
    RecoveryCodes.activate(user)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.url != SECOND_STEP
    assert "_auth_user_id" in client.session
    response = client.get("/partners/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_a_webauthn_authenticator_counts_as_a_second_factor(client, organisation):
    user = partner_user(organisation, mfa=False)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Sleutel", "credential": {}}
    )
    client.force_login(user)
    assert client.get("/partners/").status_code == 200


@pytest.mark.parametrize("path", ["/partners/", "/admin/", "/django-admin/"])
def test_totp_counts_everywhere_the_second_factor_is_required(client, partner, path):
    partner.is_staff = True
    partner.is_superuser = True
    partner.save()
    client.force_login(partner)
    assert client.get(path).status_code == 200


def test_a_recovery_code_signs_in_once(client, partner, case):
    codes = RecoveryCodes.activate(partner).get_unused_codes()
    detail = reverse("casework:case_detail", args=[case.public_id])

    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    response = client.post(SECOND_STEP, {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(detail).status_code == 200
    client.post(reverse("account_logout"))

    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    refused = client.post(SECOND_STEP, {"code": codes[0]})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get(detail).url.startswith(LOGIN)
    # Another unused code, or the authenticator app, still works.
    response = client.post(SECOND_STEP, {"code": codes[1]})
    assert response.status_code == 302
    assert client.get(detail).status_code == 200


def test_recovery_codes_are_stored_encrypted(partner):
    authenticator = RecoveryCodes.activate(partner).instance
    codes = RecoveryCodes(authenticator).get_unused_codes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        raw = cursor.fetchone()[0]
    assert "gAAAA" in raw
    assert not any(code in raw for code in codes)


def test_totp_still_works_next_to_recovery_codes(client, partner):
    RecoveryCodes.activate(partner)
    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    response = client.post(SECOND_STEP, {"code": totp_code(partner)})
    assert response.status_code == 302
    assert client.get("/partners/").status_code == 200


def test_a_wrong_second_factor_code_is_audited_without_the_code(client, partner):
    from casework.models import AuditEntry

    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    client.post(SECOND_STEP, {"code": "123456"})
    entry = AuditEntry.objects.get(action="login.mfa_failed")
    assert (entry.actor_pk, entry.result, entry.purpose) == (partner.pk, "denied", "totp")
    assert "123456" not in str(list(AuditEntry.objects.values()))


def test_the_second_factor_code_attempts_are_rate_limited(client, partner):
    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    for _ in range(5):
        client.post(SECOND_STEP, {"code": "000000"})
    response = client.post(SECOND_STEP, {"code": totp_code(partner)})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
