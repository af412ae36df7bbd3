"""Sending an issue exactly once per subscriber: who receives it (and their theme
variant), starting a sending and its batch chains, pause and resume, chunk claims
(``SKIP LOCKED`` through portal/locks.py), the one-statement-per-message state
machine, the per-second and hourly rate limits, recovery of stale sendings, and
starting due sendings. The message itself is built in ``messages``.
"""

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal import locks
from portal.mail import absolute_url

from ..models import (
    Delivery,
    Frequency,
    NewsletterIssuePage,
    Sending,
    Subscriber,
    SubscriberStatus,
)
from .messages import PLAIN_ADDRESS, build_issue_message, issue_skeleton, issue_values, smtp_send

if TYPE_CHECKING:
    from ..mime import IssueSkeleton

logger = logging.getLogger(__name__)


def recipients_for(*, now: dt.datetime | None = None) -> QuerySet[Subscriber]:
    """Active subscribers who get every issue; quarterly-digest subscribers get
    the digest instead (``digests_send``)."""
    return Subscriber.objects.filter(
        status=SubscriberStatus.ACTIVE, frequency=Frequency.EVERY_ISSUE
    )


def recipient_theme_keys(relevant: set[int]) -> dict[int, str]:
    """{subscriber id: theme key} for every recipient of an issue."""
    from .. import rendering

    ids = list(recipients_for().values_list("pk", flat=True))
    themes: dict[int, list[int]] = {}
    through = Subscriber.themes.through.objects.filter(subscriber_id__in=recipients_for())
    for subscriber_id, theme_id in through.values_list("subscriber_id", "theme_id"):
        themes.setdefault(subscriber_id, []).append(theme_id)
    return {pk: rendering.theme_key(themes.get(pk), relevant) for pk in ids}


def sending_start(*, sending_id: int) -> int:
    """Renders the issue once, creates one Delivery per recipient and starts the batches.

    Creating deliveries is idempotent (unique per sending and subscriber), so a
    repeated start adds nobody twice.
    """
    from .. import rendering

    with transaction.atomic():
        sending = (
            Sending.objects.select_for_update(of=("self",))
            .select_related("issue")
            .get(pk=sending_id)
        )
        if sending.state != Sending.State.SCHEDULED:
            return 0
        assert sending.issue is not None  # a digest is created already sending
        issue = sending.issue.specific  # the published version
        sections = rendering.issue_sections(issue)
        keys = recipient_theme_keys(rendering.issue_themes(sections))
        sending.tracking = settings.NEWSLETTER_TRACKING
        variants: dict[str, dict[str, str]] = {}
        for key in {rendering.ALL, *keys.values()}:
            rendered = rendering.render_issue(issue, sections=sections, key=key)
            html = rendered.html
            if sending.tracking:
                from ..tracking import instrument

                html = instrument(html, sending=sending, base_url=absolute_url(""))
            variants[key] = {"html": html, "text": rendered.text}
            sending.subject = rendered.subject
        everyone = variants.pop(rendering.ALL)
        sending.html, sending.text, sending.variants = everyone["html"], everyone["text"], variants
        sending.state = Sending.State.SENDING
        sending.started_at = timezone.now()
        sending.save()
        NewsletterIssuePage.objects.filter(pk=issue.pk).update(sent_at=sending.started_at)
        ids = list(keys)
        Delivery.objects.bulk_create(
            [Delivery(sending=sending, subscriber_id=pk, variant=keys[pk]) for pk in ids],
            batch_size=2000,
            ignore_conflicts=True,
        )
        _start_chains(sending.pk, on_commit=True)
    return len(ids)


@transaction.atomic
def sending_pause(*, sending: Sending) -> None:
    Sending.objects.filter(pk=sending.pk, state=Sending.State.SENDING).update(
        state=Sending.State.PAUSED
    )


@transaction.atomic
def sending_resume(*, sending: Sending) -> None:
    if Sending.objects.filter(pk=sending.pk, state=Sending.State.PAUSED).update(
        state=Sending.State.SENDING
    ):
        _start_chains(sending.pk, on_commit=True)


def _start_chains(sending_id: int, *, on_commit: bool = False) -> None:
    """Starts NEWSLETTER_SENDING_CHAINS batch chains; their claims never overlap."""
    from ..tasks import send_batch

    for _n in range(max(1, settings.NEWSLETTER_SENDING_CHAINS)):
        if on_commit:
            send_batch.delay_on_commit(sending_id)
        else:
            send_batch.delay(sending_id)


