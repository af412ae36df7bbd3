"""The quarterly digest: quarters, the catch-up window, and sending each quarterly
subscriber one digest per quarter through the same batch chains as an issue.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal import locks

from ..models import (
    Delivery,
    Frequency,
    Sending,
    Subscriber,
    SubscriberStatus,
    sent_issues,
)
from .sending import _start_chains

# --- Quarterly digest ---------------------------------------------------------

# The digest goes out in the first days of a quarter; a beat task that was down
# on the first day catches up within this window, never later.
DIGEST_WINDOW_DAYS = 7


def quarter_start(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def quarter_label(start: dt.datetime) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _previous_quarter_start(start: dt.datetime) -> dt.datetime:
    return quarter_start(start - dt.timedelta(days=1))


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Sends this quarter's digest to every quarterly subscriber who has not had it.

    Each digest is made of the issues sent since that subscriber's last digest
    (the previous quarter for a first digest), up to the start of this quarter.
    Subscribers with the same period share one rendering and one Sending. A
    subscriber gets at most one digest per quarter: the deliveries carry the
    quarter under a unique constraint, and runs are serialised by an advisory
    lock, so a repeated run sends nobody a second digest. Returns the number of
    digests queued.
    """
    from .. import rendering

    now = now or timezone.now()
    start = quarter_start(now)
    if now - start > dt.timedelta(days=DIGEST_WINDOW_DAYS):
        return 0
    quarter = quarter_label(start)
    queued = 0
    with transaction.atomic():
        locks.advisory_xact_lock(locks.LockKey.NEWSLETTER_DIGEST)
        had_digest = Delivery.objects.filter(digest_quarter=quarter).values("subscriber_id")
        readers = Subscriber.objects.filter(
            status=SubscriberStatus.ACTIVE,
            frequency=Frequency.QUARTERLY,
            confirmed_at__lt=start,
        ).exclude(pk__in=had_digest)
        last_digest = dict(
            Delivery.objects.filter(
                subscriber__in=readers, state=Delivery.State.SENT, sending__digest_quarter__gt=""
            )
            .values_list("subscriber_id")
            .annotate(until=Max("sending__covers_until"))
        )
        groups: dict[dt.datetime, list[int]] = {}
        for pk in readers.values_list("pk", flat=True):
            since = last_digest.get(pk) or _previous_quarter_start(start)
            groups.setdefault(since, []).append(pk)
        for since, ids in groups.items():
            issues = list(
                sent_issues().filter(sent_at__gt=since, sent_at__lte=start).order_by("sent_at")
            )
            if not issues:
                continue  # nothing new: their next digest covers a longer period
            rendered = rendering.render_digest(issues, quarter=quarter)
            sending = Sending.objects.create(
                digest_quarter=quarter,
                covers_from=since,
                covers_until=start,
                scheduled_for=now,
                started_at=now,
                state=Sending.State.SENDING,
                subject=rendered.subject,
                html=rendered.html,
                text=rendered.text,
            )
            created = Delivery.objects.bulk_create(
                [Delivery(sending=sending, subscriber_id=pk, digest_quarter=quarter) for pk in ids],
                batch_size=2000,
                ignore_conflicts=True,
            )
            queued += len(created)
            _start_chains(sending.pk, on_commit=True)
    return queued
