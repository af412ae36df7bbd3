"""The demo content, loaded once per test process into a PostgreSQL template database.

Loading the demo (``portal.demo.load``) takes 8-12 s: about 7,000 queries, Wagtail
revisions and the search sync of every page. About fifty tests want it, so loading it
per test cost more than a quarter of the suite's time. Instead, the first test that
asks for it builds ``<test database>_demo`` once (a copy of the freshly migrated test
database, plus the demo), and each later test gets the demo in one of two cheap ways:

- A test inside a transaction (the ``db`` fixture, the usual case) runs *on* the
  template database: the connection is pointed at it before the test's transaction
  opens, and back at the test database after the rollback. Nothing the test writes
  survives, so the template stays as built.
- A transactional test (``live_server``, ``transactional_db``) commits, and its teardown
  flushes the database. It gets a fresh copy instead: the test database is dropped and
  recreated from the template (``CREATE DATABASE ... TEMPLATE``, well under a second),
  and the flush afterwards leaves it as any transactional test leaves it.

Every switch forgets what the process cached about the other database: Django's
content types (ids differ once a flush has recreated them) and the cache (Wagtail's
site root paths, page cache entries, rate-limit counters).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections

import psycopg
import pytest
from psycopg import sql

# Set on a test item whose database fixture came up with the demo in it.
LOADED = pytest.StashKey[bool]()

_built: dict[str, str] = {}


def available() -> bool:
    """Template databases are PostgreSQL's; a child run on SQLite (tests/search/
    test_sqlite.py) loads the demo per test instead."""
    return connection.vendor == "postgresql"


def _pristine(base: str) -> str:
    return f"{base}_migrated"


def snapshot_migrated(base: str) -> None:
    """Keep a copy of the freshly migrated test database (taken once per session,
    before any test): the template is built from it, whatever earlier transactional
    tests have flushed from the test database itself."""
    if not available():
        return
    connections.close_all()
    _copy_database(base, _pristine(base))


def _admin_execute(*statements: sql.Composable) -> None:
    """Run statements on the maintenance database (CREATE/DROP DATABASE cannot run
    inside a transaction, nor on a connection to the database they act on)."""
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _copy_database(source: str, target: str) -> None:
    """``target`` becomes a fresh copy of ``source`` (connections still open on the
    old ``target``, e.g. a live server thread's, are closed by ``WITH (FORCE)``)."""
    _admin_execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)),
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(source)
        ),
    )


def _forget_cached_state() -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for cache in caches.all(initialized_only=True):
        cache.clear()


def _point_at(name: str) -> None:
    connections.close_all()
    for alias in connections:
        connections[alias].settings_dict["NAME"] = name
    _forget_cached_state()


def template_name() -> str:
    """Build the template on first use (in this process) and return its name."""
    base = settings.DATABASES["default"]["NAME"]
    if base in _built:
        return _built[base]
    from portal import demo
    from portal.demo import ensure_tree_root

    template = f"{base}_demo"
    started = time.monotonic()
    connections.close_all()
    _copy_database(_pristine(base), template)
    _point_at(template)
    try:
        ensure_tree_root()
        demo.load()
    finally:
        _point_at(base)
    _built[base] = template
    print(f"\nDemo template database {template} built in {time.monotonic() - started:.1f} s")
    return template


class OnTemplate:
    """For a test in a transaction: point the connection at the template, and back."""

    def __init__(self) -> None:
        self.base = settings.DATABASES["default"]["NAME"]
        self.template = template_name()

    def __enter__(self) -> OnTemplate:
        _point_at(self.template)
        return self

    def __exit__(self, *exc: object) -> None:
        _point_at(self.base)


def replace_test_database_with_demo() -> None:
    """For a transactional test (or a module that loads the demo once): the test
    database becomes a fresh copy of the template. Connections still open on it (a
    live server thread) are closed by ``WITH (FORCE)`` and reconnect on next use."""
    base = settings.DATABASES["default"]["NAME"]
    template = template_name()
    connections.close_all()
    _copy_database(template, base)
    _forget_cached_state()


def restore_migrated_test_database() -> None:
    """The test database back as it was right after the migrations."""
    base = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    _copy_database(_pristine(base), base)
    _forget_cached_state()


def drop_copies(base: str) -> None:
    if not available():
        return
    for name in (_built.pop(base, None), _pristine(base)):
        if name:
            _admin_execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
