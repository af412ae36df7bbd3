"""Business rules of the newsletter: subscriptions, consent, issues and sending."""

import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import logging
import re
import secrets
import smtplib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.models import Theme
from portal import locks
from portal.mail import absolute_url, normalise_email

from .models import (
    CONSENT_TEXT_VERSION,
    ConsentEvent,
    Delivery,
    Frequency,
    NewsletterIndexPage,
    NewsletterIssuePage,
    Sending,
    Subscriber,
    SubscriberStatus,
    sent_issues,
)

logger = logging.getLogger(__name__)

SUBSCRIBER_SALT = "newsletter.subscriber"
CONFIRM_SALT = "newsletter.confirm"
STOPPED = {SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}


# --- Links and hashes ---------------------------------------------------------


def subscriber_token(*, subscriber: Subscriber) -> str:
    """Opaque, signed, long-lived token for the preference centre and unsubscribe links."""
    return signing.Signer(salt=SUBSCRIBER_SALT).sign(subscriber.public_id.hex)


def subscriber_from_token(*, token: str) -> Subscriber | None:
    try:
        public_id = signing.Signer(salt=SUBSCRIBER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(public_id=public_id).first()


def confirmation_token(*, subscriber: Subscriber) -> str:
    value = f"{subscriber.public_id.hex}.{subscriber.confirmation_nonce}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(value)


def subscriber_from_confirmation_token(*, token: str) -> Subscriber | None:
    """The pending subscriber the (unexpired, latest) confirmation link belongs to."""
    max_age = dt.timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    public_id, _sep, nonce = value.partition(".")
    subscriber = Subscriber.objects.filter(public_id=public_id).first()
    if subscriber is None or not nonce or subscriber.confirmation_nonce != nonce:
        return None
    return subscriber


def preferences_url(*, subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:preferences", args=[subscriber_token(subscriber=subscriber)])
    )


def unsubscribe_url(*, subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:unsubscribe", args=[subscriber_token(subscriber=subscriber)])
    )


@functools.lru_cache(maxsize=16)
def _link_patterns(base: str, urlconf) -> tuple[str, str]:
    marker = "__token__"
    return (
        base + reverse("newsletter:preferences", args=[marker]),
        base + reverse("newsletter:unsubscribe", args=[marker]),
    )


def subscriber_links(*, subscriber: Subscriber) -> dict:
    """Both links of one subscriber with one signature (the hot path of a sending):
    the same URLs as ``preferences_url`` and ``unsubscribe_url``."""
    token = subscriber_token(subscriber=subscriber)
    prefs, unsub = _link_patterns(absolute_url(""), get_urlconf())
    return {
        "preferences_url": prefs.replace("__token__", token),
        "unsubscribe_url": unsub.replace("__token__", token),
    }


def ip_hash(ip: str | None) -> str:
    """Keyed hash of an IP address: comparable within the ledger, not reversible."""
    if not ip:
        return ""
    key = settings.NEWSLETTER_IP_HASH_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def _record(subscriber: Subscriber, kind: str, channel: str, *, ip=None, **details):
    ConsentEvent.objects.create(
        subscriber=subscriber,
        kind=kind,
        channel=channel,
        consent_text_version=details.pop("consent_text_version", ""),
        ip_hash=ip_hash(ip),
        details=details,
    )


# --- Subscriptions ------------------------------------------------------------


@transaction.atomic
def subscriber_request(
    *,
    email: str,
    name: str = "",
    organisation: str = "",
    themes=(),
    frequency: str = Frequency.EVERY_ISSUE,
    ip: str | None = None,
    consent_text_version: str = CONSENT_TEXT_VERSION,
) -> Subscriber:
    """A sign-up: creates or renews a pending request and mails the confirmation link.

    The response to the visitor is the same whether or not the address is known,
    so the form does not reveal who subscribes.
    """
    email = normalise_email(email)
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
    if subscriber.is_active:
        _send_mail(
            subscriber,
            subject=_("You are already subscribed"),
            template="newsletter/email/already_subscribed",
            context={"preferences_url": preferences_url(subscriber=subscriber)},
        )
        return subscriber
    subscriber.name = name.strip()
    subscriber.organisation = organisation.strip()
    subscriber.frequency = frequency
    subscriber.status = SubscriberStatus.PENDING
    subscriber.confirmation_nonce = secrets.token_hex(8)
    subscriber.requested_at = timezone.now()
    subscriber.save()
    subscriber.themes.set(themes)
    _record(
        subscriber,
        ConsentEvent.Kind.REQUEST,
        ConsentEvent.Channel.FORM,
        ip=ip,
        consent_text_version=consent_text_version,
        frequency=frequency,
        themes=sorted(t.slug for t in subscriber.themes.all()),
    )
    token = confirmation_token(subscriber=subscriber)
    _send_mail(
        subscriber,
        subject=_("Please confirm your subscription to the ZVH newsletter"),
        template="newsletter/email/confirm",
        context={"confirm_url": absolute_url(reverse("newsletter:confirm", args=[token]))},
    )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber, ip: str | None = None) -> bool:
    """Confirms a pending request; returns False when there was nothing to confirm."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status != SubscriberStatus.PENDING:
        return False
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.soft_bounces = 0
    subscriber.confirmation_nonce = ""
    subscriber.save()
    _record(subscriber, ConsentEvent.Kind.CONFIRM, ConsentEvent.Channel.LINK, ip=ip)
    from .tasks import send_welcome

    send_welcome.delay_on_commit(subscriber.pk)
    return True


@transaction.atomic
def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    themes,
    frequency: str,
    name: str = "",
    organisation: str = "",
) -> None:
    subscriber.name = name.strip()
    subscriber.organisation = organisation.strip()
    subscriber.frequency = frequency
    subscriber.save()
    subscriber.themes.set(themes)
    _record(
        subscriber,
        ConsentEvent.Kind.PREFERENCES,
        ConsentEvent.Channel.LINK,
        frequency=frequency,
        themes=sorted(t.slug for t in subscriber.themes.all()),
    )


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, channel: str, **details) -> bool:
    """Stops all mail at once. Returns False when the address was not receiving mail."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status not in {SubscriberStatus.ACTIVE, SubscriberStatus.PENDING}:
        return False
    match channel:
        case ConsentEvent.Channel.BOUNCE:
            subscriber.status = SubscriberStatus.BOUNCED
        case ConsentEvent.Channel.COMPLAINT:
            subscriber.status = SubscriberStatus.COMPLAINED
        case _:
            subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.confirmation_nonce = ""
    subscriber.save()
    _record(subscriber, ConsentEvent.Kind.UNSUBSCRIBE, channel, **details)
    # Anything still queued (or claimed by a chain but not yet in flight) is not sent.
    Delivery.objects.filter(
        subscriber=subscriber, state__in=[Delivery.State.PENDING, Delivery.State.CLAIMED]
    ).update(state=Delivery.State.SKIPPED, error="unsubscribed")
    return True


