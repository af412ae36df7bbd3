"""Database locks: the one place where the portal serialises writers.

Two tools, both for use inside ``transaction.atomic()`` (they check it):

``advisory_xact_lock(key)``
    Serialises a critical section (the audit hash chain, a GCOS import, the
    newsletter's hourly budget, the quarterly digest) until the transaction ends.
``skip_locked(queryset)`` / ``skip_locked_sql()``
    A claim that passes over rows another transaction has locked, so parallel
    workers claim disjoint rows without waiting for each other.

PostgreSQL (production and the test suite): ``pg_advisory_xact_lock(key)``, released
at commit or rollback, and ``FOR UPDATE SKIP LOCKED``.

SQLite (the embedded demo): nothing extra is needed, because every writer is already
serialised. portal/settings/base.py sets ``DATABASES["default"]["OPTIONS"]
["transaction_mode"] = "IMMEDIATE"``, so Django opens the outermost atomic block with
``BEGIN IMMEDIATE`` (``DatabaseWrapper._start_transaction_under_autocommit``). That
statement takes SQLite's single write lock (RESERVED) when the transaction *starts*
and keeps it until commit or rollback; another connection's ``BEGIN IMMEDIATE``, or a
write in autocommit mode, waits for it (the busy ``timeout``). A transaction that
reached our code therefore holds the database's only write lock, and nobody can commit
between its reads and its writes: an advisory lock would add nothing (it serialises
only the holders of one key, SQLite serialises all writers), and no other writer can
hold a row the claim would have to skip, so a plain ``SELECT`` (or ``UPDATE``) is the
skip-locked claim. Readers are not blocked (WAL), as on PostgreSQL, where neither lock
blocks plain reads either. tests/portal/test_sqlite_locks.py checks that a second
connection cannot write while a transaction holds the lock (tests/portal/test_locks.py
checks PostgreSQL). With SQLite's default ``DEFERRED`` transactions (for instance a
``DATABASE_URL=sqlite:///...``, which has no such option) the write lock is taken only
at the first write, after the reads it should protect: the helpers refuse to run then
rather than silently not lock.

Any other database vendor: ``NotSupportedError``.

Keys are listed in ``LockKey`` so that no two critical sections share one by accident.
"""

from enum import IntEnum

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

# SQLite transaction modes that take the write lock at BEGIN.
_WRITE_LOCKING_MODES = {"IMMEDIATE", "EXCLUSIVE"}


class LockKey(IntEnum):
    """Advisory lock keys (64-bit integers in PostgreSQL's one key space)."""

    AUDIT_CHAIN = 604_202_6  # casework.audit: one writer appends to the hash chain
    CASE_IMPORT = 604_202_7  # casework.importer: one GCOS import at a time
    NEWSLETTER_DIGEST = 0x64696765  # "dige": one quarterly digest run at a time
    NEWSLETTER_HOURLY = 0x6E657773  # "news": chains claim within the hourly limit


def _vendor(using: str) -> str:
    """The connection's vendor once it is known that the helpers' promise holds there."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "portal.locks: a lock or a claim is only held inside transaction.atomic()."
        )
    if connection.vendor == "postgresql":
        return "postgresql"
    if connection.vendor == "sqlite":
        mode = (getattr(connection, "transaction_mode", None) or "DEFERRED").upper()
        if mode not in _WRITE_LOCKING_MODES:
            raise NotSupportedError(
                "portal.locks: on SQLite writers are serialised only by BEGIN IMMEDIATE; "
                f"this connection uses {mode} transactions. Set "
                'DATABASES[...]["OPTIONS"]["transaction_mode"] = "IMMEDIATE".'
            )
        return "sqlite"
    raise NotSupportedError(
        f"portal.locks supports PostgreSQL and SQLite, not {connection.vendor!r}."
    )


def advisory_xact_lock(key: LockKey | int, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Waits for and takes the lock ``key`` until the current transaction ends."""
    if _vendor(using) == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key)])
    # SQLite: this transaction began with BEGIN IMMEDIATE and holds the write lock.


def skip_locked(queryset: QuerySet, **options) -> QuerySet:
    """``queryset`` as a claim: its rows are locked for this transaction, and rows
    another transaction has locked are left out (``select_for_update(skip_locked=True)``;
    ``options`` are passed on, e.g. ``of=("self",)``)."""
    if _vendor(queryset.db) == "postgresql":
        return queryset.select_for_update(skip_locked=True, **options)
    return queryset  # SQLite: no other writer runs during this transaction


def skip_locked_sql(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """The suffix that makes a raw ``SELECT`` a skip-locked claim (empty on SQLite)."""
    if _vendor(using) == "postgresql":
        return " FOR UPDATE SKIP LOCKED"
    return ""
