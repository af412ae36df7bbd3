"""Subscriptions: sign-up with double opt-in, confirmation, preferences,
unsubscribes (bounces and complaints included), export and erasure, the purge of
unconfirmed requests, the CSV import, and the append-only consent ledger they all
write to.
"""

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.mail import absolute_url, normalise_email, send_transactional

from ..models import (
    CONSENT_TEXT_VERSION,
    ConsentEvent,
    Delivery,
    Frequency,
    Subscriber,
    SubscriberStatus,
)
from .links import confirmation_token, ip_hash, preferences_url

if TYPE_CHECKING:
    from knowledge.models import Theme

STOPPED = {SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}


def _record(
    subscriber: Subscriber, kind: str, channel: str, *, ip: str | None = None, **details: Any
) -> None:
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
    themes: Iterable["Theme"] = (),
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
    from ..tasks import send_welcome

    send_welcome.delay_on_commit(subscriber.pk)
    return True


@transaction.atomic
def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    themes: Iterable["Theme"],
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
def subscriber_unsubscribe(*, subscriber: Subscriber, channel: str, **details: Any) -> bool:
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


def subscriber_export(*, subscriber: Subscriber) -> dict[str, Any]:
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
            {
                "issue": d.sending.title,
                "state": d.state,
                "sent_at": d.sent_at and d.sent_at.isoformat(),
            }
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
    """Requests not confirmed within the ``newsletter_unconfirmed`` retention term are removed.

    A former subscriber who asked again and did not confirm goes back to being
    unsubscribed; their earlier ledger stays as the proof it is.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(
        days=settings.RETENTION_DAYS["newsletter_unconfirmed"]
    )
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
    seen: set[str] = set()
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


def _import_reject_reason(row: Mapping[str, str | None], email: str, seen: set[str]) -> str:
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


def _send_mail(
    subscriber: Subscriber, *, subject: str, template: str, context: dict[str, object]
) -> None:
    context = {"subscriber": subscriber, **context}
    send_transactional(
        to=[subscriber.email],
        subject=subject,
        text=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
    )
