"""Out-of-range ids on the embedded SQLite settings, in their own process.

Usage: python sqlite_ids.py. Prints one JSON line that tests/portal/test_ids.py checks:
for each request, its status code or the name of the exception it raised; for each
form, whether it validated or the exception it raised.

SQLite's INTEGER holds at most 2**63 - 1; Django checks the range of a plain integer
lookup but not of a lookup through a relation (an event page's ``page_ptr``) or of
``__in``, where sqlite3 raises OverflowError: a 500 before ``portal.ids``.
"""

import json
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from tests.sqlite_demo import NoMigrations, setup_embedded_demo  # noqa: E402

VAR_DIR = setup_embedded_demo(prefix="sqlite-ids-")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.models import Locale, Page  # noqa: E402

TOO_BIG = str(2**63)  # 9223372036854775808
LARGEST = str(2**63 - 1)  # in range, but no such row


def create_tables() -> None:
    # Error pages link static files; there is no collectstatic manifest in a test run.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}).enable()
    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)
    structures = import_module("search.migrations.0002_fulltext_structures")
    with connection.cursor() as cursor:
        cursor.execute(structures.FTS5)


def outcome(send, path: str) -> int | str:
    try:
        return send(path).status_code
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return type(exc).__name__


def validates(form) -> bool | str:
    try:
        return form.is_valid()
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return type(exc).__name__


def main() -> dict:
    create_tables()
    from casework.forms import PersonStep, QuestionStep
    from casework.roles import PROCESREGISSEUR, ensure_roles
    from events.models import AgendaPage, EventPage, EventSession
    from newsletter.forms import PreferencesForm
    from portal.models import Municipality
    from tests.mfa import with_mfa

    locale = Locale.objects.create(language_code="nl")
    root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    agenda = root.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))
    start = timezone.now() + timedelta(days=10)
    event = agenda.add_child(
        instance=EventPage(
            title="Training",
            slug="training",
            kind="training",
            capacity=10,
            sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=2))],
        )
    )
    municipality = Municipality.objects.create(name="Voorbeeld")
    ensure_roles()
    User = get_user_model()
    admin = with_mfa(
        User.objects.create_superuser(username="beheer", email="beheer@voorbeeld.example")
    )
    regisseur = with_mfa(User.objects.create_user(username="rs", email="rs@voorbeeld.example"))
    regisseur.groups.add(Group.objects.get(name=PROCESREGISSEUR))

    visitor, staff, superuser = (Client(HTTP_HOST="127.0.0.1") for _ in range(3))
    staff.force_login(regisseur)
    superuser.force_login(admin)
    requests = {
        f"GET event ics {n}": outcome(visitor.get, f"/agenda/evenement/{n}.ics")
        for n in (TOO_BIG, LARGEST, "9" * 25)
    }
    requests.update(
        {
            f"POST register {n}": outcome(visitor.post, f"/agenda/aanmelden/{n}/")
            for n in (TOO_BIG, LARGEST)
        }
    )
    requests["GET event ics existing"] = outcome(visitor.get, f"/agenda/evenement/{event.pk}.ics")
    requests["GET newsletter click"] = outcome(visitor.get, f"/abonnement/k/x/{TOO_BIG}/y/")
    requests["POST advice answer"] = outcome(staff.post, f"/partners/advies/{TOO_BIG}/")
    for path in (
        f"/admin/bijeenkomsten/{TOO_BIG}/",
        f"/admin/bijeenkomsten/{TOO_BIG}/aanwezigheid/",
        f"/admin/bijeenkomsten/aanmelding/{TOO_BIG}/annuleren/",
        f"/admin/nieuwsbrief/uitgave/{TOO_BIG}/",
        f"/admin/nieuwsbrief/abonnee/{TOO_BIG}/bewijs/",
    ):
        requests[f"GET {path}"] = outcome(superuser.get, path)

    forms = {
        "intake municipality": validates(
            PersonStep(data={"person_name": "Test", "municipality": TOO_BIG}, kind="com")
        ),
        "intake partners": validates(
            QuestionStep(data={"partners": [TOO_BIG], "question": "Vraag", "urgency": "normaal"})
        ),
        "newsletter themes": validates(
            PreferencesForm(data={"themes": [TOO_BIG], "frequency": "issue"})
        ),
        "intake municipality in range": validates(
            PersonStep(data={"person_name": "Test", "municipality": municipality.pk}, kind="com")
        ),
    }
    return {"vendor": connection.vendor, "requests": requests, "forms": forms}


if __name__ == "__main__":
    print(json.dumps(main()))
