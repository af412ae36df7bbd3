"""WebAuthn in a real browser: Chromium's virtual authenticator (DevTools protocol,
``WebAuthn.addVirtualAuthenticator``) stands in for a security key or passkey.

A partner without a second factor registers a security key on allauth's page; the
key alone then opens the casework, and the next login asks for it (and accepts it)
instead of a TOTP code."""

import pytest
from allauth.mfa.models import Authenticator

from casework.models import AuditEntry
from tests.casework.factories import OrganisationFactory, partner_user

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "een-lang-wachtwoord-123"


@pytest.fixture
def authenticator_page(page):
    """The page, with a virtual platform authenticator that says yes to every prompt."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def password_step(page, server, user, next_path="/partners/"):
    page.goto(f"{server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_load_state()


def test_a_partner_registers_a_security_key_and_signs_in_with_it(authenticator_page, live_server):
    page = authenticator_page
    partner = partner_user(OrganisationFactory(), mfa=False)

    # Without a second factor the casework only offers the set-up.
    password_step(page, live_server, partner)
    # allauth asks for the password once more before any change to the second factor.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/totp/activate/**")

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.fill("input[name=name]", "Sleutel op de werkplek")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=partner, type=Authenticator.Type.WEBAUTHN).exists()
    assert not Authenticator.objects.filter(user=partner, type=Authenticator.Type.TOTP).exists()
    assert AuditEntry.objects.filter(
        action="mfa.added", actor_pk=partner.pk, purpose="webauthn"
    ).exists()

    # The key alone opens the casework.
    page.goto(f"{live_server.url}/partners/")
    assert page.url.endswith("/partners/")
    assert page.locator("main h1").count() == 1

    page.goto(f"{live_server.url}/accounts/logout/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    # Signing in again: the password is not enough, the key is asked for and accepted.
    password_step(page, live_server, partner)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    screenshot(page, "casework-passkey-second-step")
    page.goto(f"{live_server.url}/partners/")
    assert "/partners/" not in page.url.split("?")[0]
    page.go_back()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url("**/partners/")
    assert page.locator("main h1").count() == 1
    webauthn = Authenticator.objects.get(user=partner, type=Authenticator.Type.WEBAUTHN)
    assert webauthn.last_used_at is not None
