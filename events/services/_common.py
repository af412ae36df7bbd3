"""Shared by the events service modules: the refusals every service raises, the row
locks that keep seats from being overbooked, and the mail hook.

Capacity: every write that can take or free a seat first locks the event row
(``SELECT ... FOR UPDATE`` on PostgreSQL) and counts the seats *inside* that lock,
so two registrations can never both see the last free seat. On SQLite,
``select_for_update`` is a no-op, but the embedded settings open every transaction
with ``BEGIN IMMEDIATE``, which takes the database's write lock up front and so
serialises writers in the same way (tests/events/test_concurrency.py covers both).
"""

from datetime import datetime

from django.utils import timezone

from ..models import EventPage, Registration, RegistrationStatus

Status = RegistrationStatus


class RegistrationError(Exception):
    """A rule said no; ``message`` is shown to the person as is (Dutch by default)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateRegistration(RegistrationError):
    """The address already has an active registration for the event (``registration``).

    For a guest the service has already mailed that address its own link; a view must
    answer exactly as for a new registration, so the form never tells who attends.
    """

    def __init__(self, message: str, registration: Registration | None = None):
        super().__init__(message)
        self.registration = registration


class PartnersOnly(RegistrationError):
    """A partners-only event and the person is neither a partner user nor ZVH staff."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_event(event_id: int) -> EventPage:
    # of=("self",) locks only the events_eventpage row, not Wagtail's page row.
    event: EventPage = EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)
    return event


def _lock_registration(registration_id: int) -> tuple[EventPage, Registration]:
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = _lock_event(event_id)
    return event, Registration.objects.select_for_update().get(pk=registration_id)


def _notify(registration: Registration, kind: str, **extra: object) -> None:
    from ..tasks import send_registration_mail

    send_registration_mail.delay_on_commit(registration.pk, kind, **extra)
