"""Reads of the newsletter that encode a rule: what an issue's events block shows, the
latest sent issue, and for staff the live progress of a sending and its statistics
(deliveries, bounces, complaints, unsubscribes, opens and clicks; the open rate as the
annual report defines it). Selectors never write and never import the services.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone

from portal.mail import absolute_url

from .models import ConsentEvent, Delivery, NewsletterIssuePage, Sending

if TYPE_CHECKING:
    from knowledge.models import Theme


def sending_progress(*, sending: Sending) -> dict[str, Any]:
    counts = dict(
        Delivery.objects.filter(sending=sending)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    total = sum(counts.values())
    done = counts.get("sent", 0) + counts.get("skipped", 0) + counts.get("failed", 0)
    return {
        "total": total,
        "counts": counts,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
    }


def sending_stats(*, sending: Sending) -> dict[str, Any]:
    """Per-issue statistics, clicks first. Open rate = unique opens / delivered, as
    the annual report defines it; opens are split into likely human and machine."""
    deliveries = Delivery.objects.filter(sending=sending)
    recipients = deliveries.exclude(state=Delivery.State.SKIPPED).count()
    sent = deliveries.filter(state=Delivery.State.SENT)
    since = sending.started_at or sending.created_at
    recipient_ids = deliveries.values("subscriber_id")
    after = ConsentEvent.objects.filter(
        subscriber_id__in=recipient_ids, kind=ConsentEvent.Kind.UNSUBSCRIBE, at__gte=since
    )
    bounces = after.filter(channel=ConsentEvent.Channel.BOUNCE).count()
    complaints = after.filter(channel=ConsentEvent.Channel.COMPLAINT).count()
    unsubscribes = after.exclude(
        channel__in=[ConsentEvent.Channel.BOUNCE, ConsentEvent.Channel.COMPLAINT]
    ).count()
    delivered = max(sent.count() - bounces, 0)
    opened = sent.filter(opened_at__isnull=False)
    human = opened.filter(opened_by_human=True).count()
    unique_opens = opened.count()
    clickers = sent.filter(clicked_at__isnull=False).count()

    def rate(n: int) -> float:
        return round(100 * n / delivered, 1) if delivered else 0.0

    return {
        "tracking": sending.tracking,
        "recipients": recipients,
        "delivered": delivered,
        "bounces": bounces,
        "complaints": complaints,
        "unsubscribes": unsubscribes,
        "unique_clickers": clickers,
        "click_rate": rate(clickers),
        "unique_opens": unique_opens,
        "opens_human": human,
        "opens_machine_only": unique_opens - human,
        "open_rate": rate(unique_opens),
        "human_open_rate": rate(human),
        "links": list(sending.links.order_by("-unique_clicks", "url")),
    }


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


def latest_sent_issue() -> NewsletterIssuePage | None:
    issue: NewsletterIssuePage | None = (
        NewsletterIssuePage.objects.live()
        .filter(sent_at__isnull=False)
        .order_by("-sent_at")
        .first()
    )
    return issue
