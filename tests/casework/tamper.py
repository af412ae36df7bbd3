"""Tampering with the audit log on purpose, for tests that check it is caught.

The table has a trigger refusing UPDATE and DELETE (migration
0011_audit_append_only_trigger). Its owner (or a superuser) can switch it off,
which is what an attacker with those rights would do; the hash chain must still
show the change. The ALTER TABLE is rolled back with the test's transaction.
"""

from contextlib import contextmanager

from django.db import connection

TRIGGER = "casework_auditentry_append_only"


@contextmanager
def audit_trigger_disabled():
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {TRIGGER}")
