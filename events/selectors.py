"""Reads that encode a rule: what the agenda lists, what a visitor may see of an event."""

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils import timezone

from knowledge.models import Theme
from portal.ids import parse_id
from portal.models import Basisteam

from .models import SEAT_STATUSES, EventKind, EventPage, Registration, RegistrationStatus

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


def public_events():
    return EventPage.objects.live().public()


def upcoming_events(*, start: datetime, end: datetime | None = None, theme=None):
    """Public, live, not cancelled events starting between two moments, soonest first.

    Used by other apps (theme pages, the newsletter); the agenda has its own listing.
    """
    events = public_events().filter(is_cancelled=False, starts_at__gte=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if theme is not None:
        events = events.filter(themes=theme)
    return events.order_by("starts_at").distinct()


def agenda_listing(*, agenda, params, now: datetime | None = None) -> dict:
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
    themes = list(Theme.objects.all())
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
    months = []
    year, month_number = local_now.year, local_now.month
    for _ in range(12):
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


def event_public_state(*, event: EventPage, user) -> dict:
    from .services import partners_only_refusal, registration_window_state, seats_taken

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
