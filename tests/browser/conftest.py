"""Browser harness: Playwright for Python driving Debian's chromium, with axe-core.

Fixtures:
- ``browser``: one headless chromium for the session (no browser download; the
  executable is Debian's, see CHROMIUM_PATH).
- ``page``: a fresh browser context and page per test.
- ``demo_server``: the live server with the demo content loaded.
Helpers:
- ``axe_violations(page)``: runs axe-core (from node_modules) for WCAG 2.1 AA.
- ``screenshot(page, name)``: stores a full-page PNG under test-artifacts/.
- ``enter_totp_code(page, user)``: the second step of allauth's login, for a user
  given a TOTP authenticator by ``tests.mfa.with_mfa``.
"""

import os
from pathlib import Path

import pytest

from tests.chromium import (  # noqa: F401 - re-exported for the tests
    AXE_JS,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    WCAG_21_AA,
    axe_violations,
    describe,
)
from tests.mfa import totp_code

# Playwright's sync API runs an event loop in this thread; Django's ORM must
# still be usable from the test body (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def demo_server(live_server, transactional_db, demo_site):
    """The live server on a fresh copy of the demo (tests/demo_database.py)."""
    return live_server


# The password casework factories give their users (tests/casework/factories.py).
PASSWORD = "een-lang-wachtwoord-123"


def sign_in(page, server, user, next_path="/partners/") -> None:
    """Sign in through allauth with password and the authenticator's code."""
    page.goto(f"{server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    # The login form's own button: the site header has a search form too.
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    enter_totp_code(page, user)
    page.wait_for_url(f"**{next_path}")


def assert_accessible(page, name: str) -> None:
    """No axe WCAG 2.1 AA violations; a screenshot either way."""
    violations = axe_violations(page)
    screenshot(page, f"casework-{name}")
    assert violations == [], f"{name}: {describe(violations)}"


def enter_totp_code(page, user) -> None:
    """After the password step, type the authenticator app's current code."""
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", totp_code(user))
    # The code's own form: the site header has a search form too.
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
