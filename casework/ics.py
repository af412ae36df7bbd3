"""The .ics of a case meeting: content-free, like the e-mail it comes with.

Summary "Casusoverleg ZVH", the time, a link into the secure environment and
nothing else: no reference, no case subject, no place (a place can say who the
meeting is about; the invitee reads it behind the login). The UID never changes and
SEQUENCE is the meeting's ``ics_sequence``, so a calendar updates its entry.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from icalendar import Calendar, Event

from portal.mail import absolute_url

from .models import CaseMeeting

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRODID = "-//ZVH Brabant Zuidoost//Casusoverleg//NL"
MIME_REQUEST = "text/calendar; method=PUBLISH"
SUMMARY = "Casusoverleg ZVH"


def meeting_uid(meeting: CaseMeeting) -> str:
    return f"zvh-casusoverleg-{meeting.public_id}@zvh-bzo.example"


def meeting_bytes(meeting: CaseMeeting) -> bytes:
    link = absolute_url(reverse("casework:case_detail", args=[meeting.case.public_id]))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = Event()
    vevent.add("uid", meeting_uid(meeting))
    vevent.add("sequence", meeting.ics_sequence)
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", meeting.starts_at.astimezone(AMSTERDAM))
    vevent.add("dtend", meeting.ends_at.astimezone(AMSTERDAM))
    vevent.add("summary", SUMMARY)
    vevent.add("location", "Zie de beveiligde omgeving")
    vevent.add("url", link)
    vevent.add(
        "description",
        f"Plaats of online link en agenda staan in de beveiligde omgeving:\n{link}",
    )
    vevent.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    calendar.add_component(vevent)
    year = meeting.starts_at.year
    calendar.add_missing_timezones(first_date=date(year, 1, 1), last_date=date(year + 1, 1, 1))
    return calendar.to_ical()
