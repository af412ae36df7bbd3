"""Fixtures shared by the whole suite.

The database is real PostgreSQL (see portal/settings/test.py). ``demo_site``
loads the same demo content `make demo` loads, so tests look at what users see.
``admin_user`` (and so ``admin_client``) has a second factor, which the admins
require (casework.middleware.CaseworkSecurityMiddleware).
"""

from wagtail.models import Site

import pytest
from allauth.mfa.utils import is_mfa_enabled

from portal.demo import ensure_tree_root
from tests import fuzzing  # noqa: F401 - registers and loads the Hypothesis profile
from tests.mfa import with_mfa


@pytest.fixture(autouse=True)
def _wagtail_tree_root(request):
    """Transactional tests flush the database, and with it the locale and tree root
    that Wagtail's migrations create; every later database test gets them back."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_tree_root()


@pytest.fixture(scope="session")
def browser():
    """One headless chromium per test process, shared by tests/browser and
    tests/journeys: Playwright's sync API runs one event loop per thread, so a second
    instance in the same xdist worker would refuse to start."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM_ARGS, CHROMIUM_PATH

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with an activated TOTP authenticator."""
    return admin_user if is_mfa_enabled(admin_user) else with_mfa(admin_user)


@pytest.fixture
def demo_site(db):
    from portal import demo

    demo.load()
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(demo_site):
    return demo_site.root_page.specific
