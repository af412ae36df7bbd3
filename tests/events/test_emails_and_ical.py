"""E-mails (MJML HTML + plain text + .ics) and the calendar files themselves."""

import pytest
from icalendar import Calendar

from events import ical, services
from events.emails import registration_mail_send

from .factories import create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def online_event(bare_agenda):
    return create_event(
        bare_agenda,
        title="Webinar toets",
        address="",
        venue="",
        online_url="https://meet.example.org/x",
        sessions=2,
    )


def test_the_confirmation_is_dutch_html_and_text_with_an_invitation(online_event, user, mailoutbox):
    registration = services.registration_create(event=online_event, user=user)

    registration_mail_send(registration_id=registration.pk, kind="confirmed")

    mail = mailoutbox[0]
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert "<mj-" not in html and "Beste Pim Professional" in html
    assert "Beste Pim Professional" in mail.body
    assert "https://meet.example.org/x" in mail.body  # confirmed: the online link is sent
    name, content, mimetype = mail.attachments[0]
    assert mimetype == "text/calendar; method=REQUEST"
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert "professional@voorbeeld.example" in str(events[0]["ATTENDEE"])


def test_the_online_link_is_not_sent_to_the_waiting_list(bare_agenda, user, make_user, mailoutbox):
    event = create_event(
        bare_agenda, capacity=1, address="", online_url="https://meet.example.org/y"
    )
    services.registration_create(event=event, user=make_user())
    waiting = services.registration_create(event=event, user=user)

    registration_mail_send(registration_id=waiting.pk, kind="waitlisted")

    assert "meet.example.org" not in mailoutbox[0].body
    assert mailoutbox[0].attachments == []


def test_a_cancellation_reaches_calendars_as_a_cancel_with_the_same_uid(
    online_event, user, mailoutbox
):
    registration = services.registration_create(event=online_event, user=user)
    registration_mail_send(registration_id=registration.pk, kind="confirmed")
    services.event_cancel(event=online_event)

    registration_mail_send(registration_id=registration.pk, kind="event_cancelled")

    invite = Calendar.from_ical(mailoutbox[0].attachments[0][1]).walk("VEVENT")[0]
    cancel_calendar = Calendar.from_ical(mailoutbox[1].attachments[0][1])
    cancel = cancel_calendar.walk("VEVENT")[0]
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == invite["UID"]
    assert cancel["SEQUENCE"] > invite["SEQUENCE"]


def test_the_public_ics_uses_amsterdam_time_and_a_stable_uid(event):
    first = Calendar.from_ical(ical.calendar_bytes([event])).walk("VEVENT")[0]
    again = Calendar.from_ical(ical.calendar_bytes([event])).walk("VEVENT")[0]

    assert first["UID"] == again["UID"]
    assert first["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert first["DTSTART"].dt == event.starts_at.replace(microsecond=0)
    assert Calendar.from_ical(ical.calendar_bytes([event])).walk("VTIMEZONE")


def test_every_mail_kind_renders(event, user, mailoutbox):
    registration = services.registration_create(event=event, user=user)
    registration.offer_expires_at = registration.created_at
    registration.save()

    for kind in [
        "verify",
        "confirmed",
        "waitlisted",
        "offer",
        "offer_expired",
        "cancelled",
        "changed",
        "event_cancelled",
        "reminder",
        "survey",
    ]:
        registration_mail_send(registration_id=registration.pk, kind=kind)

    assert len(mailoutbox) == 10
    assert all("[ZVH]" not in m.subject and m.alternatives for m in mailoutbox)
    reminder = mailoutbox[8]
    assert "Ik kan niet komen" in reminder.body and "#afmelden" in reminder.body
