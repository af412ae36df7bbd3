"""Removing a session from a published multi-session event: registrants are told,
their calendars drop that session (METHOD:CANCEL, same UID, higher SEQUENCE), and
its attendance rows go with it."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from events import ical, services
from events.models import Attendance, EventPage

from .factories import create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_days(bare_agenda):
    return create_event(bare_agenda, title="Tweedaagse training", sessions=2, capacity=1)


def publish_with(event, sessions, capture, **fields):
    event = EventPage.objects.get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    with capture(execute=True):
        event.sessions = sessions
        event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def test_registrants_get_a_cancellation_of_the_removed_session_only(
    two_days, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    confirmed = services.registration_create(event=two_days, user=make_user())
    services.registration_create(event=two_days, user=make_user())  # waiting list: no calendar
    day_1, day_2 = two_days.ordered_sessions()
    removed_uid = ical.uid_for(two_days, day_2)
    mailoutbox.clear()

    event = publish_with(two_days, [day_1], django_capture_on_commit_callbacks)

    assert event.ical_sequence == 1
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([confirmed.email], "Sessie vervallen: Tweedaagse training")
    ]
    mail = mailoutbox[0]
    assert "Dag 2" in mail.body and "blijft geldig" in mail.body
    name, content, mimetype = mail.attachments[0]
    assert (name, mimetype) == ("afzegging.ics", "text/calendar; method=CANCEL")
    calendar = Calendar.from_ical(content)
    cancel = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert [(str(v["UID"]), v["STATUS"], v["SEQUENCE"]) for v in cancel] == [
        (removed_uid, "CANCELLED", 1)
    ]
    assert cancel[0]["DTSTART"].dt == day_2.starts_at.replace(microsecond=0)
    assert event.ical_sessions == [
        {
            "id": day_1.pk,
            "title": "Dag 1",
            "starts_at": day_1.starts_at.isoformat(),
            "ends_at": day_1.ends_at.isoformat(),
        }
    ]
    # Feeds and the .ics per event no longer carry the removed session.
    assert removed_uid.encode() not in ical.calendar_bytes([event])


def test_attendance_recorded_for_the_removed_session_goes_with_it(
    two_days, user, django_capture_on_commit_callbacks
):
    registration = services.registration_create(event=two_days, user=user)
    day_1, day_2 = two_days.ordered_sessions()
    for session in (day_1, day_2):
        services.attendance_record(registration=registration, session=session, present=True)

    publish_with(two_days, [day_1], django_capture_on_commit_callbacks)

    assert list(Attendance.objects.values_list("session_id", flat=True)) == [day_1.pk]
    registration.refresh_from_db()
    assert services.registration_meets_attendance_rule(registration=registration)


def test_a_removal_with_other_changes_also_sends_the_updated_invitation(
    two_days, user, mailoutbox, django_capture_on_commit_callbacks
):
    services.registration_create(event=two_days, user=user)
    day_1, _day_2 = two_days.ordered_sessions()
    mailoutbox.clear()

    publish_with(
        two_days, [day_1], django_capture_on_commit_callbacks, address="Nieuwe straat 2, Deurne"
    )

    assert [m.subject for m in mailoutbox] == [
        "Sessie vervallen: Tweedaagse training",
        "Gewijzigd: Tweedaagse training",
    ]
    invitation = Calendar.from_ical(mailoutbox[1].attachments[0][1])
    assert [str(v["UID"]) for v in invitation.walk("VEVENT")] == [ical.uid_for(two_days, day_1)]


def test_moving_the_remaining_session_counts_as_a_change_too(
    two_days, user, mailoutbox, django_capture_on_commit_callbacks
):
    services.registration_create(event=two_days, user=user)
    day_1, _day_2 = two_days.ordered_sessions()
    day_1.starts_at += timedelta(hours=1)
    mailoutbox.clear()

    publish_with(two_days, [day_1], django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 2


def test_adding_a_session_sends_the_updated_invitation_only(
    two_days, user, mailoutbox, django_capture_on_commit_callbacks
):
    from events.models import EventSession

    services.registration_create(event=two_days, user=user)
    sessions = two_days.ordered_sessions()
    extra = EventSession(
        title="Terugkomdag",
        starts_at=sessions[-1].starts_at + timedelta(days=30),
        ends_at=sessions[-1].ends_at + timedelta(days=30),
    )
    mailoutbox.clear()

    event = publish_with(two_days, [*sessions, extra], django_capture_on_commit_callbacks)

    assert [m.subject for m in mailoutbox] == ["Gewijzigd: Tweedaagse training"]
    assert len(event.ical_sessions) == 3
