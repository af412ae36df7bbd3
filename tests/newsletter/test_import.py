import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest

from newsletter import services
from newsletter.models import ConsentEvent, Subscriber, SubscriberStatus

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db

CSV = """email,name,organisation,consent_date,consent_source
goed@voorbeeld.example,G. Goed,Gemeente,2025-03-01,aanmeldformulier congres 2025
GOED2@voorbeeld.example,,,2024-11-12,intekenlijst training
geen-toestemming@voorbeeld.example,,,,
geen-adres,,,2025-01-01,formulier
toekomst@voorbeeld.example,,,2999-01-01,formulier
afgemeld@voorbeeld.example,,,2025-01-01,formulier
goed@voorbeeld.example,,,2025-01-01,formulier
"""


def test_only_people_with_documented_consent_are_imported_and_rejects_are_reported(db):
    former = SubscriberFactory(email="afgemeld@voorbeeld.example")
    services.subscriber_unsubscribe(subscriber=former, channel=ConsentEvent.Channel.LINK)

    report = services.subscribers_import(csv_text=CSV, source="oude lijst")

    assert report.imported == 2
    assert [(line, reason) for line, _email, reason in report.rejects] == [
        (4, "Geen aantoonbare toestemming (datum en bron zijn verplicht)"),
        (5, "Geen geldig e-mailadres"),
        (6, "De toestemmingsdatum ligt in de toekomst"),
        (7, "Al bekend; bestaande toestemming en afmeldingen blijven staan"),
        (8, "Dubbel in dit bestand"),
    ]
    imported = Subscriber.objects.get(email="goed2@voorbeeld.example")
    assert imported.status == SubscriberStatus.ACTIVE
    assert imported.consent.get().details == {
        "source": "oude lijst",
        "consent_date": "2024-11-12",
        "consent_source": "intekenlijst training",
    }
    assert Subscriber.objects.get(email=former.email).status == SubscriberStatus.UNSUBSCRIBED


def test_a_file_without_consent_columns_imports_nobody(db):
    report = services.subscribers_import(csv_text="email\na@voorbeeld.example\n", source="x")
    assert report.imported == 0
    assert "consent_date" in report.rejects[0][2]


def test_the_management_command_reports_rejects(db, tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import_subscribers", str(path), "--source", "oude lijst", stdout=out)
    assert "Imported: 3" in out.getvalue()
    assert "line 4: geen-toestemming@voorbeeld.example" in out.getvalue()


def test_staff_import_through_the_admin(admin_client, site):
    upload = SimpleUploadedFile("lijst.csv", CSV.encode(), content_type="text/csv")
    response = admin_client.post(
        "/admin/nieuwsbrief/import/", {"file": upload, "source": "oude lijst"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "3 abonnees geïmporteerd" in body
    assert "Geen geldig e-mailadres" in body


def test_the_import_menu_item_is_shown_only_to_those_who_may_import(admin_client, client, site):
    from casework.roles import MANAGER
    from tests.casework.factories import staff_user

    assert "Abonnees importeren" in admin_client.get("/admin/").content.decode()
    # The manager reaches the admin for the annual report, not for subscribers.
    client.force_login(staff_user(MANAGER))
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Abonnees importeren" not in page.content.decode()
