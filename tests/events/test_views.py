"""The public pages: agenda, event page, registration, signed links, calendars."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest

from events import services
from events.emails import registration_mail_send
from events.models import EventPage, QuestionKind, Registration
from events.models import RegistrationStatus as Status

from .factories import STANDARD_QUESTIONS, create_event

pytestmark = pytest.mark.django_db

AGENDA_URL = "/trainingen-en-bijeenkomsten/"


def link_from(mail, name: str) -> str:
    path = re.search(rf"http://[^/\s]+(/agenda/{name}/[^\s\"<]+/)", mail.body)
    assert path, mail.body
    return path.group(1)


@pytest.fixture
def training(agenda):
    return create_event(agenda, capacity=2, questions=STANDARD_QUESTIONS, title="Training toets")


def post_guest(client, event, **extra):
    data = {"name": "Gerda Gast", "email": "gerda@voorbeeld.example"}
    organisation = event.questions.get(kind=QuestionKind.ORGANISATION)
    data[organisation.key] = "Gemeente Voorbeeld"
    data.update(extra)
    return client.post(f"/agenda/aanmelden/{event.pk}/", data)


def titles(client, query=""):
    html = client.get(AGENDA_URL + query).content.decode()
    return set(re.findall(r'class="event-item__title"><a href="[^"]+">([^<]+)</a>', html))


def test_the_demo_agenda_replaces_the_section_page_and_has_a_full_event(client, home):
    response = client.get(AGENDA_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Training procesregie bij complexe casuïstiek" in html
    assert "Vol – wachtlijst" in html
    full = EventPage.objects.get(slug="netwerkbijeenkomst-onbegrepen-gedrag")
    assert full.registrations.filter(status=Status.CONFIRMED).count() == full.capacity
    assert full.registrations.filter(status=Status.WAITLISTED).count() == 3


def test_the_agenda_lists_upcoming_events_in_order_and_marks_full_ones(client, programme):
    html = client.get(AGENDA_URL).content.decode()

    listed = re.findall(r'class="event-item__title"><a href="[^"]+">([^<]+)</a>', html)
    assert listed == [
        "Netwerkbijeenkomst vol",
        "Training procesregie",
        "Webinar privacy",
        "Intervisie",
    ]
    assert html.count("Vol – wachtlijst") == 1


def test_the_agenda_shows_past_events_on_request(client, programme):
    assert titles(client, "?weergave=verleden") == {"Training weegtafel"}


def test_the_agenda_filters_by_theme_kind_region_and_month(client, programme):
    peelland = programme["procesregie"].region
    webinar = programme["webinar"]
    month = timezone.localtime(webinar.starts_at).strftime("%Y-%m")

    assert titles(client, "?thema=privacy") == {"Webinar privacy"}
    assert titles(client, "?soort=intervisie") == {"Intervisie"}
    assert titles(client, f"?regio={peelland.pk}") == {"Training procesregie", "Intervisie"}
    assert "Webinar privacy" in titles(client, f"?maand={month}")
    assert titles(client, "?weergave=verleden&thema=radicalisering") == {"Training weegtafel"}


def test_nonsense_filters_are_ignored_not_an_error(client, programme):
    response = client.get(AGENDA_URL + "?maand=13-2026&regio=abc&soort=x&pagina=zz")

    assert response.status_code == 200
    for region in ["²", "9" * 30]:  # a Unicode digit; an id beyond the column's range
        assert client.get(AGENDA_URL, {"regio": region}).status_code == 200


def test_the_agenda_needs_a_fixed_number_of_queries(
    client, programme, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as few:
        client.get(AGENDA_URL)
    for n in range(5):
        create_event(programme["procesregie"].get_parent(), title=f"Extra {n}", days=50 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(AGENDA_URL)


def test_the_event_page_shows_sessions_place_accreditation_and_the_form(client, programme):
    event = programme["procesregie"]

    html = client.get(event.url).content.decode()

    assert "Dag 1" in html and "Dag 2" in html
    assert "Met één inschrijving doet u mee aan alle sessies." in html
    assert "Routebeschrijving" in html
    assert "12 punten, SKJ" in html
    assert 'name="email"' in html


def test_the_online_link_is_not_on_the_public_page(client, programme):
    webinar = programme["webinar"]

    html = client.get(webinar.url).content.decode()

    assert "meet.example.org" not in html
    assert "bevestigde deelnemers krijgen de link per e-mail" in html


def test_a_guest_registers_confirms_by_link_and_cancels(
    client, training, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_guest(client, training)
    assert response.status_code == 302
    registration = Registration.objects.get(event=training)
    assert registration.status == Status.HELD
    assert mailoutbox[0].subject == "Bevestig uw inschrijving: Training toets"

    confirm_url = link_from(mailoutbox[0], "bevestigen")
    assert client.get(confirm_url).status_code == 200  # a page with a button, not the action
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    confirmation = mailoutbox[1]
    assert confirmation.subject == "Inschrijving bevestigd: Training toets"
    assert confirmation.attachments[0][0] == "uitnodiging.ics"

    manage_url = response.url
    assert "Bevestigd" in client.get(manage_url).content.decode()
    client.post(manage_url + "annuleren/")
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_invalid_input_gets_dutch_messages_a_400_and_keeps_what_was_typed(client, training):
    big = training.questions.get(kind=QuestionKind.REGISTER_NUMBER)

    response = post_guest(client, training, email="geen-adres", **{big.key: "123"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Voer een geldig e-mailadres in." in html
    assert "Dit is geen geldig BIG-nummer (11 cijfers)." in html
    assert 'value="Gerda Gast"' in html
    assert not Registration.objects.exists()


CHECK_MAIL_URL = "/agenda/aanmelden/controleer-uw-e-mail/"


def everything_in(mail) -> str:
    """Subject, text, HTML and attachments of a mail, in one string."""
    parts = [mail.subject, mail.body]
    parts += [content for content, _type in mail.alternatives]
    for _name, content, _type in mail.attachments:
        parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts)


def test_a_guests_confirmation_mail_and_page_echo_nothing_they_typed(
    client, training, mailoutbox, django_capture_on_commit_callbacks
):
    """Anyone can type anyone's address: until it is confirmed, the mail to it and the
    page its link opens carry our text only, not the name or answers typed."""
    organisation = training.questions.get(kind=QuestionKind.ORGANISATION)
    bait = "Bel 0900-1234567 of ga naar https://phish.example/zvh"

    with django_capture_on_commit_callbacks(execute=True):
        post_guest(
            client,
            training,
            name="Uw account is geblokkeerd",
            email="slachtoffer@voorbeeld.example",
            **{organisation.key: bait},
        )

    (verify,) = mailoutbox
    text = everything_in(verify)
    for typed in ("geblokkeerd", "0900-1234567", "phish.example"):
        assert typed not in text
    assert verify.body.startswith("Hallo,")
    assert "Hallo," in verify.alternatives[0][0]
    page = client.get(link_from(verify, "bevestigen")).content.decode()
    assert "geblokkeerd" not in page and "phish.example" not in page
    assert "Mijn inschrijving bevestigen" in page

    # Once confirmed, the mails greet the person by the name they gave.
    registration = Registration.objects.get(event=training)
    services.registration_confirm_email(registration=registration)
    registration_mail_send(registration_id=registration.pk, kind="confirmed")
    assert mailoutbox[-1].body.startswith("Beste Uw account is geblokkeerd,")


def test_a_duplicate_registration_answers_exactly_as_a_new_one_and_mails_the_address_its_link(
    client, training, mailoutbox, django_capture_on_commit_callbacks
):
    """Whether an address attends is told to that address only, never on the page."""
    with django_capture_on_commit_callbacks(execute=True):
        new = post_guest(client, training)
    registration = Registration.objects.get(event=training)
    services.registration_confirm_email(registration=registration)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        duplicate = post_guest(client, training, name="Iemand Anders")

    assert (duplicate.status_code, duplicate.url) == (new.status_code, new.url)
    assert (duplicate.status_code, duplicate.url) == (302, CHECK_MAIL_URL)
    assert dict(duplicate.items()).keys() == dict(new.items()).keys()
    assert duplicate.cookies.keys() == new.cookies.keys()
    assert Registration.objects.filter(event=training).count() == 1
    (notice,) = mailoutbox
    assert notice.to == ["gerda@voorbeeld.example"]
    assert notice.subject == "U bent al ingeschreven: Training toets"
    assert (
        link_from(notice, "aanmelding") == f"/agenda/aanmelding/{services.token_for(registration)}/"
    )
    assert "Beste Gerda Gast," in notice.body  # the confirmed owner, not the new form
    assert "Iemand Anders" not in everything_in(notice)
    assert "Status van uw inschrijving: Bevestigd." in notice.body


def test_a_duplicate_of_an_unconfirmed_registration_sends_the_confirmation_link_again(
    client, training, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_guest(client, training)
    registration = Registration.objects.get(event=training)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        duplicate = post_guest(client, training, name="Iemand Anders")

    assert (duplicate.status_code, duplicate.url) == (302, CHECK_MAIL_URL)
    (notice,) = mailoutbox
    assert notice.subject == "U bent al ingeschreven: Training toets"
    assert (
        link_from(notice, "bevestigen") == f"/agenda/bevestigen/{services.token_for(registration)}/"
    )
    assert notice.body.startswith("Hallo,")  # not confirmed yet: no name from any form
    assert "Gerda" not in everything_in(notice) and "Iemand Anders" not in everything_in(notice)


def test_a_logged_in_professional_registering_twice_is_taken_to_their_registration(
    client, training, user
):
    client.force_login(user)
    organisation = training.questions.get(kind=QuestionKind.ORGANISATION)
    url = f"/agenda/aanmelden/{training.pk}/"
    first = client.post(url, {organisation.key: "GGZ"})

    again = client.post(url, {organisation.key: "GGZ"})

    assert again.status_code == 302 and again.url == first.url
    assert "U was al ingeschreven voor deze bijeenkomst." in client.get(again.url).content.decode()
    assert Registration.objects.filter(event=training).count() == 1


def test_a_logged_in_professional_registers_in_one_step(client, training, user):
    client.force_login(user)
    organisation = training.questions.get(kind=QuestionKind.ORGANISATION)

    response = client.post(f"/agenda/aanmelden/{training.pk}/", {organisation.key: "GGZ"})

    registration = Registration.objects.get(event=training, user=user)
    assert registration.status == Status.CONFIRMED
    assert response.url == f"/agenda/aanmelding/{services.token_for(registration)}/"
    assert "U bent ingeschreven" in client.get(training.url).content.decode()


def test_answers_can_be_changed_through_the_signed_link(client, training, user):
    registration = services.registration_create(event=training, user=user)
    organisation = training.questions.get(kind=QuestionKind.ORGANISATION)
    url = f"/agenda/aanmelding/{services.token_for(registration)}/"

    client.post(url, {organisation.key: "Veilig Thuis"})

    registration.refresh_from_db()
    assert registration.answers == {organisation.key: "Veilig Thuis"}


def test_a_tampered_link_is_a_dutch_404(client):
    response = client.get("/agenda/aanmelding/niet-geldig/")

    assert response.status_code == 404


def test_offer_page_accepts_the_seat_with_one_button(client, training, make_user):
    first = services.registration_create(event=training, user=make_user())
    services.registration_create(event=training, user=make_user())
    waiting = services.registration_create(event=training, user=make_user())
    services.registration_cancel(registration=first)
    url = f"/agenda/plaats/{services.token_for(waiting)}/"

    assert "Ja, ik neem de plaats aan" in client.get(url).content.decode()
    client.post(url, {"action": "accept"})

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_offer_page_declines_with_one_button(client, training, make_user):
    first = services.registration_create(event=training, user=make_user())
    services.registration_create(event=training, user=make_user())
    waiting = services.registration_create(event=training, user=make_user())
    services.registration_cancel(registration=first)

    client.post(f"/agenda/plaats/{services.token_for(waiting)}/", {"action": "decline"})

    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELLED


def test_the_event_ics_and_the_feeds_are_calendars(client, programme):
    event = programme["procesregie"]

    single = client.get(f"/agenda/evenement/{event.pk}.ics")
    feed = client.get("/agenda/agenda.ics")
    themed = client.get("/agenda/thema/radicalisering.ics")

    assert single["Content-Type"] == "text/calendar; charset=utf-8"
    assert single.content.count(b"BEGIN:VEVENT") == 2
    assert feed.content.count(b"BEGIN:VEVENT") == 6
    assert b"Training weegtafel" in themed.content
    assert b"procesregie" not in themed.content
    assert client.get("/agenda/thema/bestaat-niet.ics").status_code == 404


def test_mijn_trainingen_needs_a_login(client):
    response = client.get("/agenda/mijn-trainingen/")

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_mijn_trainingen_lists_registrations_and_exports_them(client, training, user):
    services.registration_create(event=training, user=user)
    client.force_login(user)

    html = client.get("/agenda/mijn-trainingen/").content.decode()
    export = client.get("/agenda/mijn-trainingen/download/").json()

    assert "Training toets" in html
    assert export[0]["event"] == "Training toets"
    assert export[0]["email"] == "professional@voorbeeld.example"


def test_a_person_can_delete_their_registrations(client, training, user):
    registration = services.registration_create(event=training, user=user)
    client.force_login(user)

    client.post("/agenda/mijn-trainingen/verwijderen/")

    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    assert registration.anonymised_at is not None
    assert "professional" not in registration.email


def test_registration_closes_shows_a_message_instead_of_the_form(client, agenda):
    event = create_event(agenda, registration_closes_at=timezone.now() - timedelta(hours=1))

    html = client.get(event.url).content.decode()
    # The footer's newsletter sign-up has an e-mail field on every page.
    main = html.split('<main id="inhoud"', 1)[1].split("</main>", 1)[0]

    assert "De inschrijving is gesloten." in main
    assert 'name="email"' not in main
