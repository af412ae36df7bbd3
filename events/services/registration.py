"""Registering: sign-up (seat, hold or waiting list), confirming a guest's address,
changing answers, cancelling; register numbers and the signed personal links."""

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.mail import normalise_email

from ..models import ACTIVE_STATUSES, EventPage, Registration
from ..selectors import partners_only_refusal, registration_window_state, seats_free
from ._common import (
    DuplicateRegistration,
    PartnersOnly,
    RegistrationError,
    Status,
    _lock_event,
    _lock_registration,
    _notify,
    _now,
)
from .waiting_list import _offer_free_seats

TOKEN_SALT = "events.registration"  # noqa: S105 - a signing namespace, not a secret

# Register number formats checked at sign-up (digits only, as the registers issue them).
REGISTER_FORMATS = {
    "BIG": (re.compile(r"^\d{11}$"), "11 cijfers"),
    "SKJ": (re.compile(r"^\d{9}$"), "9 cijfers"),
    "REGISTERPLEIN": (re.compile(r"^\d{4,8}$"), "4 tot 8 cijfers"),
}


def register_number_is_valid(*, register: str, number: str) -> bool:
    spec = REGISTER_FORMATS.get(register.strip().upper().replace(" ", ""))
    if spec is None:
        return bool(re.fullmatch(r"[0-9A-Za-z-]{3,30}", number))
    return bool(spec[0].fullmatch(number))


def register_number_hint(*, register: str) -> str:
    spec = REGISTER_FORMATS.get(register.strip().upper().replace(" ", ""))
    return spec[1] if spec else ""


def token_for(registration: Registration) -> str:
    """The signed token in a registration's personal links (manage, confirm, offer)."""
    return signing.dumps(str(registration.secret), salt=TOKEN_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        secret = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("event")
        .filter(secret=secret, anonymised_at__isnull=True)
        .first()
    )


def registration_create(
    *,
    event: EventPage,
    user: User | None = None,
    name: str = "",
    email: str = "",
    answers: dict[str, Any] | None = None,
    register_number: str = "",
    now: datetime | None = None,
    lock: bool = True,
) -> Registration:
    """Register a person. Logged in: confirmed at once (or waitlisted). Guest: a seat is
    held (or a waiting-list place reserved) until they confirm their address.

    An address that is registered already raises ``DuplicateRegistration`` (with the
    existing registration); for a guest, that address is first mailed its own link
    ("you are already registered"), so the page can answer as for a new registration.

    ``lock=False`` exists only for the control test that shows the race is real.
    """
    now = _now(now)
    state = registration_window_state(event=event, now=now)
    if state != "open":
        messages = {
            "cancelled": _("This event has been cancelled."),
            "past": _("This event has already started."),
            "not_yet": _("Registration has not opened yet."),
            "closed": _("Registration is closed."),
        }
        raise RegistrationError(messages[state])
    refusal = partners_only_refusal(event=event, user=user)
    if refusal:
        raise PartnersOnly(refusal)
    if user is not None:
        email = user.email
        name = name or user.get_full_name() or user.email
    email = normalise_email(email)
    if not email or not name.strip():
        raise RegistrationError(_("Please give your name and e-mail address."))
    try:
        return _create(
            event=event,
            user=user,
            name=name,
            email=email,
            answers=answers,
            register_number=register_number,
            now=now,
            lock=lock,
        )
    except DuplicateRegistration as exc:
        if user is None and exc.registration is not None:
            # Outside the rolled-back transaction, so the mail is not dropped with it.
            _notify(exc.registration, "already_registered")
        raise


def _active_registration(event_id: int, email: str) -> Registration | None:
    return (
        Registration.objects.select_related("event")
        .filter(event_id=event_id, email=email, status__in=ACTIVE_STATUSES)
        .first()
    )


