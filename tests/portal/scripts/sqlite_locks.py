"""The locking and claiming paths on the embedded SQLite settings, in their own process.

Usage: python sqlite_locks.py. Prints one JSON line that tests/portal/test_sqlite_locks.py
checks. Settings are those of `make demo PORT=8123` (PORTAL_ENV=demo, no DATABASE_URL,
REDIS_URL, CELERY_BROKER_URL or BASE_URL: SQLite in a temporary var/, tasks in-process,
mail to the outbox). One process does every check, because starting Django and
creating the tables is most of the time.
"""

import json
import os
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.pop("BASE_URL", None)
for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
    os.environ.pop(name)  # the defaults, as in the demo

from tests.sqlite_demo import NoMigrations, setup_embedded_demo  # noqa: E402

VAR_DIR = setup_embedded_demo(prefix="sqlite-locks-", PORT="8123")

import datetime as dt  # noqa: E402
import re  # noqa: E402
from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import NotSupportedError, connection, connections, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.db.transaction import TransactionManagementError  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal import locks  # noqa: E402
from tests.casework.week_cases import WEEK_CASES, local  # noqa: E402


def create_tables() -> None:
    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)
    # The one structure a migration adds on SQLite: the search index's FTS5 table.
    structures = import_module("search.migrations.0002_fulltext_structures")
    with connection.cursor() as cursor:
        cursor.execute(structures.FTS5)


LOCKS_TAKEN: list[str] = []
CLAIMS: list[str] = []


def spy_on_locks() -> None:
    """Records every lock and claim the services take, then lets them through."""
    lock, claim, claim_sql = locks.advisory_xact_lock, locks.skip_locked, locks.skip_locked_sql

    def advisory_xact_lock(key, **kwargs):
        LOCKS_TAKEN.append(locks.LockKey(key).name)
        return lock(key, **kwargs)

    def skip_locked(queryset, **options):
        CLAIMS.append(queryset.model._meta.label)
        return claim(queryset, **options)

    def skip_locked_sql(**kwargs):
        CLAIMS.append("raw")
        return claim_sql(**kwargs)

    locks.advisory_xact_lock = advisory_xact_lock
    locks.skip_locked = skip_locked
    locks.skip_locked_sql = skip_locked_sql


def newsletter_checks() -> dict:
    from newsletter import services
    from newsletter.demo import _index_page
    from newsletter.models import Delivery, Frequency, NewsletterIssuePage, Sending
    from portal.demo import load_home, load_reference_data
    from portal.mail import outbox_message_get, outbox_message_list

    load_reference_data()
    index = _index_page(load_home())
    readers = [f"lezer{n}@voorbeeld.example" for n in range(3)]
    quarterly = "kwartaal@voorbeeld.example"
    for address in [*readers, quarterly]:
        frequency = Frequency.QUARTERLY if address == quarterly else Frequency.EVERY_ISSUE
        subscriber = services.subscriber_request(email=address, name="Lezer", frequency=frequency)
        with transaction.atomic():
            services.subscriber_confirm(subscriber=subscriber)
    issue = index.add_child(
        instance=NewsletterIssuePage(
            title="Nieuwsbrief winter",
            slug="winter",
            subject="Winter bij het ZVH",
            body=[{"type": "intro", "value": {"heading": "Welkom", "text": "Het nieuws."}}],
        )
    )
    issue.save_revision().publish()
    issue = NewsletterIssuePage.objects.get(pk=issue.pk)

    # What the admin's "send now" does; every task runs in-process.
    services.issue_schedule(issue=issue, when=timezone.now())
    sending = Sending.objects.get(issue=issue)
    issue_locks = list(LOCKS_TAKEN)

    # The quarterly digest, on the first day of the next quarter.
    next_quarter = services.quarter_start(timezone.now() + dt.timedelta(days=93))
    digests = services.digests_send(now=next_quarter + dt.timedelta(days=1))
    digest_locks = LOCKS_TAKEN[len(issue_locks) :]

    messages = []
    for summary in outbox_message_list()[0]:
        message = outbox_message_get(message_id=summary.id)
        messages.append(
            {
                "to": message.to,
                "subject": message.subject,
                "links": re.findall(r"https?://[^\s\"'<>)]+", message.text + message.html),
            }
        )
    return {
        "rate_per_hour": settings.NEWSLETTER_RATE_PER_HOUR,
        "base_url": settings.WAGTAILADMIN_BASE_URL,
        "sending_state": sending.state,
        "delivery_states": sorted(
            Delivery.objects.filter(sending=sending).values_list("state", flat=True)
        ),
        "issue_locks": issue_locks,
        "digests": digests,
        "digest_locks": digest_locks,
        "readers": readers,
        "quarterly": quarterly,
        "issue_subject": issue.email_subject,
        "messages": messages,
    }


