"""A new issue draft, pre-filled with what was published since the last one.

The reads it builds on (upcoming events for an events block, the latest sent issue)
are selectors (newsletter/selectors.py).
"""

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    NewsletterIndexPage,
    NewsletterIssuePage,
)
from ..selectors import latest_sent_issue

if TYPE_CHECKING:
    pass

# --- Editorial helpers --------------------------------------------------------


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
