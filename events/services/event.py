"""What happens to all registrants of an event at once: the schedule or place changes
(calendars follow), the event is cancelled, staff send a message, the reminder."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from ..models import ACTIVE_STATUSES, EventPage, Registration
from ._common import Status, _lock_event, _notify, _now
from .waiting_list import _offer_free_seats


def event_published(*, event: EventPage, now: datetime | None = None) -> bool:
    """After every publish: raise SEQUENCE and tell registrants when time or place
    changed; offer seats a capacity increase freed. Returns whether the schedule changed.

    A session the editor removed is gone from the database (its attendance rows with
    it), so its UID is taken from ``ical_sessions``, what calendars last received:
    registrants get a METHOD:CANCEL for that session, and the updated invitation for
    the rest only when the remaining sessions or the place changed too."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        fingerprint = locked.schedule_fingerprint()
        snapshot = locked.sessions_snapshot()
        changed = bool(locked.ical_fingerprint) and fingerprint != locked.ical_fingerprint
        current_ids = {session["id"] for session in snapshot}
        removed = [s for s in locked.ical_sessions if s["id"] not in current_ids]
        if fingerprint != locked.ical_fingerprint or snapshot != locked.ical_sessions:
            EventPage.objects.filter(pk=locked.pk).update(
                ical_fingerprint=fingerprint,
                ical_sequence=locked.ical_sequence + (1 if changed else 0),
                ical_sessions=snapshot,
            )
        if changed:
            rest_changed = _rest_changed(locked, removed)
            for registration in locked.registrations.filter(
                status__in=[Status.CONFIRMED, Status.OFFERED]
            ):
                if removed:
                    _notify(registration, "session_removed", sessions=removed)
                if rest_changed:
                    _notify(registration, "changed")
        _offer_free_seats(locked, now)
    return changed


def _rest_changed(event: EventPage, removed: list[dict[str, Any]]) -> bool:
    """Whether more changed than the removal: the times of the remaining sessions,
    an added session, or the place. ``event`` still holds what calendars received."""
    if not removed:
        return True
    removed_ids = {s["id"] for s in removed}
    before = sorted(
        (s["id"], s["starts_at"], s["ends_at"])
        for s in event.ical_sessions
        if s["id"] not in removed_ids
    )
    after = sorted((s["id"], s["starts_at"], s["ends_at"]) for s in event.sessions_snapshot())
    if before != after:
        return True
    # Same sessions: the place changed if today's place with the old sessions no
    # longer gives the fingerprint calendars were sent.
    old_times = [
        (s["starts_at"], s["ends_at"])
        for s in sorted(event.ical_sessions, key=lambda s: s["starts_at"])
    ]
    fingerprint: str = event.schedule_fingerprint(session_times=old_times)
    sent: str = event.ical_fingerprint
    return fingerprint != sent


def event_cancel(*, event: EventPage, now: datetime | None = None) -> int:
    """Cancel the whole event: everyone is told; calendars get METHOD:CANCEL."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if locked.is_cancelled:
            return 0
        EventPage.objects.filter(pk=locked.pk).update(
            is_cancelled=True, ical_sequence=locked.ical_sequence + 1
        )
        registrations = list(locked.registrations.filter(status__in=ACTIVE_STATUSES))
        for registration in registrations:
            registration.status = Status.CANCELLED
            registration.cancelled_at = now
            registration.save(update_fields=["status", "cancelled_at"])
            _notify(registration, "event_cancelled")
    return len(registrations)


def event_message_registrants(*, event: EventPage, subject: str, body: str) -> int:
    from ..tasks import send_event_message

    recipients = list(
        event.registrations.filter(status__in=[Status.CONFIRMED, Status.OFFERED]).values_list(
            "pk", flat=True
        )
    )
    for registration_id in recipients:
        send_event_message.delay_on_commit(registration_id, subject, body)
    return len(recipients)


def reminders_send(*, now: datetime | None = None) -> int:
    """Beat: one reminder per confirmed registrant, two days (configurable) before."""
    now = _now(now)
    horizon = now + timedelta(days=settings.EVENTS_REMINDER_DAYS_BEFORE)
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__is_cancelled=False,
        event__starts_at__gt=now,
        event__starts_at__lte=horizon,
    )
    count = 0
    for registration in due:
        # Marked first: a retried beat run never sends a second reminder.
        if Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            _notify(registration, "reminder")
            count += 1
    return count