@transaction.atomic
def subscriber_record_soft_bounce(*, subscriber: Subscriber, reason: str = "") -> None:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.soft_bounces += 1
    subscriber.save(update_fields=["soft_bounces"])
    if subscriber.soft_bounces >= settings.NEWSLETTER_SOFT_BOUNCE_LIMIT:
        subscriber_unsubscribe(
            subscriber=subscriber,
            channel=ConsentEvent.Channel.BOUNCE,
            reason="soft bounces",
            count=subscriber.soft_bounces,
        )


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything stored about one subscriber, with the consent ledger as proof."""
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "organisation": subscriber.organisation,
        "themes": [t.name for t in subscriber.themes.all()],
        "frequency": subscriber.frequency,
        "status": subscriber.status,
        "requested_at": subscriber.requested_at and subscriber.requested_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
        "unsubscribed_at": subscriber.unsubscribed_at and subscriber.unsubscribed_at.isoformat(),
        "consent": [event.as_proof() for event in subscriber.consent.all()],
        "deliveries": [
            {"issue": d.sending.title, "state": d.state, "sent_at": d.sent_at.isoformat()}
            for d in Delivery.objects.filter(subscriber=subscriber, sent_at__isnull=False)
            .select_related("sending__issue")
            .order_by("sent_at")
        ],
    }


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Erasure on request: the subscriber, their ledger and deliveries go."""
    subscriber.delete()


@transaction.atomic
def subscribers_purge_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Requests not confirmed within NEWSLETTER_UNCONFIRMED_DAYS are removed.

    A former subscriber who asked again and did not confirm goes back to being
    unsubscribed; their earlier ledger stays as the proof it is.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    stale = Subscriber.objects.filter(status=SubscriberStatus.PENDING, requested_at__lt=cutoff)
    stale.filter(confirmed_at__isnull=False).update(
        status=SubscriberStatus.UNSUBSCRIBED, confirmation_nonce=""
    )
    _total, per_model = stale.filter(confirmed_at__isnull=True).delete()
    return per_model.get("newsletter.Subscriber", 0)


