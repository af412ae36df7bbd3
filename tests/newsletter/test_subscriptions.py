import datetime as dt
import json
import re

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

import pytest

from knowledge.models import Theme
from newsletter import services
from newsletter.models import CONSENT_TEXT_VERSION, ConsentEvent, Subscriber, SubscriberStatus

from .conftest import links_in
from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email="nieuw@voorbeeld.example", **extra):
    data = {"email": email, "frequency": "issue", **extra}
    return client.post("/abonnement/", data, REMOTE_ADDR="192.0.2.7")


def confirmation_link() -> str:
    return next(link for link in links_in(mail.outbox[-1].body) if "/bevestigen/" in link)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_signing_up_creates_a_pending_request_with_consent_proof_and_mails_a_link(client, site):
    theme = Theme.objects.first()
    response = sign_up(client, name="R. Lezer", themes=[theme.pk])

    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="nieuw@voorbeeld.example")
    assert subscriber.status == SubscriberStatus.PENDING
    assert list(subscriber.themes.all()) == [theme]
    request = subscriber.consent.get()
    assert request.kind == ConsentEvent.Kind.REQUEST
    assert request.consent_text_version == CONSENT_TEXT_VERSION
    assert request.ip_hash and "192.0.2.7" not in request.ip_hash
    assert request.ip_hash == services.ip_hash("192.0.2.7")
    assert len(mail.outbox) == 1
    assert "/abonnement/bevestigen/" in mail.outbox[0].body


