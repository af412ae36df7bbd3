"""Every rule about events and registrations lives here.

Capacity: every write that can take or free a seat first locks the event row
(``SELECT ... FOR UPDATE`` on PostgreSQL) and counts the seats *inside* that lock,
so two registrations can never both see the last free seat. On SQLite,
``select_for_update`` is a no-op, but the embedded settings open every transaction
with ``BEGIN IMMEDIATE``, which takes the database's write lock up front and so
serialises writers in the same way (tests/events/test_concurrency.py covers both).
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.mail import normalise_email

from .models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    SENSITIVE_QUESTION_KINDS,
    AttendanceRule,
    EvaluationKind,
    EventPage,
    Registration,
    RegistrationStatus,
    SurveyResponse,
)

Status = RegistrationStatus
TOKEN_SALT = "events.registration"  # noqa: S105 - a signing namespace, not a secret

# Register number formats checked at sign-up (digits only, as the registers issue them).
REGISTER_FORMATS = {
    "BIG": (re.compile(r"^\d{11}$"), "11 cijfers"),
    "SKJ": (re.compile(r"^\d{9}$"), "9 cijfers"),
    "REGISTERPLEIN": (re.compile(r"^\d{4,8}$"), "4 tot 8 cijfers"),
}


class RegistrationError(Exception):
    """A rule said no; ``message`` is shown to the person as is (Dutch by default)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateRegistration(RegistrationError):
    pass


class PartnersOnly(RegistrationError):
    """A partners-only event and the person is neither a partner user nor ZVH staff."""


# --- helpers ----------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_event(event_id: int) -> EventPage:
    # of=("self",) locks only the events_eventpage row, not Wagtail's page row.
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)


def _lock_registration(registration_id: int) -> tuple[EventPage, Registration]:
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = _lock_event(event_id)
    return event, Registration.objects.select_for_update().get(pk=registration_id)


def seats_taken(*, event: EventPage) -> int:
    return Registration.objects.filter(event_id=event.pk, status__in=SEAT_STATUSES).count()


def seats_free(*, event: EventPage) -> int:
    return max(0, event.capacity - seats_taken(event=event))


def _notify(registration: Registration, kind: str, **extra) -> None:
    from .tasks import send_registration_mail

    send_registration_mail.delay_on_commit(registration.pk, kind, **extra)


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


def registration_window_state(*, event: EventPage, now: datetime | None = None) -> str:
    """'open', 'not_yet', 'closed', 'cancelled' or 'past'."""
    now = _now(now)
    if event.is_cancelled:
        return "cancelled"
    if event.starts_at and event.starts_at <= now:
        return "past"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    return "open"


def partners_only_admits(*, user) -> bool:
    """Who may register for an "alleen voor partners" event: a partner user (member of
    an active covenant partner organisation, casework's Membership) or ZVH staff."""
    from casework.roles import is_staff_member
    from casework.selectors import organisation_of

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or is_staff_member(user):
        return True
    organisation = organisation_of(user)
    return organisation is not None and organisation.is_active


def partners_only_refusal(*, event: EventPage, user) -> str:
    """Why this person may not register ("" when they may): shown instead of the form."""
    if not event.partners_only or partners_only_admits(user=user):
        return ""
    if user is None or not user.is_authenticated:
        return _(
            "This event is only for professionals of our covenant partners and ZVH staff. "
            "Log in with your partner account to register."
        )
    return _(
        "This event is only for professionals of our covenant partners and ZVH staff. "
        "Your account is not linked to a partner organisation, so you cannot register. "
        "Do you work for a partner organisation? Ask your contact at the ZVH to link your account."
    )


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


# --- registration -----------------------------------------------------------


def registration_create(
    *,
    event: EventPage,
    user=None,
    name: str = "",
    email: str = "",
    answers: dict | None = None,
    register_number: str = "",
    now: datetime | None = None,
    lock: bool = True,
) -> Registration:
    """Register a person. Logged in: confirmed at once (or waitlisted). Guest: a seat is
    held (or a waiting-list place reserved) until they confirm their address.

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

    with transaction.atomic():
        locked = _lock_event(event.pk) if lock else EventPage.objects.get(pk=event.pk)
        if Registration.objects.filter(
            event_id=locked.pk, email=email, status__in=ACTIVE_STATUSES
        ).exists():
            raise DuplicateRegistration(
                _("This e-mail address is already registered for this event.")
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
                _("This e-mail address is already registered for this event.")
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
    answers: dict,
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


# --- waiting list -----------------------------------------------------------


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
        if registration.status != Status.OFFERED or registration.offer_expires_at < now:
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


# --- the event as a whole ---------------------------------------------------


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


def _rest_changed(event: EventPage, removed: list[dict]) -> bool:
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
    return event.schedule_fingerprint(session_times=old_times) != event.ical_fingerprint


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
    from .tasks import send_event_message

    recipients = list(
        event.registrations.filter(status__in=[Status.CONFIRMED, Status.OFFERED]).values_list(
            "pk", flat=True
        )
    )
    for registration_id in recipients:
        send_event_message.delay_on_commit(registration_id, subject, body)
    return len(recipients)


# --- attendance, accreditation ---------------------------------------------


def attendance_record(*, registration: Registration, session, present: bool) -> None:
    from .models import Attendance

    Attendance.objects.update_or_create(
        registration=registration, session=session, defaults={"present": present}
    )


def registration_meets_attendance_rule(*, registration: Registration) -> bool:
    if registration.status != Status.CONFIRMED:
        return False
    session_ids = {s.pk for s in registration.event.sessions.all()}
    present = {a.session_id for a in registration.attendances.all() if a.present}
    if registration.event.attendance_rule == AttendanceRule.ANY_SESSION:
        return bool(present & session_ids)
    return bool(session_ids) and session_ids <= present


def certificate_issue(*, registration: Registration) -> str:
    """The verification code of the registration's certificate (created once)."""
    if not registration_meets_attendance_rule(registration=registration):
        raise RegistrationError(_("A certificate is only issued to people who attended."))
    if not registration.certificate_code:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        registration.certificate_code = "".join(secrets.choice(alphabet) for _ in range(10))
        registration.save(update_fields=["certificate_code"])
    return registration.certificate_code