# --- Import -------------------------------------------------------------------

IMPORT_COLUMNS = ["email", "name", "organisation", "consent_date", "consent_source"]


@dataclass
class ImportReport:
    imported: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)  # (line, email, reason)


@transaction.atomic
def subscribers_import(*, csv_text: str, source: str) -> ImportReport:
    """Imports only rows with documented consent (a date and where it was given).

    Existing addresses are never changed: someone who unsubscribed stays out.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = [
        c for c in ("email", "consent_date", "consent_source") if c not in (reader.fieldnames or [])
    ]
    if missing:
        report.rejects.append((1, "", _("Missing columns: %s") % ", ".join(missing)))
        return report
    seen = set()
    for line, row in enumerate(reader, start=2):
        email = normalise_email(row.get("email") or "")
        reason = _import_reject_reason(row, email, seen)
        if reason:
            report.rejects.append((line, email, reason))
            continue
        seen.add(email)
        subscriber = Subscriber.objects.create(
            email=email,
            name=(row.get("name") or "").strip()[:150],
            organisation=(row.get("organisation") or "").strip()[:150],
            status=SubscriberStatus.ACTIVE,
            confirmed_at=timezone.now(),
        )
        _record(
            subscriber,
            ConsentEvent.Kind.IMPORT,
            ConsentEvent.Channel.IMPORT,
            source=source,
            consent_date=row["consent_date"].strip(),
            consent_source=row["consent_source"].strip(),
        )
        report.imported += 1
    return report


def _import_reject_reason(row: dict, email: str, seen: set) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return _("Not a valid e-mail address")
    if email in seen:
        return _("Duplicate in this file")
    consent_date = (row.get("consent_date") or "").strip()
    if not consent_date or not (row.get("consent_source") or "").strip():
        return _("No documented consent (date and source are required)")
    try:
        given = dt.date.fromisoformat(consent_date)
    except ValueError:
        return _("Consent date is not a date (YYYY-MM-DD)")
    if given > timezone.localdate():
        return _("Consent date lies in the future")
    if Subscriber.objects.filter(email=email).exists():
        return _("Already known; existing consent and unsubscribes are kept")
    return ""


# --- Mail helpers -------------------------------------------------------------


def _send_mail(subscriber: Subscriber, *, subject: str, template: str, context: dict) -> None:
    context = {"subscriber": subscriber, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[subscriber.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def newsletter_headers(*, subscriber: Subscriber, message_id: str, unsubscribe: str = "") -> dict:
    """RFC 2369/8058 list headers; DKIM must sign both List-Unsubscribe headers."""
    targets = [f"<{unsubscribe or unsubscribe_url(subscriber=subscriber)}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": settings.NEWSLETTER_LIST_ID,
        "Message-ID": message_id,
    }


def issue_skeleton(*, subject: str):
    from .mime import IssueSkeleton

    return IssueSkeleton(
        subject=subject,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        list_id=settings.NEWSLETTER_LIST_ID,
    )


def issue_values(*, subscriber: Subscriber, message_id: str, delivery_token="") -> tuple:
    """(placeholder values, list headers) of one recipient's issue e-mail."""
    from . import rendering

    values = rendering.personalisation(subscriber=subscriber, delivery_token=delivery_token)
    unsubscribe = values["unsubscribe_url"] if subscriber.pk else ""
    headers = newsletter_headers(
        subscriber=subscriber, message_id=message_id, unsubscribe=unsubscribe
    )
    return values, headers


def build_issue_message(
    *,
    html: str,
    text: str,
    subject: str,
    subscriber: Subscriber,
    message_id: str,
    delivery_token="",
    skeleton=None,
    personal: tuple | None = None,
) -> EmailMultiAlternatives:
    """One personalised issue e-mail. A sending passes the ``skeleton`` it built once
    (and ``personal``, the ``issue_values`` it already has)."""
    from . import rendering
    from .mime import IssueEmail

    values, headers = personal or issue_values(
        subscriber=subscriber, message_id=message_id, delivery_token=delivery_token
    )
    return IssueEmail(
        skeleton=skeleton or issue_skeleton(subject=subject),
        to=subscriber.email,
        text=rendering.personalise_text(text, values),
        html=rendering.personalise_html(html, values),
        headers=headers,
    )


# --- Issues -------------------------------------------------------------------


