"""Reads that encode a rule: what the agenda lists, what a visitor may see of an event,
how many seats are taken, who may register and when, a person's registrations, who
attended enough for a certificate, and the evaluation's questions and results.

Nothing here writes, and nothing imports ``events.services`` (the services use these).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.query import PageQuerySet

from casework.selectors import is_partner_or_staff
from knowledge import selectors as knowledge_selectors
from portal.ids import parse_id
from portal.models import Basisteam
from portal.types import AnyUser

from .models import (
    SEAT_STATUSES,
    AgendaPage,
    AttendanceRule,
    EvaluationKind,
    EventKind,
    EventPage,
    Registration,
    RegistrationStatus,
    SurveyResponse,
)

if TYPE_CHECKING:
    from knowledge.models import Theme

MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def public_events() -> PageQuerySet:
    return EventPage.objects.live().public()


def agenda_page() -> AgendaPage | None:
    """The live, public agenda ("Trainingen & bijeenkomsten"), for links from elsewhere."""
    agenda: AgendaPage | None = AgendaPage.objects.live().public().first()
    return agenda


def upcoming_events(
    *, start: datetime, end: datetime | None = None, theme: "Theme | None" = None
) -> PageQuerySet:
    """Public, live, not cancelled events starting between two moments, soonest first.

    Used by other apps (theme pages, the newsletter); the agenda has its own listing.
    """
    events = public_events().filter(is_cancelled=False, starts_at__gte=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if theme is not None:
        events = events.filter(themes=theme)
    return events.order_by("starts_at").distinct()


def agenda_listing(
    *, agenda: AgendaPage, params: Mapping[str, str], now: datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    events = (
        public_events()
        .child_of(agenda)
        .select_related("region")
        .prefetch_related("themes", "sessions")
        .annotate(
            seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES))
        )
    )
    themes = list(knowledge_selectors.themes())
    regions = list(Basisteam.objects.all())
    selected = {
        "thema": params.get("thema", ""),
        "soort": params.get("soort", ""),
        "maand": params.get("maand", ""),
        "regio": params.get("regio", ""),
    }
    if selected["thema"]:
        events = events.filter(themes__slug=selected["thema"])
    if selected["soort"] in EventKind.values:
        events = events.filter(kind=selected["soort"])
    if region := parse_id(selected["regio"]):
        events = events.filter(region_id=region)
    month = _parse_month(selected["maand"])
    if month:
        events = events.filter(starts_at__year=month[0], starts_at__month=month[1])
    past_view = params.get("weergave") == "verleden"
    if past_view:
        events = events.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        events = events.filter(starts_at__gte=now).order_by("starts_at")
    page = Paginator(events.distinct(), 20).get_page(params.get("pagina"))
    local_now = timezone.localtime(now)
    months: list[tuple[str, str]] = []  # (value, label)
    year, month_number = local_now.year, local_now.month
    for _step in range(12):
        months.append((f"{year}-{month_number:02d}", f"{MONTHS_NL[month_number - 1]} {year}"))
        month_number += 1
        if month_number == 13:
            year, month_number = year + 1, 1
    return {
        "events": page,
        "past_view": past_view,
        "themes": themes,
        "regions": regions,
        "kinds": EventKind.choices,
        "months": months,
        "selected": selected,
        "filtered": any(selected.values()),
    }


def _parse_month(value: str) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in value.split("-"))
    except ValueError:
        return None
    return (year, month) if 1 <= month <= 12 and 2000 < year < 2100 else None


def event_public_state(*, event: EventPage, user: AnyUser) -> dict[str, Any]:
    taken = seats_taken(event=event)
    mine = None
    if user.is_authenticated:
        mine = (
            Registration.objects.filter(event=event, user=user)
            .exclude(status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED])
            .first()
        )
    return {
        "window": registration_window_state(event=event),
        "seats_free": max(0, event.capacity - taken),
        "waiting_count": event.registrations.filter(status=RegistrationStatus.WAITLISTED).count(),
        "my_registration": mine,
        "partners_refusal": partners_only_refusal(
            event=event, user=user if user.is_authenticated else None
        ),
        "sessions": event.ordered_sessions(),
    }


# --- seats and who may register ---------------------------------------------


def seats_taken(*, event: EventPage) -> int:
    return Registration.objects.filter(event_id=event.pk, status__in=SEAT_STATUSES).count()


def seats_free(*, event: EventPage) -> int:
    capacity: int = event.capacity
    return max(0, capacity - seats_taken(event=event))


def registration_window_state(*, event: EventPage, now: datetime | None = None) -> str:
    """'open', 'not_yet', 'closed', 'cancelled' or 'past'."""
    now = now or timezone.now()
    if event.is_cancelled:
        return "cancelled"
    if event.starts_at and event.starts_at <= now:
        return "past"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    return "open"


def partners_only_admits(*, user: AnyUser | None) -> bool:
    """Who may register for an "alleen voor partners" event: a partner user (member of
    an active covenant partner organisation, casework's Membership) or ZVH staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or is_partner_or_staff(user)


def partners_only_refusal(*, event: EventPage, user: AnyUser | None) -> str:
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


# --- a person's registrations, attendance -----------------------------------


def registrations_of(*, user: User) -> QuerySet[Registration]:
    """Everything a person registered for that is not anonymised yet ('mijn trainingen',
    the export and the erasure all start from this)."""
    return Registration.objects.filter(user=user, anonymised_at__isnull=True)


def registration_meets_attendance_rule(*, registration: Registration) -> bool:
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    session_ids = {s.pk for s in registration.event.sessions.all()}
    present = {a.session_id for a in registration.attendances.all() if a.present}
    if registration.event.attendance_rule == AttendanceRule.ANY_SESSION:
        return bool(present & session_ids)
    return bool(session_ids) and session_ids <= present


# --- the evaluation ---------------------------------------------------------


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
        options_by_kind: dict[str, list[str]] = {
            EvaluationKind.SCALE: ["1", "2", "3", "4", "5"],
            EvaluationKind.YES_NO: ["ja", "nee"],
            EvaluationKind.CHOICE: list(question.choices),
        }
        options[question.key] = options_by_kind.get(question.kind, [])
    values: dict[str, list[Any]] = {}
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