def _create(
    *,
    event: EventPage,
    user: User | None,
    name: str,
    email: str,
    answers: dict[str, Any] | None,
    register_number: str,
    now: datetime,
    lock: bool,
) -> Registration:
    with transaction.atomic():
        locked = _lock_event(event.pk) if lock else EventPage.objects.get(pk=event.pk)
        existing = _active_registration(locked.pk, email)
        if existing is not None:
            raise DuplicateRegistration(
                _("This e-mail address is already registered for this event."), existing
            )
        has_seat = seats_free(event=locked) > 0
        registration = Registration(
            event=locked,
            user=user,
            name=name.strip(),
            email=email,
            answers=answers or {},
            register_number=register_number.strip(),
            created_at=now,
        )
        if user is not None:
            registration.email_confirmed_at = now
            if has_seat:
                registration.status = Status.CONFIRMED
                registration.confirmed_at = now
            else:
                registration.status = Status.WAITLISTED
                registration.waitlisted_at = now
        else:
            registration.hold_expires_at = now + timedelta(minutes=settings.EVENTS_HOLD_MINUTES)
            registration.status = Status.HELD if has_seat else Status.WAITLISTED
        try:
            # A savepoint, so a lost race on the unique constraint leaves the
            # outer transaction usable and becomes the same friendly message.
            with transaction.atomic():
                registration.save()
        except IntegrityError as exc:
            raise DuplicateRegistration(
                _("This e-mail address is already registered for this event."),
                _active_registration(locked.pk, email),
            ) from exc
        kind = {
            (True, Status.CONFIRMED): "confirmed",
            (True, Status.WAITLISTED): "waitlisted",
            (False, Status.HELD): "verify",
            (False, Status.WAITLISTED): "verify",
        }[(user is not None, registration.status)]
        _notify(registration, kind)
    return registration


def registration_confirm_email(
    *, registration: Registration, now: datetime | None = None
) -> Registration:
    """A guest followed the link in the e-mail: the held seat becomes theirs."""
    now = _now(now)
    with transaction.atomic():
        event, registration = _lock_registration(registration.pk)
        if registration.email_confirmed_at:
            return registration  # a second click changes nothing
        if registration.status == Status.EXPIRED:
            raise RegistrationError(
                _(
                    "This registration has expired because it was not confirmed in time. Please register again."
                )
            )
        if registration.status not in (Status.HELD, Status.WAITLISTED):
            raise RegistrationError(_("This registration can no longer be confirmed."))
        registration.email_confirmed_at = now
        registration.hold_expires_at = None
        if registration.status == Status.HELD:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            kind = "confirmed"
        else:
            # In line from the moment the address is confirmed.
            registration.waitlisted_at = now
            kind = "waitlisted"
        registration.save()
        _notify(registration, kind)
        _offer_free_seats(event, now)
    return registration


def registration_update_answers(
    *,
    registration: Registration,
    answers: dict[str, Any],
    register_number: str = "",
    now: datetime | None = None,
) -> Registration:
    now = _now(now)
    if not registration.is_active:
        raise RegistrationError(_("This registration is no longer active."))
    if registration.event.starts_at and registration.event.starts_at <= now:
        raise RegistrationError(_("Answers can no longer be changed after the event has started."))
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.answers = answers
        registration.register_number = register_number.strip()
        registration.save(update_fields=["answers", "register_number"])
    return registration


def registration_cancel(
    *, registration: Registration, by_staff: bool = False, now: datetime | None = None
) -> Registration:
    """Free the seat (or waiting-list place) and offer it to the next person in line."""
    now = _now(now)
    with transaction.atomic():
        event, registration = _lock_registration(registration.pk)
        if not registration.is_active:
            return registration
        deadline = registration.cancellation_deadline()
        if not by_staff and registration.has_seat and deadline and now > deadline:
            raise RegistrationError(
                _("The cancellation deadline has passed; please contact us to cancel.")
            )
        had_seat = registration.has_seat and registration.status != Status.HELD
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save()
        if had_seat:
            _notify(registration, "cancelled")
        _offer_free_seats(event, now)
    return registration