def latest_sent_issue() -> NewsletterIssuePage | None:
    return (
        NewsletterIssuePage.objects.live()
        .filter(sent_at__isnull=False)
        .order_by("-sent_at")
        .first()
    )


def subscriber_send_welcome(*, subscriber_id: int) -> bool:
    """The welcome e-mail: a greeting with the latest issue below it."""
    from . import rendering

    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.ACTIVE).first()
    if subscriber is None:
        return False
    issue = latest_sent_issue()
    if issue:
        sections = rendering.issue_sections(issue)
        key = rendering.theme_key(
            list(subscriber.themes.values_list("pk", flat=True)), rendering.issue_themes(sections)
        )
        rendered = rendering.render_issue(issue, welcome=True, sections=sections, key=key)
    else:
        rendered = rendering.render_welcome()
    message = build_issue_message(
        html=rendered.html,
        text=rendered.text,
        subject=_("Welcome to the ZVH newsletter"),
        subscriber=subscriber,
        message_id=f"<welcome-{secrets.token_hex(8)}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>",
    )
    message.send()
    return True


def issue_send_test(*, issue: NewsletterIssuePage, addresses: list[str]) -> int:
    """Sends the current draft to the given addresses, marked as a test."""
    from . import rendering

    rendered = rendering.render_issue(issue, preview=True)
    connection = get_connection()
    messages = []
    for address in addresses:
        dummy = Subscriber(email=address, name="")
        messages.append(
            build_issue_message(
                html=rendered.html,
                text=rendered.text,
                subject="[TEST] " + issue.email_subject,
                subscriber=dummy,
                message_id=f"<test-{secrets.token_hex(8)}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>",
            )
        )
    return connection.send_messages(messages) or 0


@transaction.atomic
def issue_schedule(*, issue: NewsletterIssuePage, when: dt.datetime) -> Sending:
    """Schedules the live version of an issue; beat starts it when it is due."""
    if not issue.live:
        raise ValidationError(_("Publish the issue before you schedule it."))
    sending, _created = Sending.objects.get_or_create(issue=issue, defaults={"scheduled_for": when})
    if sending.state != Sending.State.SCHEDULED:
        raise ValidationError(_("This issue is already being sent."))
    sending.scheduled_for = when
    sending.save(update_fields=["scheduled_for"])
    if when <= timezone.now():
        from .tasks import start_sending

        start_sending.delay_on_commit(sending.pk)
    return sending


def recipients_for(*, now: dt.datetime | None = None):
    """Active subscribers who get every issue; quarterly-digest subscribers get
    the digest instead (``digests_send``)."""
    return Subscriber.objects.filter(
        status=SubscriberStatus.ACTIVE, frequency=Frequency.EVERY_ISSUE
    )


def recipient_theme_keys(relevant: set[int]) -> dict[int, str]:
    """{subscriber id: theme key} for every recipient of an issue."""
    from . import rendering

    ids = list(recipients_for().values_list("pk", flat=True))
    themes: dict[int, list[int]] = {}
    through = Subscriber.themes.through.objects.filter(subscriber_id__in=recipients_for())
    for subscriber_id, theme_id in through.values_list("subscriber_id", "theme_id"):
        themes.setdefault(subscriber_id, []).append(theme_id)
    return {pk: rendering.theme_key(themes.get(pk), relevant) for pk in ids}


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
    from . import rendering

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


def sending_start(*, sending_id: int) -> int:
    """Renders the issue once, creates one Delivery per recipient and starts the batches.

    Creating deliveries is idempotent (unique per sending and subscriber), so a
    repeated start adds nobody twice.
    """
    from . import rendering

    with transaction.atomic():
        sending = (
            Sending.objects.select_for_update(of=("self",))
            .select_related("issue")
            .get(pk=sending_id)
        )
        if sending.state != Sending.State.SCHEDULED:
            return 0
        issue = sending.issue.specific  # the published version
        sections = rendering.issue_sections(issue)
        keys = recipient_theme_keys(rendering.issue_themes(sections))
        sending.tracking = settings.NEWSLETTER_TRACKING
        variants = {}
        for key in {rendering.ALL, *keys.values()}:
            rendered = rendering.render_issue(issue, sections=sections, key=key)
            html = rendered.html
            if sending.tracking:
                from .tracking import instrument

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
    from .tasks import send_batch

    for _n in range(max(1, settings.NEWSLETTER_SENDING_CHAINS)):
        if on_commit:
            send_batch.delay_on_commit(sending_id)
        else:
            send_batch.delay(sending_id)


