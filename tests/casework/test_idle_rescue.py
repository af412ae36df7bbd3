"""A POST that arrives after the 15-minute idle timeout signs the user out, but what
it carried is kept for them (encrypted, theirs only) and put back after they sign in
again: intake steps in their draft, messages, notes and logged advice in their form."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from casework.middleware import LAST_SEEN_KEY
from casework.models import AuditEntry, CaseDraft, RescuedInput, TimelineEntry

from .factories import MunicipalityFactory, partner_user
from .test_protection import raw_column

pytestmark = pytest.mark.django_db


def go_idle(client):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 16 * 60
    session.save()


def next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


@pytest.fixture
def draft(client, partner):
    client.force_login(partner)
    client.post(reverse("casework:intake_start"), {"kind": "com"})
    return CaseDraft.objects.get()


def test_an_intake_step_posted_after_the_timeout_is_kept_in_the_draft(client, partner, draft):
    municipality = MunicipalityFactory()
    url = reverse("casework:intake_step", args=[draft.public_id, "persoon"])
    go_idle(client)
    response = client.post(
        url,
        {"person_name": "Testpersoon Laat", "other_persons": "", "municipality": municipality.pk},
    )
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert next_of(response) == url
    assert "_auth_user_id" not in client.session
    draft.refresh_from_db()
    assert draft.data["person_name"] == "Testpersoon Laat"

    client.force_login(partner)
    page = client.get(url).content.decode()
    assert 'value="Testpersoon Laat"' in page


def test_a_background_save_after_the_timeout_is_kept_too(client, draft):
    go_idle(client)
    response = client.post(
        reverse("casework:intake_autosave", args=[draft.public_id]),
        {"_step": "situatie", "problem": "Laatste zin die nog werd getypt"},
        headers={"x-requested-with": "fetch"},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.data["problem"] == "Laatste zin die nog werd getypt"


def test_a_message_posted_after_the_timeout_is_not_sent_but_put_back_after_login(
    client, partner, case
):
    client.force_login(partner)
    go_idle(client)
    response = client.post(
        reverse("casework:case_action", args=[case.public_id, "bericht"]),
        {"body": "Betrokkene is verhuisd naar Voorbeeldstad"},
    )
    detail = reverse("casework:case_detail", args=[case.public_id])
    # Not a POST-only URL to come back to: the case page.
    assert next_of(response) == detail
    assert not case.timeline.filter(kind=TimelineEntry.Kind.MESSAGE).exists()
    kept = RescuedInput.objects.get(owner=partner)
    assert "Voorbeeldstad" not in raw_column("casework_rescuedinput", "payload", kept.pk)
    assert AuditEntry.objects.filter(action="session.input_kept", actor_pk=partner.pk).exists()

    client.force_login(partner)
    page = client.get(detail).content.decode()
    assert "Betrokkene is verhuisd naar Voorbeeldstad</textarea>" in page
    assert "Wat u typte voordat u werd uitgelogd" in page
    # Handed out once.
    assert "Voorbeeldstad" not in client.get(detail).content.decode()
    assert not RescuedInput.objects.exists()


def test_kept_input_is_only_ever_shown_to_its_owner(client, partner, organisation, case):
    client.force_login(partner)
    go_idle(client)
    client.post(
        reverse("casework:case_action", args=[case.public_id, "bericht"]),
        {"body": "Alleen voor mij bedoeld"},
    )
    colleague = partner_user(organisation)
    client.force_login(colleague)
    page = client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    assert "Alleen voor mij bedoeld" not in page
    assert RescuedInput.objects.filter(owner=partner).exists()


def test_a_staff_note_and_a_logged_advice_request_are_put_back(client, regisseur, case):
    client.force_login(regisseur)
    go_idle(client)
    client.post(
        reverse("casework:case_action", args=[case.public_id, "notitie"]),
        {"body": "Notitie na de pauze"},
    )
    client.force_login(regisseur)
    go_idle(client)
    client.post(
        reverse("casework:advice"), {"channel": "telefoon", "question": "Vraag van de wijkagent"}
    )
    client.force_login(regisseur)
    assert (
        "Notitie na de pauze</textarea>"
        in client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    )
    page = client.get(reverse("casework:advice")).content.decode()
    assert "Vraag van de wijkagent</textarea>" in page


def test_a_broken_body_after_the_timeout_still_just_signs_out(client, partner, case):
    client.force_login(partner)
    go_idle(client)
    response = client.generic(
        "POST",
        reverse("casework:case_action", args=[case.public_id, "bericht"]),
        b'--grens\r\nContent-Disposition: form-data; name="body"\r\n\r\nhalf',
        content_type="multipart/form-data; boundary=grens",
    )
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_kept_input_is_purged_after_a_day(partner, case):
    RescuedInput.objects.create(
        owner=partner,
        target="/partners/casus/x/",
        form="bericht",
        created_at=timezone.now() - timedelta(hours=25),
    )
    call_command("casework_retention")
    assert not RescuedInput.objects.exists()
