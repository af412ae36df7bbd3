"""Events are found by the site search: kind "evenement", their themes, their date."""

from django.utils import timezone

import pytest

from knowledge.models import Theme
from search.services import search_query

from .factories import create_agenda, create_event

pytestmark = pytest.mark.django_db


def test_a_published_event_is_found_with_its_kind_theme_and_first_session_date(
    home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="jeugd-hic")
    with django_capture_on_commit_callbacks(execute=True):
        event = create_event(
            create_agenda(home), days=40, title="Netwerkbijeenkomst zwerfjongeren", themes=[theme]
        )

    results = search_query(text="zwerfjongeren")

    hit = next(h for h in results.hits if h.page_id == event.pk)
    assert hit.title == "Netwerkbijeenkomst zwerfjongeren"
    assert hit.date == timezone.localdate(event.starts_at)  # not the day it was published
    assert {f.value: f.count for f in results.facets["kind"]}["evenement"] == 1
    assert {f.value: f.count for f in results.facets["theme"]}["jeugd-hic"] == 1


def test_an_unpublished_event_leaves_the_results(home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = create_event(create_agenda(home), title="Training zwerfjongeren")
    with django_capture_on_commit_callbacks(execute=True):
        event.unpublish()

    assert search_query(text="zwerfjongeren").total == 0