def sending_progress(*, sending: Sending) -> dict:
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


# The sending loop. Per message it costs one SQL statement and one SMTP
# transaction; per chunk of up to CLAIM_SIZE messages one claim (with the readers'
# addresses) and one pause check.
CLAIM_SIZE = 100
DELIVERY = Delivery._meta.db_table


@dataclass
class Claimed:
    """One claimed delivery with what is needed to send it."""

    pk: int
    token: object
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


def _mark(*, sent: int | None, next_: int | None, claimed_at, now) -> set[int]:
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


def _hourly_budget() -> int | None:
    """Messages still allowed this hour, or None without an hourly limit.

    Counts what was sent in the last hour and what is claimed or in flight, so
    parallel chains that claim under the advisory lock below never exceed it.
    """
    per_hour = settings.NEWSLETTER_RATE_PER_HOUR
    if not per_hour:
        return None
    since = timezone.now() - dt.timedelta(hours=1)
    used = Delivery.objects.filter(
        Q(state=Delivery.State.SENT, sent_at__gte=since)
        | Q(state__in=[Delivery.State.CLAIMED, Delivery.State.SENDING])
    ).count()
    return max(per_hour - used, 0)


def _claim_within_limits(sending_id: int, size: int) -> tuple[list[Claimed], bool]:
    """Claims the next chunk; (claimed, hourly limit reached)."""
    now = timezone.now()
    with transaction.atomic():
        if not settings.NEWSLETTER_RATE_PER_HOUR:
            return _claim_chunk(sending_id, size, now), False
        locks.advisory_xact_lock(locks.LockKey.NEWSLETTER_HOURLY)
        budget = _hourly_budget()
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


def _send_chunk(smtp, sending: Sending, skeleton, chunk: list[Claimed], interval: float) -> None:
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


def _deliver(smtp, sending: Sending, skeleton, item: Claimed) -> bool:
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
        if data is not None:
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


PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def smtp_send(
    session: smtplib.SMTP, sender: str, recipient: str, data: bytes, *, prepared: bool = False
) -> None:
    """One message on an open SMTP session, as ``smtplib.SMTP.sendmail`` does it.

    Straight to the session because Django's backend and ``sendmail`` parse
    both addresses with the email package for every message: a third of the
    worker's CPU time per message. Addresses that are not plain ASCII take
    the ordinary route. ``prepared``: ``data`` is already in its wire form
    (CRLF line ends, dot-stuffed, ending in CRLF: ``IssueSkeleton.wire``), so
    the DATA is written as it is, without ``SMTP.data``'s regular-expression
    pass over the whole message.
    """
    if not PLAIN_ADDRESS.fullmatch(recipient):
        if prepared:
            raise ValueError("prepared data is only sent to plain ASCII addresses")
        session.sendmail(sender, [sanitize_address(recipient, "utf-8")], data)
        return
    session.ehlo_or_helo_if_needed()
    size = f" SIZE={len(data)}" if session.does_esmtp and session.has_extn("size") else ""
    code, reply = session.docmd("MAIL", f"FROM:<{sender}>{size}")
    if code != 250:
        session._rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = session.docmd("RCPT", f"TO:<{recipient}>")
    if code not in (250, 251):
        session._rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    if prepared:
        code, reply = session.docmd("DATA")
        if code != 354:  # as SMTP.data
            raise smtplib.SMTPDataError(code, reply)
        session.send(data + b".\r\n")
        code, reply = session.getreply()
    else:
        code, reply = session.data(data)
    if code != 250:
        session._rset()
        raise smtplib.SMTPDataError(code, reply)


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
    from .tasks import start_sending

    due = Sending.objects.filter(
        state=Sending.State.SCHEDULED, scheduled_for__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    for pk in due:
        start_sending.delay(pk)
    return len(due)


# --- Editorial helpers --------------------------------------------------------


def upcoming_events_for_issue(
    *, start: dt.date, end: dt.date, theme: Theme | None = None
) -> list[dict]:
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
def issue_create_prefilled(*, index: NewsletterIndexPage, user=None) -> NewsletterIssuePage:
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
    body = [
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


def tracking_events_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes per-subscriber opens and clicks after the retention period; the
    aggregates on deliveries and links stay."""
    from .tracking import tracking_events_purge as purge

    return purge(now=now)


def sending_stats(*, sending: Sending) -> dict:
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

    def rate(n):
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
