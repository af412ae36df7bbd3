"""WebAuthn in a real browser: Chromium's virtual authenticator (DevTools protocol,
``WebAuthn.addVirtualAuthenticator``) stands in for a security key or passkey.

A partner without a second factor registers a security key on allauth's page; the
key alone then opens the casework, and the next login asks for it (and accepts it)
instead of a TOTP code."""

import pytest
from allauth.mfa.models import Authenticator

from casework.models import AuditEntry
from tests.casework.factories import OrganisationFactory, partner_user
from tests.mfa import with_mfa

from .conftest import axe_violations, describe, enter_totp_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "een-lang-wachtwoord-123"


# Runs before any page script: records every CSP violation the page reports.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def authenticator_page(page):
    """The page, with a virtual platform authenticator that says yes to every prompt."""
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.csp_console = []
    page.on(
        "console",
        lambda message: (
            page.csp_console.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
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


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.csp_console


def test_the_security_key_page_lists_renames_and_removes_a_key(authenticator_page, live_server):
    """/accounts/2fa/webauthn/ answered 500 for everyone (humanize was not installed);
    now a signed-in partner sees their keys there, renames one and removes it, all
    under the site's strict CSP."""
    page = authenticator_page
    partner = with_mfa(partner_user(OrganisationFactory(), mfa=False))
    password_step(page, live_server, partner, next_path="/accounts/2fa/webauthn/")
    enter_totp_code(page, partner)
    page.wait_for_url("**/accounts/2fa/webauthn/")
    assert page.locator("main h1").inner_text() == "Beveiligingssleutels"
    assert "Er zijn geen beveiligingssleutels gekoppeld." in page.locator("main").inner_text()

    page.get_by_role("link", name="Beveiligingssleutel toevoegen").click()
    # allauth asks for the password again before any change to the second factor.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/**")
    page.fill("input[name=name]", "Sleutel op de werkplek")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    row = page.locator("main table tbody tr")
    assert row.count() == 1
    assert "Sleutel op de werkplek" in row.inner_text()
    assert "Nog niet gebruikt." in row.inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "account-security-keys")

    row.get_by_role("link", name="Naam wijzigen").click()
    page.wait_for_url("**/accounts/2fa/webauthn/keys/*/edit/**")
    screenshot(page, "account-security-key-rename")
    page.fill("input[name=name]", "Sleutel thuis")
    page.click("#mfa_webauthn_edit")
    page.wait_for_url("**/accounts/2fa/webauthn/")
    assert "Sleutel thuis" in page.locator("main table").inner_text()
    key = Authenticator.objects.get(user=partner, type=Authenticator.Type.WEBAUTHN)
    assert key.data["name"] == "Sleutel thuis"

    page.locator("main table").get_by_role("link", name="Verwijderen").click()
    page.wait_for_url("**/accounts/2fa/webauthn/keys/*/remove/**")
    screenshot(page, "account-security-key-remove")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/webauthn/")
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert "Er zijn geen beveiligingssleutels gekoppeld." in page.locator("main").inner_text()
    assert csp_violations(page) == []