# The sending loop. Per message it costs one SQL statement and one SMTP
# transaction; per chunk of up to CLAIM_SIZE messages one claim (with the readers'
# addresses) and one pause check.
CLAIM_SIZE = 100
DELIVERY = Delivery._meta.db_table


@dataclass
class Claimed:
    """One claimed delivery with what is needed to send it."""

    pk: int
    token: uuid.UUID
    attempts: int
    variant: str
    subscriber: Subscriber
    claimed_at: dt.datetime


def _claim_chunk(sending_id: int, size: int, claimed_at: dt.datetime) -> list[Claimed]:
    """Claims up to ``size`` pending deliveries in one statement: pending → claimed.

    Runs inside the caller's transaction. The claim skips rows another chain has
    locked (``portal.locks``), which keeps concurrent chains' claims disjoint; it
    commits before any message goes out. A claimed row has not been handed to SMTP
    yet, so putting it back to pending is always safe (see ``sendings_recover_stale``).
    The readers' addresses follow in a second query (SQLite's RETURNING cannot name
    a joined table); the claimed rows are locked, so their readers cannot go away.
    """
    token_field = Delivery._meta.get_field("token")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {DELIVERY} SET state = %s, claimed_at = %s
            WHERE id IN (
                SELECT id FROM {DELIVERY}
                WHERE sending_id = %s AND state = %s
                ORDER BY id LIMIT %s{locks.skip_locked_sql()}
            )
            RETURNING id, token, attempts, variant, subscriber_id
            """,  # noqa: S608 (table names from the models, values as parameters)
            [
                Delivery.State.CLAIMED,
                connection.ops.adapt_datetimefield_value(claimed_at),
                sending_id,
                Delivery.State.PENDING,
                size,
            ],
        )
        rows = cursor.fetchall()
    readers = {
        sid: Subscriber(pk=sid, email=email, name=name, public_id=public_id, status=status)
        for sid, email, name, public_id, status in Subscriber.objects.filter(
            pk__in={row[4] for row in rows}
        ).values_list("pk", "email", "name", "public_id", "status")
    }
    return sorted(
        (
            Claimed(
                pk=pk,
                token=token_field.to_python(token),  # SQLite returns the hex string
                attempts=attempts,
                variant=variant,
                subscriber=readers[sid],
                claimed_at=claimed_at,
            )
            for pk, token, attempts, variant, sid in rows
        ),
        key=lambda c: c.pk,
    )


def _mark(
    *, sent: int | None, next_: int | None, claimed_at: dt.datetime, now: dt.datetime
) -> set[int]:
    """One statement per message: the previous message becomes "sent" and the next
    one "sending" (in flight). Returns the ids it changed.

    "sent" is recorded right after the server's 250, before the next message is
    even built: at most one message per chain is ever in doubt. The next row is
    taken only if it is still claimed by this chunk (same ``claimed_at``): an
    unsubscribe in the meantime (claimed → skipped) or a recovery after a stall
    means it is not sent.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {DELIVERY} SET
                state = CASE WHEN id = %(next)s THEN %(sending)s ELSE %(sent)s END,
                sent_at = CASE WHEN id = %(next)s THEN sent_at ELSE %(now)s END,
                claimed_at = CASE WHEN id = %(next)s THEN %(now)s ELSE claimed_at END,
                attempts = CASE WHEN id = %(next)s THEN attempts + 1 ELSE attempts END
            WHERE (id = %(prev)s AND state = %(sending)s)
               OR (id = %(next)s AND state = %(claimed)s AND claimed_at = %(claimed_at)s)
            RETURNING id
            """,  # noqa: S608
            {
                "prev": sent,
                "next": next_,
                "now": connection.ops.adapt_datetimefield_value(now),
                "claimed_at": connection.ops.adapt_datetimefield_value(claimed_at),
                "sending": Delivery.State.SENDING,
                "sent": Delivery.State.SENT,
                "claimed": Delivery.State.CLAIMED,
            },
        )
        return {row[0] for row in cursor.fetchall()}


def _hourly_budget(per_hour: int) -> int:
    """Messages still allowed this hour under a limit of ``per_hour``.

    Counts what was sent in the last hour and what is claimed or in flight, so
    parallel chains that claim under the advisory lock below never exceed it.
    """
    since = timezone.now() - dt.timedelta(hours=1)
    used = Delivery.objects.filter(
        Q(state=Delivery.State.SENT, sent_at__gte=since)
        | Q(state__in=[Delivery.State.CLAIMED, Delivery.State.SENDING])
    ).count()
    return max(per_hour - used, 0)


def _claim_within_limits(sending_id: int, size: int) -> tuple[list[Claimed], bool]:
    """Claims the next chunk; (claimed, hourly limit reached)."""
    now = timezone.now()
    per_hour = settings.NEWSLETTER_RATE_PER_HOUR
    with transaction.atomic():
        if not per_hour:
            return _claim_chunk(sending_id, size, now), False
        locks.advisory_xact_lock(locks.LockKey.NEWSLETTER_HOURLY)
        budget = _hourly_budget(per_hour)
        if budget <= 0:
            return [], True
        return _claim_chunk(sending_id, min(size, budget), now), False


def _chunk_size(remaining: int) -> int:
    size = min(remaining, CLAIM_SIZE)
    rate = settings.NEWSLETTER_RATE_PER_SECOND
    if rate:
        # A rate-limited chunk must end well before its claim could look stale.
        size = min(size, max(1, int(rate * settings.NEWSLETTER_STALE_SENDING_SECONDS / 4)))
    return size


def sending_send_batch(*, sending_id: int) -> str:
    """Sends up to NEWSLETTER_BATCH_SIZE deliveries at the configured rate.

    Returns "more" (call again), "wait:<seconds>" (hourly limit reached),
    "paused" or "done".
    """
    sending = Sending.objects.filter(pk=sending_id).first()
    if sending is None or sending.state != Sending.State.SENDING:
        return "paused"
    rate = settings.NEWSLETTER_RATE_PER_SECOND
    # Every chain keeps its share of the rate, so all together keep the limit.
    interval = max(1, settings.NEWSLETTER_SENDING_CHAINS) / rate if rate else 0
    skeleton = issue_skeleton(subject=sending.subject)
    remaining = settings.NEWSLETTER_BATCH_SIZE
    smtp = get_connection()
    smtp.open()
    try:
        while remaining > 0:
            # Pause is checked once per chunk: it takes effect within CLAIM_SIZE messages.
            if not Sending.objects.filter(pk=sending_id, state=Sending.State.SENDING).exists():
                return "paused"
            _mark_active(sending_id)
            chunk, limited = _claim_within_limits(sending_id, _chunk_size(remaining))
            if limited:
                _mark_active(sending_id, ahead=60)
                return "wait:60"
            if not chunk:
                break
            remaining -= len(chunk)
            _send_chunk(smtp, sending, skeleton, chunk, interval)
    finally:
        smtp.close()
    return "more" if remaining <= 0 else _finish_if_done(sending_id)


def _send_chunk(
    smtp: BaseEmailBackend,
    sending: Sending,
    skeleton: "IssueSkeleton",
    chunk: list[Claimed],
    interval: float,
) -> None:
    for item in chunk:
        if not item.subscriber.is_active:  # stopped after the deliveries were created
            Delivery.objects.filter(pk=item.pk, state=Delivery.State.CLAIMED).update(
                state=Delivery.State.SKIPPED, error=item.subscriber.status
            )
    claimed_at = chunk[0].claimed_at
    sent = None
    for item in chunk:
        if not item.subscriber.is_active:
            continue
        started = time.monotonic()
        taken = _mark(sent=sent, next_=item.pk, claimed_at=claimed_at, now=timezone.now())
        sent = None
        if item.pk not in taken:
            continue  # unsubscribed or recovered meanwhile: not ours to send
        if _deliver(smtp, sending, skeleton, item):
            sent = item.pk
        pause = interval - (time.monotonic() - started)
        if pause > 0:
            time.sleep(pause)
    if sent is not None:
        _mark(sent=sent, next_=None, claimed_at=claimed_at, now=timezone.now())


def _mark_active(sending_id: int, ahead: int = 0) -> None:
    Sending.objects.filter(pk=sending_id).update(
        active_at=timezone.now() + dt.timedelta(seconds=ahead)
    )


def _deliver(
    smtp: BaseEmailBackend, sending: Sending, skeleton: "IssueSkeleton", item: Claimed
) -> bool:
    """Hands one message to SMTP (or the configured provider); True when accepted.

    On an SMTP connection to a plain ASCII address the message is joined from
    the variant compiled once per batch (``IssueSkeleton.wire``: already
    encoded, CRLF and dot-stuffed) and written to the session as it is; other
    addresses, values the compiled form cannot take, and Anymail backends go
    the generic way.
    """
    # The late step of theme personalisation: pick the reader's pre-rendered variant.
    key = item.variant if sending.variants.get(item.variant) else ""
    variant = sending.variants[key] if key else {"html": sending.html, "text": sending.text}
    subscriber = item.subscriber
    message_id = f"<{item.token}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>"
    values, headers = issue_values(
        subscriber=subscriber, message_id=message_id, delivery_token=item.token.hex
    )
    session = smtp.connection if isinstance(smtp, SMTPBackend) else None
    try:
        data = None
        if session is not None and PLAIN_ADDRESS.fullmatch(subscriber.email):
            data = skeleton.wire(
                skeleton.body(key, text=variant["text"], html=variant["html"]),
                to=subscriber.email,
                message_id=message_id,
                list_unsubscribe=headers["List-Unsubscribe"],
                values=values,
            )
        if session is not None and data is not None:
            smtp_send(session, skeleton.envelope_from, subscriber.email, data, prepared=True)
        else:
            message = build_issue_message(
                html=variant["html"],
                text=variant["text"],
                subject=sending.subject,
                subscriber=subscriber,
                message_id=message_id,
                skeleton=skeleton,
                personal=(values, headers),
            )
            if session is not None:
                smtp_send(
                    session,
                    skeleton.envelope_from,
                    subscriber.email,
                    message.message().as_bytes(linesep="\r\n"),
                )
            else:
                message.connection = smtp
                message.send()
    except Exception as exc:  # SMTP and provider errors vary; the row records it.
        logger.warning("newsletter delivery %s failed: %s", item.pk, type(exc).__name__)
        # Back to pending so a later batch retries it, up to three attempts.
        state = Delivery.State.FAILED if item.attempts + 1 >= 3 else Delivery.State.PENDING
        Delivery.objects.filter(pk=item.pk).update(state=state, error=type(exc).__name__)
        smtp.close()
        smtp.open()
        return False
    return True


def _finish_if_done(sending_id: int) -> str:
    with transaction.atomic():
        busy = Delivery.objects.filter(
            sending_id=sending_id,
            state__in=[Delivery.State.PENDING, Delivery.State.CLAIMED, Delivery.State.SENDING],
        ).exists()
        if busy:
            # Claimed or sending rows belong to another (or a dead) chain; recovery handles them.
            return "more" if _has_pending(sending_id) else "waiting"
        Sending.objects.filter(pk=sending_id, state=Sending.State.SENDING).update(
            state=Sending.State.DONE, finished_at=timezone.now()
        )
    return "done"


def _has_pending(sending_id: int) -> bool:
    return Delivery.objects.filter(sending_id=sending_id, state=Delivery.State.PENDING).exists()


def sendings_recover_stale(*, now: dt.datetime | None = None) -> int:
    """Decides about deliveries left behind by a chain that died.

    A row is stale when it was claimed NEWSLETTER_STALE_SENDING_SECONDS ago.
    Claimed rows were never handed to SMTP and simply go back to pending. For
    the (at most one per chain) row left "sending", policy "retry" (default)
    puts it back to pending: the subscriber still gets the issue, at the risk
    of a duplicate if the worker died in the instant between the SMTP server's
    "250 OK" and our commit. Policy "fail" marks it failed for staff to look
    at: never a duplicate, maybe a missing issue. Either way, sendings with
    pending work are restarted.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.NEWSLETTER_STALE_SENDING_SECONDS)
    stale = Delivery.objects.filter(
        state__in=[Delivery.State.CLAIMED, Delivery.State.SENDING], claimed_at__lt=cutoff
    )
    recovered = set(stale.values_list("sending_id", flat=True))
    stale.filter(state=Delivery.State.CLAIMED).update(state=Delivery.State.PENDING)
    in_doubt = stale.filter(state=Delivery.State.SENDING)
    if settings.NEWSLETTER_STALE_SENDING_POLICY == "fail":
        count = in_doubt.update(state=Delivery.State.FAILED, error="worker died while sending")
    else:
        count = in_doubt.update(state=Delivery.State.PENDING)

    # Only sendings whose batch chain shows no sign of life get new chains, so
    # this beat task does not multiply chains that are alive.
    # Sendings with rows just put back always get them, since their chains may
    # already have ended ("waiting" for exactly these rows).
    quiet = Sending.objects.filter(state=Sending.State.SENDING).filter(
        Q(active_at__isnull=True) | Q(active_at__lt=cutoff) | Q(pk__in=recovered)
    )
    for sending_id in quiet.values_list("pk", flat=True):
        if _has_pending(sending_id):
            _start_chains(sending_id)
        else:
            _finish_if_done(sending_id)
    return count


def sendings_start_due(*, now: dt.datetime | None = None) -> int:
    from ..tasks import start_sending

    due = Sending.objects.filter(
        state=Sending.State.SCHEDULED, scheduled_for__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    for pk in due:
        start_sending.delay(pk)
    return len(due)