def test_opening_the_confirmation_link_does_not_confirm_but_pressing_the_button_does(
    client, site, django_capture_on_commit_callbacks
):
    sign_up(client)
    link = path_of(confirmation_link())

    page = client.get(link)
    assert page.status_code == 200
    assert "Ja, stuur mij de nieuwsbrief" in page.content.decode()
    assert (
        Subscriber.objects.get(email="nieuw@voorbeeld.example").status == SubscriberStatus.PENDING
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    subscriber = Subscriber.objects.get(email="nieuw@voorbeeld.example")
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert [e.kind for e in subscriber.consent.all()] == ["request", "confirm"]
    assert mail.outbox[-1].subject == "Welkom bij de nieuwsbrief van het ZVH"


def test_an_older_confirmation_link_stops_working_after_a_new_request(client, site):
    sign_up(client)
    old = path_of(confirmation_link())
    sign_up(client)

    response = client.post(old)
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in response.content.decode()
    assert (
        Subscriber.objects.get(email="nieuw@voorbeeld.example").status == SubscriberStatus.PENDING
    )


def test_an_expired_confirmation_link_is_refused(client, site, time_machine):
    sign_up(client)
    link = path_of(confirmation_link())
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    assert client.post(link).status_code == 404


def test_a_bad_address_gets_a_dutch_message_and_keeps_what_was_typed(client, site):
    response = sign_up(client, email="geen-adres", name="R. Lezer")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Voer een geldig e-mailadres in" in body
    assert 'value="R. Lezer"' in body
    assert not Subscriber.objects.filter(email="geen-adres").exists()


def test_signing_up_again_while_subscribed_changes_nothing_and_says_so_by_mail(client, site):
    subscriber = SubscriberFactory(email="al@voorbeeld.example")
    sign_up(client, email="al@voorbeeld.example")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert mail.outbox[-1].subject == "U bent al geabonneerd"


def test_the_sign_up_does_not_tell_whether_an_address_is_subscribed(site):
    """A known and an unknown address get the same answer; only the mail, which goes
    to the address itself, differs. Neither mail repeats what was typed in the form."""
    SubscriberFactory(email="al@voorbeeld.example")

    known = sign_up(Client(), email="al@voorbeeld.example", name="Klik op phish.example")
    unknown = sign_up(Client(), email="nieuw@voorbeeld.example", name="Klik op phish.example")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert (known.status_code, known.url) == (302, "/abonnement/controleer-uw-mail/")
    assert known.cookies.keys() == unknown.cookies.keys()
    assert [m.to for m in mail.outbox] == [["al@voorbeeld.example"], ["nieuw@voorbeeld.example"]]
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "phish.example" not in message.body + html
        assert message.body.startswith("Hallo,")


def test_someone_who_unsubscribed_can_subscribe_again(client, site):
    subscriber = SubscriberFactory()
    services.subscriber_unsubscribe(subscriber=subscriber, channel=ConsentEvent.Channel.LINK)
    sign_up(client, email=subscriber.email)
    client.post(path_of(confirmation_link()))

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert [e.kind for e in subscriber.consent.all()] == ["unsubscribe", "request", "confirm"]


def test_the_consent_ledger_is_append_only(site):
    subscriber = SubscriberFactory()
    services.subscriber_unsubscribe(subscriber=subscriber, channel=ConsentEvent.Channel.STAFF)
    event = subscriber.consent.get()
    event.channel = ConsentEvent.Channel.LINK
    with pytest.raises(PermissionDenied):
        event.save()


def test_the_preference_centre_changes_themes_and_frequency_without_a_login(client, site):
    subscriber = SubscriberFactory()
    theme = Theme.objects.last()
    url = f"/abonnement/voorkeuren/{services.subscriber_token(subscriber=subscriber)}/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"themes": [theme.pk], "frequency": "quarterly", "name": "Nieuw"})

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.frequency == "quarterly"
    assert list(subscriber.themes.all()) == [theme]
    assert subscriber.consent.last().details == {"frequency": "quarterly", "themes": [theme.slug]}


def test_a_tampered_preference_link_gets_a_dutch_404(client, site):
    subscriber = SubscriberFactory()
    token = services.subscriber_token(subscriber=subscriber)
    response = client.get(f"/abonnement/voorkeuren/{token[:-2]}xx/")
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in response.content.decode()


def test_unsubscribe_get_only_shows_a_page_and_the_one_click_post_unsubscribes_at_once(site):
    client = Client(enforce_csrf_checks=True)
    subscriber = SubscriberFactory()
    url = f"/abonnement/afmelden/{services.subscriber_token(subscriber=subscriber)}/"

    assert client.get(url).status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.ACTIVE

    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.consent.get().channel == ConsentEvent.Channel.ONE_CLICK


def test_the_unsubscribe_button_records_the_link_channel(client, site):
    subscriber = SubscriberFactory()
    client.post(f"/abonnement/afmelden/{services.subscriber_token(subscriber=subscriber)}/")
    assert subscriber.consent.get().channel == ConsentEvent.Channel.LINK


def test_download_my_data_gives_the_consent_ledger_as_proof(client, site):
    sign_up(client)
    client.post(path_of(confirmation_link()))
    subscriber = Subscriber.objects.get(email="nieuw@voorbeeld.example")
    response = client.get(
        f"/abonnement/voorkeuren/{services.subscriber_token(subscriber=subscriber)}/gegevens.json"
    )
    data = json.loads(response.content)
    assert data["email"] == "nieuw@voorbeeld.example"
    assert [e["kind"] for e in data["consent"]] == ["request", "confirm"]
    assert data["consent"][0]["consent_text_version"] == CONSENT_TEXT_VERSION


def test_delete_me_erases_the_subscriber_and_their_ledger(client, site):
    subscriber = SubscriberFactory()
    url = f"/abonnement/voorkeuren/{services.subscriber_token(subscriber=subscriber)}/verwijderen/"
    assert client.get(url).status_code == 200
    client.post(url)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ConsentEvent.objects.filter(subscriber_id=subscriber.pk).exists()


def test_unconfirmed_requests_are_purged_after_seven_days(client, site):
    sign_up(client, email="oud@voorbeeld.example")
    former = SubscriberFactory(email="terug@voorbeeld.example")
    services.subscriber_unsubscribe(subscriber=former, channel=ConsentEvent.Channel.LINK)
    sign_up(client, email="terug@voorbeeld.example")
    sign_up(client, email="vers@voorbeeld.example")
    Subscriber.objects.exclude(email="vers@voorbeeld.example").update(
        requested_at=timezone.now() - dt.timedelta(days=8)
    )

    assert services.subscribers_purge_unconfirmed() == 1

    assert set(
        Subscriber.objects.filter(email__endswith="voorbeeld.example").values_list(
            "email", "status"
        )
    ) == {
        ("terug@voorbeeld.example", "unsubscribed"),
        ("vers@voorbeeld.example", "pending"),
    }


def test_the_footer_of_every_page_has_a_sign_up_form(client, site):
    body = client.get("/").content.decode()
    assert 'action="/abonnement/"' in body
    assert 'for="nb-footer-email"' in body


def test_staff_list_search_and_export_consent_proof_and_unsubscribe_in_the_admin(
    admin_client, site
):
    subscriber = SubscriberFactory(email="zoek@voorbeeld.example")
    listing = admin_client.get("/admin/snippets/newsletter/subscriber/?q=zoek")
    assert listing.status_code == 200
    assert "zoek@voorbeeld.example" in listing.content.decode()

    proof = admin_client.get(f"/admin/nieuwsbrief/abonnee/{subscriber.pk}/bewijs/")
    assert json.loads(proof.content)["email"] == "zoek@voorbeeld.example"

    admin_client.post(f"/admin/nieuwsbrief/abonnee/{subscriber.pk}/afmelden/")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.consent.get().channel == ConsentEvent.Channel.STAFF