def certificate_lookup(*, code: str) -> Registration | None:
    """The registration a certificate code belongs to, for the public check page."""
    if not re.fullmatch(r"[A-Z0-9]{10}", code):
        return None
    return (
        Registration.objects.select_related("event")
        .filter(certificate_code=code, anonymised_at__isnull=True)
        .first()
    )


# --- reminders, surveys -----------------------------------------------------


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


def surveys_send(*, now: datetime | None = None) -> int:
    """Beat: after the event, the evaluation goes to people who were present only."""
    now = _now(now)
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        survey_sent_at__isnull=True,
        anonymised_at__isnull=True,
        event__is_cancelled=False,
        event__ends_at__lte=now,
        event__ends_at__gte=now - timedelta(days=14),
        attendances__present=True,
    ).distinct()
    count = 0
    for registration in due:
        if Registration.objects.filter(pk=registration.pk, survey_sent_at__isnull=True).update(
            survey_sent_at=now
        ):
            _notify(registration, "survey")
            count += 1
    return count


@dataclass(frozen=True)
class EvaluationItem:
    """One question of an event's evaluation, whichever level defined it."""

    key: str
    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


# Asked when neither the event nor the agenda defines questions (the keys are those
# the fixed evaluation had, so older answers line up with these).
STANDARD_EVALUATION = [
    (
        "rating",
        EvaluationKind.SCALE,
        gettext_lazy("How do you rate this event overall? (1 = poor, 5 = excellent)"),
        True,
    ),
    (
        "useful",
        EvaluationKind.SCALE,
        gettext_lazy("How useful is it for your work? (1 = not at all, 5 = very)"),
        True,
    ),
    ("comment", EvaluationKind.TEXT, gettext_lazy("What should we keep or change?"), False),
]


def evaluation_questions(*, event: EventPage) -> list[EvaluationItem]:
    """The event's own questions; else the agenda's default set; else the standard one."""
    from .models import AgendaPage

    questions = list(event.evaluation_questions.all())
    if not questions:
        agenda = AgendaPage.objects.ancestor_of(event).first()
        questions = list(agenda.evaluation_questions.all()) if agenda else []
    if questions:
        return [
            EvaluationItem(
                key=q.key,
                kind=q.kind,
                label=q.label,
                help_text=q.help_text,
                required=q.required,
                choices=tuple(q.choice_list()),
            )
            for q in questions
        ]
    return [
        EvaluationItem(key=key, kind=kind, label=str(label), required=required)
        for key, kind, label, required in STANDARD_EVALUATION
    ]


def survey_submit(*, registration: Registration, answers: dict) -> SurveyResponse:
    """Store one attendee's evaluation; ``answers`` maps question keys to values."""
    questions = evaluation_questions(event=registration.event)
    stored = {}
    for question in questions:
        value = answers.get(question.key)
        if value in (None, ""):
            continue
        if isinstance(value, str):
            value = value.strip()
        stored[question.key] = {"label": question.label, "kind": question.kind, "value": value}
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.survey_sent_at is None:
            raise RegistrationError(_("This evaluation is only for people who attended."))
        if registration.survey_answered_at:
            raise RegistrationError(_("You have already filled in this evaluation. Thank you!"))
        registration.survey_answered_at = timezone.now()
        registration.save(update_fields=["survey_answered_at"])
        # Stored without a link to the registration: the answers stay anonymous.
        return SurveyResponse.objects.create(event=registration.event, answers=stored)


@dataclass
class QuestionResult:
    key: str
    label: str
    kind: str
    count: int = 0
    average: float | None = None
    # (option, number of answers) for scales, choices and yes/no.
    distribution: list[tuple[str, int]] = field(default_factory=list)
    # Open answers: for staff only, never on the public page.
    texts: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind == EvaluationKind.TEXT


@dataclass
class SurveySummary:
    responses: int
    questions: list[QuestionResult]
    public: bool

    @property
    def public_questions(self) -> list[QuestionResult]:
        """What the event page may show (from the minimum number of responses)."""
        if not self.public:
            return []
        return [q for q in self.questions if q.count and not q.is_text]


