"""The event page: the date, time and place come before the registration form, at every
width; the demo's trainings fall on working days."""

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from events.demo import working_day
from events.models import EventSession

from .factories import STANDARD_QUESTIONS, create_event

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EVENTS_CSS = Path(__file__).resolve().parents[2] / "events" / "static" / "events" / "events.css"


def test_date_time_and_place_come_before_the_registration_form(client, agenda):
    event = create_event(agenda, questions=STANDARD_QUESTIONS, title="Training volgorde")
    session = event.sessions.get()

    html = client.get(event.url).content.decode()

    form = html.index('<form class="form" method="post" action="/agenda/aanmelden/')
    when = html.index(session.starts_at.astimezone(AMSTERDAM).strftime("%Y"))
    place = html.index(event.address)
    assert when < form
    assert place < form
    assert html.index('<aside class="event-facts"') < html.index('<div class="event-main">')


def test_on_a_narrow_screen_the_facts_stay_above_the_body_and_the_form():
    css = EVENTS_CSS.read_text(encoding="utf-8")
    narrow = css.split("@media (max-width: 50rem)", 1)[1].split("}", 2)[0]

    assert 'grid-template-areas: "facts" "main"' in narrow
    assert ".event-facts { grid-area: facts; }" in css
    assert ".event-main { grid-area: main; }" in css


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 12, 7), date(2026, 12, 7)),  # Monday
        (date(2026, 12, 11), date(2026, 12, 11)),  # Friday
        (date(2026, 12, 12), date(2026, 12, 14)),  # Saturday: the Monday after
        (date(2026, 12, 13), date(2026, 12, 14)),  # Sunday: the Monday after
    ],
)
def test_a_demo_date_on_a_weekend_moves_to_the_monday_after(day, expected):
    assert working_day(day) == expected


def test_every_demo_session_falls_on_a_working_day(home):
    sessions = EventSession.objects.select_related("page")

    assert sessions.exists()
    weekend = [
        (session.page.title, session.starts_at.astimezone(AMSTERDAM).strftime("%A %d %B"))
        for session in sessions
        if session.starts_at.astimezone(AMSTERDAM).weekday() >= 5
    ]
    assert weekend == []
