"""A registration rush on the embedded SQLite settings, run in its own process.

Usage: python sqlite_rush.py <immediate|deferred>. Prints one JSON line:
{"confirmed": n, "waitlisted": n, "errors": [...]}.
``deferred`` is the control: SQLite's default transaction mode, without which
concurrent writers are not serialised.
"""

import json
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from tests.sqlite_demo import NoMigrations, setup_embedded_demo  # noqa: E402

VAR_DIR = setup_embedded_demo(prefix="sqlite-rush-")

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.models import Locale, Page  # noqa: E402


def main(mode: str) -> dict:
    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from events import services
    from events.models import AgendaPage, EventPage, EventSession, Registration

    # Only the seat rule is under test here, not the e-mails (silenced in the
    # module registration_create calls it from).
    services.registration._notify = lambda registration, kind: None

    locale = Locale.objects.create(language_code="nl")
    root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    agenda = root.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))
    start = timezone.now() + timedelta(days=10)
    event = agenda.add_child(
        instance=EventPage(
            title="Rush",
            slug="rush",
            kind="training",
            capacity=10,
            sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=2))],
        )
    )
    users = [
        get_user_model().objects.create_user(username=f"u{n}", email=f"u{n}@voorbeeld.example")
        for n in range(50)
    ]
    connections.close_all()
    if mode == "deferred":
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
        connections.settings["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
    barrier = threading.Barrier(len(users), timeout=120)
    errors = []

    def one(user):
        try:
            barrier.wait()
            services.registration_create(event=event, user=user)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(type(exc).__name__ + ": " + str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    registrations = Registration.objects.filter(event_id=event.pk)
    return {
        "confirmed": registrations.filter(status="confirmed").count(),
        "waitlisted": registrations.filter(status="waitlisted").count(),
        "errors": errors,
        "mode": connections["default"].settings_dict["OPTIONS"].get("transaction_mode"),
        "event_check": EventPage.objects.filter(pk=event.pk).exists(),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