def survey_summary(*, event: EventPage) -> SurveySummary:
    """Results per question: the current questions first (current wording), then
    questions answered earlier that were since removed (wording as asked)."""
    responses = list(SurveyResponse.objects.filter(event=event).order_by("created_at"))
    results: dict[str, QuestionResult] = {}
    options: dict[str, list[str]] = {}
    for question in evaluation_questions(event=event):
        results[question.key] = QuestionResult(question.key, question.label, question.kind)
        options[question.key] = {
            EvaluationKind.SCALE: ["1", "2", "3", "4", "5"],
            EvaluationKind.YES_NO: ["ja", "nee"],
            EvaluationKind.CHOICE: list(question.choices),
        }.get(question.kind, [])
    values: dict[str, list] = {}
    for response in responses:
        for key, answer in response.answers.items():
            if key not in results:
                results[key] = QuestionResult(key, answer.get("label", key), answer.get("kind"))
                options[key] = []
            elif results[key].kind != answer.get("kind"):
                continue  # the question changed kind: its old answers do not add up
            values.setdefault(key, []).append(answer.get("value"))
    yes_no = {"ja": _("Yes"), "nee": _("No")}
    for key, result in results.items():
        answered = [v for v in values.get(key, []) if v not in (None, "")]
        result.count = len(answered)
        if result.kind == EvaluationKind.TEXT:
            result.texts = [str(v) for v in answered]
            continue
        if result.kind == EvaluationKind.SCALE:
            numbers = [int(v) for v in answered]
            result.average = sum(numbers) / len(numbers) if numbers else None
        counts: dict[str, int] = dict.fromkeys(options[key], 0)
        for value in answered:
            counts[str(value)] = counts.get(str(value), 0) + 1
        result.distribution = [
            (yes_no.get(option, option) if result.kind == EvaluationKind.YES_NO else option, n)
            for option, n in counts.items()
        ]
    return SurveySummary(
        responses=len(responses),
        questions=list(results.values()),
        public=len(responses) >= settings.EVENTS_SURVEY_PUBLIC_MINIMUM,
    )


# --- privacy ----------------------------------------------------------------


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


def privacy_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: sensitive answers go after the event; the rest is anonymised later."""
    now = _now(now)
    stripped = 0
    past = Registration.objects.filter(event__ends_at__lt=now, anonymised_at__isnull=True)
    for registration in past.select_related("event").prefetch_related("event__questions"):
        sensitive = {
            q.key for q in registration.event.questions.all() if q.kind in SENSITIVE_QUESTION_KINDS
        }
        if sensitive & set(registration.answers):
            registration.answers = {
                k: v for k, v in registration.answers.items() if k not in sensitive
            }
            registration.save(update_fields=["answers"])
            stripped += 1
    anonymise_before = _months_ago(now, settings.EVENTS_ANONYMISE_AFTER_MONTHS)
    keep_evidence_before = _months_ago(now, settings.EVENTS_ACCREDITATION_KEEP_MONTHS)
    # Accreditation evidence (name, register number, certificate) is kept for
    # its own, longer period; everyone else is anonymised after the first one.
    anonymise = Registration.objects.filter(
        anonymised_at__isnull=True, event__ends_at__lt=anonymise_before
    ).filter(Q(certificate_code="") | Q(event__ends_at__lt=keep_evidence_before))
    anonymised = 0
    for registration in anonymise:
        registration_anonymise(registration=registration, now=now)
        anonymised += 1
    return {"answers_stripped": stripped, "anonymised": anonymised}


def registration_anonymise(*, registration: Registration, now: datetime | None = None) -> None:
    """Remove everything personal; the row stays so counts and attendance figures stay."""
    registration.name = _("Anonymised")
    registration.email = f"geanonimiseerd-{registration.pk}@invalid"
    registration.user = None
    registration.answers = {}
    registration.register_number = ""
    registration.certificate_code = ""
    registration.anonymised_at = _now(now)
    if registration.is_active:
        registration.status = Status.CANCELLED
    registration.save()


def person_export(*, user) -> list[dict]:
    """Everything we hold about a person's registrations (the download on 'mijn trainingen')."""
    rows = []
    for r in Registration.objects.filter(user=user, anonymised_at__isnull=True).select_related(
        "event"
    ):
        rows.append(
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat() if r.event.starts_at else None,
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "answers": r.answers,
                "register_number": r.register_number,
                "registered_at": r.created_at.isoformat(),
                "attendance": [
                    {"session": str(a.session), "present": a.present} for a in r.attendances.all()
                ],
                "certificate_code": r.certificate_code,
            }
        )
    return rows


def person_delete_registrations(*, user, now: datetime | None = None) -> int:
    """Cancel what is still active (freeing seats) and anonymise everything."""
    now = _now(now)
    count = 0
    for registration in Registration.objects.filter(user=user, anonymised_at__isnull=True):
        if registration.is_active:
            registration_cancel(registration=registration, by_staff=True, now=now)
            registration.refresh_from_db()
        registration_anonymise(registration=registration, now=now)
        count += 1
    return count
