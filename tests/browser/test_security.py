"""The security baseline in a real browser: CSP, the one login path, account pages."""

from django.contrib.auth import get_user_model

import pytest
from allauth.account.models import EmailAddress

from portal.models import HomePage
from tests.mfa import with_mfa

from .conftest import axe_violations, describe, enter_totp_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "beheer@zvh-bzo.example"
PASSWORD = "lang-genoeg-wachtwoord-42"

# Runs before any page script: records every CSP violation the page reports.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def csp_page(page):
    """A page that collects CSP violations from events and from the console."""
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_console = console
    return page


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.csp_console


@pytest.fixture
def superuser():
    user = get_user_model().objects.create_superuser(username=EMAIL, email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, primary=True, verified=True)
    # The admins require a second factor (casework.middleware).
    return with_mfa(user)


def log_in(page, server, user, next_url="/admin/"):
    page.goto(f"{server.url}/admin/")
    # The Wagtail admin sends us to allauth's login, in the site's layout.
    page.wait_for_url("**/accounts/login/?next=/admin/")
    # Within the main content: the footer's newsletter form has an e-mail field and
    # a button too.
    form = page.get_by_role("main")
    form.get_by_label("E-mail").fill(EMAIL)
    form.get_by_label("Wachtwoord").fill(PASSWORD)
    form.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    enter_totp_code(page, user)
    page.wait_for_url(f"**{next_url}")


def test_the_public_home_page_runs_without_csp_violations_or_console_errors(csp_page, demo_server):
    messages: list[str] = []
    csp_page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))

    csp_page.goto(demo_server.url + "/")
    csp_page.wait_for_load_state("networkidle")

    assert csp_violations(csp_page) == []
    # Also no header the browser rejects (e.g. an unknown Permissions-Policy feature).
    assert [m for m in messages if m.startswith(("error", "warning"))] == []
    # site.js ran under the nonce: it marks the document as scripted.
    assert "js" in csp_page.locator("html").get_attribute("class")


def test_a_superuser_logs_in_through_allauth_and_uses_the_wagtail_admin_without_csp_violations(
    csp_page, demo_server, superuser
):
    log_in(csp_page, demo_server, superuser)
    csp_page.wait_for_load_state("networkidle")
    assert csp_page.locator("html").get_attribute("lang") == "nl"
    screenshot(csp_page, "admin-dashboard")
    assert csp_violations(csp_page) == []

    home = HomePage.objects.get()
    csp_page.goto(f"{demo_server.url}/admin/pages/{home.pk}/edit/")
    csp_page.wait_for_load_state("networkidle")
    assert csp_page.locator("#id_title").input_value() == home.title
    screenshot(csp_page, "admin-page-editor")
    assert csp_violations(csp_page) == []

    csp_page.goto(f"{demo_server.url}/django-admin/")
    csp_page.wait_for_load_state("networkidle")
    assert csp_violations(csp_page) == []

    # Logged in, the public page shows Wagtail's user bar: still no violations.
    csp_page.goto(demo_server.url + "/")
    csp_page.wait_for_load_state("networkidle")
    assert csp_violations(csp_page) == []


def test_the_account_pages_look_like_the_site_are_dutch_and_pass_axe(page, demo_server):
    for url, name in [
        ("/accounts/login/", "login"),
        ("/accounts/password/reset/", "password-reset"),
        ("/accounts/password/reset/done/", "password-reset-done"),
        ("/accounts/signup/", "signup-closed"),
        ("/accounts/confirm-email/", "verification-sent"),
    ]:
        page.goto(demo_server.url + url)

        assert page.locator("html").get_attribute("lang") == "nl", url
        assert page.get_by_role("navigation", name="Hoofdmenu").is_visible(), url
        violations = axe_violations(page)
        screenshot(page, "account-" + name)
        assert violations == [], f"{url}: {describe(violations)}"


def test_a_bad_password_gets_a_dutch_message_and_keeps_the_e_mail_address(page, demo_server):
    page.goto(demo_server.url + "/accounts/login/")
    form = page.get_by_role("main")  # not the footer's newsletter form
    form.get_by_label("E-mail").fill("iemand@zvh-bzo.example")
    form.get_by_label("Wachtwoord").fill("niet-goed")
    form.get_by_role("button", name="Inloggen").click()

    # Wait for the answer: the refused login is audited before the page comes back.
    # The message shows in the error summary and at the field: wait for the first.
    page.get_by_text(
        "e-mailadres en/of wachtwoord dat u hebt opgegeven, is niet juist"
    ).first.wait_for()
    assert form.get_by_label("E-mail").input_value() == "iemand@zvh-bzo.example"
    violations = axe_violations(page)
    screenshot(page, "account-login-error")
    assert violations == [], describe(violations)


def test_the_logout_page_is_dutch_and_passes_axe(page, demo_server, superuser):
    log_in(page, demo_server, superuser)

    page.goto(demo_server.url + "/accounts/logout/")
    violations = axe_violations(page)
    screenshot(page, "account-logout")
    assert violations == [], describe(violations)
    # The header has a sign-out button too; this is the page's own.
    page.locator("main").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(demo_server.url + "/")
    page.goto(demo_server.url + "/admin/")
    page.wait_for_url("**/accounts/login/?next=/admin/")


def test_an_english_browser_gets_the_dutch_site_with_lang_nl(browser, demo_server):
    # The portal is Dutch only (docs/site.md, "Language"): no switch, lang always nl.
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(demo_server.url + "/over-ons/")

    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("link", name="Naar de inhoud").count() == 1
    assert page.get_by_label("Kies een taal").count() == 0
    context.close()


def test_the_account_management_pages_work_under_the_strict_policy(
    csp_page, demo_server, superuser
):
    log_in(csp_page, demo_server, superuser)

    for url, name in [
        ("/accounts/email/", "email"),
        ("/accounts/password/change/", "password-change"),
        ("/accounts/2fa/", "mfa"),
        ("/accounts/2fa/totp/activate/", "mfa-totp"),
    ]:
        csp_page.goto(demo_server.url + url)
        csp_page.wait_for_load_state("networkidle")

        assert csp_page.locator("html").get_attribute("lang") == "nl", url
        violations = axe_violations(csp_page)
        screenshot(csp_page, "account-manage-" + name)
        assert csp_violations(csp_page) == [], url
        assert violations == [], f"{url}: {describe(violations)}"
