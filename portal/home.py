"""What the home page lists: read from the apps' selectors, never their models."""

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from events import selectors as events_selectors
from knowledge import selectors as knowledge_selectors

if TYPE_CHECKING:
    from .models import HomePage


def home_lists(*, home: "HomePage") -> dict[str, Any]:
    """Upcoming trainings and meetings (public ones, soonest first; partners-only ones
    too: anyone may read them, only partners may register), the newest articles, the
    theme pages, and where the newsletter and the partners' login live."""
    events = (
        events_selectors.upcoming_events(start=timezone.now())
        .prefetch_related("themes")
        .specific()[: home.events_count]
    )
    articles = knowledge_selectors.newest_articles().prefetch_related("themes")[
        : home.articles_count
    ]
    themes = knowledge_selectors.theme_pages().select_related("theme") if home.show_themes else []
    agenda = events_selectors.agenda_page()
    knowledge_index = knowledge_selectors.knowledge_index()
    return {
        "upcoming_events": list(events),
        "newest_articles": list(articles),
        "theme_pages": list(themes),
        "agenda_url": agenda.url if agenda else "",
        "knowledge_url": knowledge_index.url if knowledge_index else "",
        "newsletter_url": reverse("newsletter:subscribe"),
        "partners_url": reverse("casework:home"),
        "login_url": reverse("account_login") + "?next=" + reverse("casework:home"),
    }
