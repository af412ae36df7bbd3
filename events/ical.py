"""iCalendar output: feeds, one .ics per event, and invitations in e-mails.

Every session is one VEVENT with a UID that never changes, so a calendar updates
the entry it already has. SEQUENCE is the event's ``ical_sequence``, raised by
``services.event_published`` when time or place changes and by ``event_cancel``;
a cancellation is sent as METHOD:CANCEL with STATUS:CANCELLED.
"""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from icalendar import Calendar, Event, vCalAddress, vText

from portal.mail import absolute_url

from .models import EventPage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRODID = "-//ZVH Brabant Zuidoost//Agenda//NL"


def uid_for(event: EventPage, session) -> str:
    return session_uid(event.pk, session.pk)


def session_uid(event_id: int, session_id: int) -> str:
    return f"zvh-event-{event_id}-session-{session_id}@zvh-bzo.example"


def _organizer() -> vCalAddress:
    from email.utils import parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(name or "ZVH Brabant Zuidoost")
    return organizer


def _location(event: EventPage, *, with_online_link: bool) -> str:
    if event.address:
        return ", ".join(part for part in [event.venue, event.address] if part)
    if event.online_url and with_online_link:
        return event.online_url
    return event.venue or "Online"


def _vevents(
    event: EventPage,
    *,
    cancelled: bool,
    attendee: tuple[str, str] | None,
    with_online_link: bool,
) -> Iterable[Event]:
    sessions = event.ordered_sessions()
    for number, session in enumerate(sessions, start=1):
        vevent = Event()
        vevent.add("uid", uid_for(event, session))
        vevent.add("sequence", event.ical_sequence)
        vevent.add("dtstamp", timezone.now())
        vevent.add("dtstart", session.starts_at.astimezone(AMSTERDAM))
        vevent.add("dtend", session.ends_at.astimezone(AMSTERDAM))
        summary = event.title
        if len(sessions) > 1:
            summary = f"{event.title} ({session.title or f'deel {number}'})"
        vevent.add("summary", summary)
        vevent.add("location", _location(event, with_online_link=with_online_link))
        vevent.add("url", absolute_url(event.url or "/"))
        description = event.introduction
        if event.route_url:
            description += f"\n\nRoute: {event.route_url}"
        vevent.add("description", description.strip())
        vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if attendee:
            vevent.add("organizer", _organizer())
            address = vCalAddress(f"mailto:{attendee[1]}")
            address.params["CN"] = vText(attendee[0])
            address.params["ROLE"] = vText("REQ-PARTICIPANT")
            address.params["PARTSTAT"] = vText("ACCEPTED")
            vevent.add("attendee", address, encode=False)
        yield vevent


def calendar_bytes(
    events: Iterable[EventPage],
    *,
    method: str = "PUBLISH",
    attendee: tuple[str, str] | None = None,
    with_online_link: bool = False,
    name: str = "",
) -> bytes:
    """A VCALENDAR for the given events. ``attendee`` (name, e-mail) makes it an invitation."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    events = list(events)
    for event in events:
        cancelled = event.is_cancelled or method == "CANCEL"
        for vevent in _vevents(
            event,
            cancelled=cancelled,
            attendee=attendee,
            with_online_link=with_online_link,
        ):
            calendar.add_component(vevent)
    # A VTIMEZONE covering only the years the events span keeps the file small.
    starts = [e.starts_at for e in events if e.starts_at] or [timezone.now()]
    ends = [e.ends_at for e in events if e.ends_at] or starts
    calendar.add_missing_timezones(
        first_date=date(min(starts).year, 1, 1), last_date=date(max(ends).year + 1, 1, 1)
    )
    return calendar.to_ical()


def session_cancellation_bytes(
    event: EventPage, sessions: list[dict], *, attendee: tuple[str, str]
) -> bytes:
    """METHOD:CANCEL for sessions removed from an event, from what calendars received
    (``EventPage.ical_sessions``): the same UID, the event's raised SEQUENCE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL")
    starts = []
    for session in sessions:
        start = datetime.fromisoformat(session["starts_at"]).astimezone(AMSTERDAM)
        end = datetime.fromisoformat(session["ends_at"]).astimezone(AMSTERDAM)
        starts.append(start)
        vevent = Event()
        vevent.add("uid", session_uid(event.pk, session["id"]))
        vevent.add("sequence", event.ical_sequence)
        vevent.add("dtstamp", timezone.now())
        vevent.add("dtstart", start)
        vevent.add("dtend", end)
        title = session.get("title")
        vevent.add("summary", f"{event.title} ({title})" if title else event.title)
        vevent.add("url", absolute_url(event.url or "/"))
        vevent.add("status", "CANCELLED")
        vevent.add("organizer", _organizer())
        address = vCalAddress(f"mailto:{attendee[1]}")
        address.params["CN"] = vText(attendee[0])
        vevent.add("attendee", address, encode=False)
        calendar.add_component(vevent)
    first = min(starts, default=timezone.now())
    last = max(starts, default=first)
    calendar.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
    )
    return calendar.to_ical()
