"""portal.locks on PostgreSQL: the locks are really taken, and only inside a transaction.

The same helpers on SQLite (the embedded demo) are checked in a process of their own:
tests/portal/test_sqlite_locks.py.
"""

from unittest import mock

from django.db import NotSupportedError, connection, transaction
from django.db.transaction import TransactionManagementError

import pytest

from portal import locks
from portal.models import Basisteam

KEY = locks.LockKey.AUDIT_CHAIN


@pytest.fixture
def other_connection():
    """A second session on the test database, as another worker would have."""
    other = connection.copy()
    yield other
    other.close()


def try_lock(other, key: int) -> bool:
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [int(key)])
        return cursor.fetchone()[0]


def test_the_lock_keys_are_distinct():
    assert len({int(key) for key in locks.LockKey}) == len(locks.LockKey)


@pytest.mark.django_db(transaction=True)
def test_an_advisory_lock_is_held_until_the_transaction_ends(other_connection):
    with transaction.atomic():
        locks.advisory_xact_lock(KEY)

        assert try_lock(other_connection, KEY) is False
        assert try_lock(other_connection, locks.LockKey.CASE_IMPORT) is True  # another key

    assert try_lock(other_connection, KEY) is True


@pytest.mark.django_db(transaction=True)
def test_a_lock_or_claim_outside_a_transaction_is_refused():
    with pytest.raises(TransactionManagementError, match="transaction.atomic"):
        locks.advisory_xact_lock(KEY)
    with pytest.raises(TransactionManagementError):
        locks.skip_locked(Basisteam.objects.all())
    with pytest.raises(TransactionManagementError):
        locks.skip_locked_sql()


@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_the_rows_another_transaction_has_locked(other_connection):
    for name in ("A", "B", "C"):
        Basisteam.objects.create(name=name)
    other_connection.set_autocommit(False)
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT id FROM portal_basisteam WHERE name = 'B' FOR UPDATE")
    try:
        with transaction.atomic():
            claimed = [team.name for team in locks.skip_locked(Basisteam.objects.order_by("name"))]
            with connection.cursor() as cursor:
                suffix = locks.skip_locked_sql()
                cursor.execute(f"SELECT name FROM portal_basisteam ORDER BY name{suffix}")  # noqa: S608
                claimed_raw = [row[0] for row in cursor.fetchall()]
    finally:
        other_connection.rollback()
        other_connection.set_autocommit(True)

    assert claimed == ["A", "C"]
    assert claimed_raw == ["A", "C"]


@pytest.mark.django_db
def test_on_postgresql_a_claim_is_select_for_update_skip_locked():
    claim = locks.skip_locked(Basisteam.objects.all())

    assert claim.query.select_for_update and claim.query.select_for_update_skip_locked
    assert locks.skip_locked_sql() == " FOR UPDATE SKIP LOCKED"


@pytest.mark.django_db
def test_other_databases_are_refused_with_a_clear_error():
    with mock.patch.object(connection, "vendor", "mysql"):
        with pytest.raises(NotSupportedError, match="PostgreSQL and SQLite, not 'mysql'"):
            locks.advisory_xact_lock(KEY)
        with pytest.raises(NotSupportedError):
            locks.skip_locked_sql()