def casework_checks() -> dict:
    from casework import audit, importer
    from casework.services.survey import _survey_remind_one

    before = len(LOCKS_TAKEN)
    audit.record(action="sqlite.check")
    audit.record(action="sqlite.check")
    example = (ROOT / "docs" / "examples" / "gcos-voorbeeld.csv").read_bytes()
    first = importer.import_cases(data=example, commit=True)
    again = importer.import_cases(data=example, commit=True)  # updates: the raw UPDATE path
    reminded = _survey_remind_one(pk=0, now=timezone.now())
    return {
        "locks": LOCKS_TAKEN[before:],
        "chain_problems": [problem.problem for problem in audit.verify_chain()],
        "import": [
            {
                "committed": result.committed,
                "created": len(result.to_create),
                "updated": len(result.to_update),
                "errors": [error.message for error in result.errors][:3],
            }
            for result in (first, again)
        ],
        "reminded": reminded,
    }


def week_checks() -> dict:
    from casework import reports
    from casework.models import DestructionList, Tombstone

    destruction_list = DestructionList.objects.create()
    expected, labels = {}, {}
    for number, (label, registered, closed, weeks) in enumerate(WEEK_CASES):
        reference = labels[label] = f"WEEK-{number}"
        Tombstone.objects.create(
            reference=reference,
            kind="com",
            municipality_name="Helmond",
            final_status="afgesloten",
            submitted_at=local(registered),
            closed_at=local(closed),
            destruction_list=destruction_list,
        )
        expected[label] = weeks
    weeks_of = dict(
        Tombstone.objects.filter(reference__startswith="WEEK-")
        .annotate(weeks=reports.WholeWeeks(F("closed_at"), F("submitted_at")))
        .values_list("reference", "weeks")
    )
    counted = {label: weeks_of[reference] for label, reference in labels.items()}
    report = reports.annual_report(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    return {
        "expected": expected,
        "counted": counted,
        "report_histogram_cases": report["throughput_weeks"]["cases"],
        "report_max": report["throughput_weeks"]["max"],
    }


def serialisation_checks() -> dict:
    """While a transaction holds the "lock", no other connection can write."""
    path = settings.DATABASES["default"]["NAME"]
    other = sqlite3.connect(path, timeout=0, isolation_level=None)

    def other_can_write() -> bool:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc), exc
            return False
        other.execute("ROLLBACK")
        return True

    outside_refused = False
    try:
        locks.advisory_xact_lock(locks.LockKey.AUDIT_CHAIN)
    except TransactionManagementError:
        outside_refused = True
    with transaction.atomic():
        locks.advisory_xact_lock(locks.LockKey.AUDIT_CHAIN)
        claim_suffix = locks.skip_locked_sql()
        while_held = other_can_write()
    after = other_can_write()
    other.close()

    # SQLite's default DEFERRED transactions take the write lock too late: refused.
    connections.close_all()
    connections.settings["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
    deferred_refused = False
    try:
        with transaction.atomic():
            locks.advisory_xact_lock(locks.LockKey.AUDIT_CHAIN)
    except NotSupportedError:
        deferred_refused = True
    connections.close_all()
    connections.settings["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    return {
        "mode": settings.DATABASES["default"]["OPTIONS"]["transaction_mode"],
        "outside_refused": outside_refused,
        "claim_suffix": claim_suffix,
        "other_can_write_while_held": while_held,
        "other_can_write_after": after,
        "deferred_refused": deferred_refused,
    }


def main() -> dict:
    create_tables()
    spy_on_locks()
    result = {"vendor": connection.vendor}
    result["newsletter"] = newsletter_checks()
    result["casework"] = casework_checks()
    result["claims"] = CLAIMS
    result["weeks"] = week_checks()
    result["serialisation"] = serialisation_checks()
    return result


if __name__ == "__main__":
    print(json.dumps(main(), default=str))
