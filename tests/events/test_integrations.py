"""Other apps show upcoming events: theme pages and the newsletter's events block."""

import datetime as dt

from django.utils import timezone

import pytest

from knowledge.models import Theme, ThemePage
from newsletter.services import upcoming_events_for_issue
from tests.events.factories import create_agenda, create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def radicalisering(home):
    return Theme.objects.get(slug="radicalisering")


def test_a_theme_page_lists_the_upcoming_events_of_its_theme(client, home, radicalisering):
    agenda = create_agenda(home)
    upcoming = create_event(
        agenda, title="Weegtafeltraining voor nieuwe leden", themes=[radicalisering]
    )
    other_theme = create_event(
        agenda,
        title="Netwerkbijeenkomst mensenhandel",
        themes=[Theme.objects.get(slug="mensenhandel")],
    )
    past = create_event(agenda, days=-30, title="Terugblik weegtafel", themes=[radicalisering])

    html = client.get(ThemePage.objects.get(theme=radicalisering).url).content.decode()

    assert "Komende trainingen en bijeenkomsten" in html
    assert upcoming.title in html
    assert other_theme.title not in html
    assert past.title not in html


def test_the_newsletter_events_block_gets_upcoming_events_in_its_window(home, radicalisering):
    agenda = create_agenda(home)
    soon = create_event(agenda, days=5, title="Intervisie procesregie", themes=[radicalisering])
    create_event(agenda, days=200, title="Te ver weg voor dit nummer", themes=[radicalisering])
    cancelled = create_event(agenda, days=6, title="Afgelaste training", themes=[radicalisering])
    cancelled.is_cancelled = True
    cancelled.save(update_fields=["is_cancelled"])

    today = timezone.localdate()
    events = upcoming_events_for_issue(
        start=today, end=today + dt.timedelta(days=90), theme=radicalisering
    )

    titles = [event["title"] for event in events]
    assert soon.title in titles
    assert "Te ver weg voor dit nummer" not in titles
    assert cancelled.title not in titles
    assert all(event["url"].startswith("http") for event in events)
