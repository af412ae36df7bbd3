"""What editors compose an issue from: the upcoming events for an events block, the
latest sent issue, and a new draft pre-filled with what was published since.

A leaf: it imports no other part of the services (newsletter/rendering.py uses it).
"""

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.mail import absolute_url

from ..models import (
    NewsletterIndexPage,
    NewsletterIssuePage,
)

if TYPE_CHECKING:
    from knowledge.models import Theme

# --- Editorial helpers --------------------------------------------------------


def upcoming_events_for_issue(
    *, start: dt.date, end: dt.date, theme: "Theme | None" = None
) -> list[dict[str, Any]]:
    """Upcoming events between two dates (optionally of one theme) for an issue's
    events block: dicts with title, summary, date, url, image_url."""
    from events.selectors import upcoming_events

    tz = timezone.get_current_timezone()
    events = upcoming_events(
        start=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(end, dt.time.min, tzinfo=tz),
        theme=theme,
    )
    return [
        {
            "title": event.title,
            "summary": event.introduction,
            "date": timezone.localtime(event.starts_at),
            "url": absolute_url(event.url or "/"),
            "image_url": "",
            "themes": sorted(t.pk for t in event.themes.all()),
        }
        for event in events.prefetch_related("themes")[:10]
    ]


@transaction.atomic
def issue_create_prefilled(
    *, index: NewsletterIndexPage, user: User | None = None
) -> NewsletterIssuePage:
    """A new draft issue with the pages published since the last issue was sent."""
    from wagtail.models import Page

    from portal.models import HomePage, SectionPage

    last = latest_sent_issue()
    since = last.sent_at if last else timezone.now() - dt.timedelta(days=90)
    new_pages = (
        Page.objects.live()
        .public()
        .filter(first_published_at__gt=since)
        .not_type(NewsletterIssuePage, NewsletterIndexPage, HomePage, SectionPage)
        .order_by("-first_published_at")[:12]
    )
    number = NewsletterIssuePage.objects.child_of(index).count() + 1
    title = _("Newsletter %(date)s") % {"date": timezone.localdate().strftime("%d-%m-%Y")}
    body: list[dict[str, Any]] = [
        {"type": "intro", "value": {"heading": "", "text": ""}},
    ]
    if new_pages:
        body.append(
            {
                "type": "featured",
                "value": {"heading": _("New on the portal"), "pages": [p.pk for p in new_pages]},
            }
        )
    body.append({"type": "events", "value": {"heading": _("Coming up"), "days_ahead": 90}})
    issue = NewsletterIssuePage(
        title=title, slug=f"nieuwsbrief-{number}-{secrets.token_hex(2)}", body=body, live=False
    )
    index.add_child(instance=issue)
    issue.save_revision(user=user)
    return issue


def latest_sent_issue() -> NewsletterIssuePage | None:
    issue: NewsletterIssuePage | None = (
        NewsletterIssuePage.objects.live()
        .filter(sent_at__isnull=False)
        .order_by("-sent_at")
        .first()
    )
    return issue
