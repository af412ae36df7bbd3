"""Fixtures shared by the whole suite.

The database is real PostgreSQL (see portal/settings/test.py). ``demo_site``
gives a test the same demo content `make demo` loads, so tests look at what users
see; it is loaded once per test process into a template database
(tests/demo_database.py).
``admin_user`` (and so ``admin_client``) has a second factor, which the admins
require (casework.middleware.CaseworkSecurityMiddleware).
"""

from wagtail.models import Site

import pytest
from allauth.mfa.utils import is_mfa_enabled
from celery import _state as _celery_state
from pytest_django.plugin import blocking_manager_key

from portal.demo import ensure_tree_root
from tests import (
    demo_database,
    fuzzing,  # noqa: F401 - registers and loads the Hypothesis profile
)
from tests.mfa import with_mfa


class _XdistGroupIds:
    """--dist loadgroup for pytest 9: pytest-xdist (3.8) tells the controller a test's
    group by appending "@<group>" to its node id, but sets ``item._nodeid``, which
    pytest 9 no longer reads (the id lives in ``item._id``): every group was spread over
    the workers. This sets the id the way xdist means it, for every ``xdist_group``
    test, and steps aside once xdist's own suffix is there."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        if not getattr(config.option, "loadgroup", False):
            return
        from _pytest.nodeid import NodeId

        for item in items:
            groups = {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
            if groups and "@" not in item.nodeid and hasattr(item, "_id"):
                item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("xdist-group-ids"):
        config.pluginmanager.register(_XdistGroupIds(), "xdist-group-ids")


def _transactional(node, fixturenames) -> bool:
    marker = node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        set(fixturenames) & {"transactional_db", "live_server"}
    )


def _is_transactional(request) -> bool:
    return _transactional(request.node, request.fixturenames)


# Set when a transactional test has flushed the test database.
_FLUSHED = pytest.StashKey[bool]()
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "_django_db_helper"})


def _item_is_transactional(item) -> bool:
    return _transactional(item, item.fixturenames)


def pytest_runtest_teardown(item, nextitem):
    if _item_is_transactional(item):
        item.config.stash[_FLUSHED] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test's flush also empties what the migrations created: Wagtail's
    root collection and groups, the ZVH role groups. A test inside a transaction that
    follows one gets the migrated database back first (a template copy, well under a
    second), so no test depends on where xdist happened to schedule it. Transactional
    tests themselves start from the flushed state, as pytest-django gives it."""
    if not item.config.stash.get(_FLUSHED, False) or _item_is_transactional(item):
        return
    uses_database = item.get_closest_marker("django_db") or set(item.fixturenames) & (
        DATABASE_FIXTURES
    )
    if not uses_database or not demo_database.available():
        return
    with item.config.stash[blocking_manager_key].unblock():
        demo_database.restore_migrated_test_database()
    item.config.stash[_FLUSHED] = False


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Celery's eager ``apply_async`` sets a process-global "inside a task" flag and puts
    back the value it found. Eager tasks in several threads at once (the registration
    rush, a live server next to the test) can leave it set, and every later
    ``.delay().get()`` in that process then fails with "Never call result.get() within
    a task!" (seen in a full run, on the worker that ran the rush). Each test starts
    with the flag down, as a fresh process has it."""
    _celery_state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _wagtail_tree_root(request):
    """Transactional tests flush the database, and with it the locale and tree root
    that Wagtail's migrations create; every later database test gets them back."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    ensure_tree_root()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus a snapshot of it freshly migrated (the demo
    template is built from it); both copies are dropped at the end."""
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    with django_db_blocker.unblock():
        demo_database.snapshot_migrated(name)
    yield
    with django_db_blocker.unblock():
        demo_database.drop_copies(name)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Give a ``demo_site`` test the demo before its database fixture opens the test's
    transaction (or, for a transactional test, before it starts committing): every
    path to the database (``db``, ``transactional_db``, ``live_server``, the
    ``django_db`` mark) sets up pytest-django's ``_django_db_helper`` first."""
    names = request.fixturenames
    if (
        fixturedef.argname == "_django_db_helper"
        and "demo_site" in names
        and "module_demo" not in names  # search loads it once per module
        and demo_database.available()
    ):
        blocker = request.getfixturevalue("django_db_blocker")
        if _is_transactional(request):
            with blocker.unblock():
                demo_database.replace_test_database_with_demo()
        else:
            with blocker.unblock():
                on_template = demo_database.OnTemplate()
                on_template.__enter__()

            def back_to_the_test_database():
                with blocker.unblock():
                    on_template.__exit__(None, None, None)

            # Added before the fixture runs, so it runs after the fixture's own
            # teardown (the rollback): finalizers run last-in, first-out.
            fixturedef.addfinalizer(back_to_the_test_database)
        request.node.stash[demo_database.LOADED] = True
    return (yield)


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
def demo_site(request, db):
    if not request.node.stash.get(demo_database.LOADED, False):
        # Asked for late (getfixturevalue), after the database fixture: load it here.
        from portal import demo

        demo.load()
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(demo_site):
    return demo_site.root_page.specific
