"""The waiting list: free seats are offered in order, offers and guest holds lapse."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import EventPage, Registration
from ..selectors import registration_window_state, seats_taken
from ._common import RegistrationError, Status, _lock_event, _lock_registration, _notify, _now


def offer_window(*, event: EventPage, now: datetime | None = None) -> timedelta:
    now = _now(now)
    near = event.starts_at and event.starts_at - now <= timedelta(
        days=settings.EVENTS_OFFER_NEAR_DAYS
    )
    hours = settings.EVENTS_OFFER_HOURS_NEAR if near else settings.EVENTS_OFFER_HOURS
    window = timedelta(hours=hours)
    if event.starts_at:
        window = min(window, max(event.starts_at - now, timedelta(0)))
    return window


def _offer_free_seats(event: EventPage, now: datetime) -> list[Registration]:
    """Offer free seats to the waiting list in order. Caller holds the event lock."""
    if registration_window_state(event=event, now=now) in ("cancelled", "past"):
        return []
    free = event.capacity - seats_taken(event=event)
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.filter(
            event_id=event.pk, status=Status.WAITLISTED, email_confirmed_at__isnull=False
        ).order_by("waitlisted_at", "pk")[:free]
    )
    window = offer_window(event=event, now=now)
    for registration in waiting:
        registration.status = Status.OFFERED
        registration.offer_expires_at = now + window
        registration.save(update_fields=["status", "offer_expires_at"])
        _notify(registration, "offer")
    return waiting


def offer_accept(*, registration: Registration, now: datetime | None = None) -> Registration:
    now = _now(now)
    with transaction.atomic():
        event, registration = _lock_registration(registration.pk)
        if registration.status == Status.CONFIRMED:
            return registration
        expires_at = registration.offer_expires_at
        if registration.status != Status.OFFERED or expires_at is None or expires_at < now:
            raise RegistrationError(
                _(
                    "This offer has expired; the seat has gone to the next person on the waiting list."
                )
            )
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.offer_expires_at = None
        registration.save()
        _notify(registration, "confirmed")
    return registration


def offer_decline(*, registration: Registration, now: datetime | None = None) -> Registration:
    now = _now(now)
    with transaction.atomic():
        event, registration = _lock_registration(registration.pk)
        if registration.status != Status.OFFERED:
            raise RegistrationError(_("There is no open offer for this registration."))
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save()
        _offer_free_seats(event, now)
    return registration


def holds_and_offers_expire(*, now: datetime | None = None) -> int:
    """Beat: unconfirmed guest holds and unanswered offers lapse; seats pass on."""
    now = _now(now)
    lapsed = (
        Q(status=Status.HELD, hold_expires_at__lt=now)
        | Q(status=Status.WAITLISTED, email_confirmed_at__isnull=True, hold_expires_at__lt=now)
        | Q(status=Status.OFFERED, offer_expires_at__lt=now)
    )
    event_ids = set(Registration.objects.filter(lapsed).values_list("event_id", flat=True))
    count = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = _lock_event(event_id)
            for registration in Registration.objects.filter(lapsed, event_id=event_id):
                was_offer = registration.status == Status.OFFERED
                registration.status = Status.EXPIRED
                registration.save(update_fields=["status"])
                if was_offer:
                    _notify(registration, "offer_expired")
                count += 1
            _offer_free_seats(event, now)
    return count
