"""Procesregie: how long from the start of procesregie to the first case meeting and to
an adopted plan van aanpak, and the share of agreed actions done on time.

Only cases recorded the structured way count (meetings and plans as data, issue 18);
older cases with free-text meetings on the timeline have no dates to measure.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import CarePlan, Case, CaseMeeting, PlanAction
from .common import percent
from .weeks import WholeWeeks


def _median(histogram: Counter[int]) -> float | None:
    """The median of a histogram {value: count}; the mean of the middle two for an even count."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    values: list[int] = []
    seen = 0
    for value in sorted(histogram):
        for index in middle:
            if seen <= index < seen + histogram[value]:
                values.append(value)
        seen += histogram[value]
    return sum(values) / len(values)


def _interval(histogram: Counter[int]) -> dict:
    return {
        "cases": sum(histogram.values()),
        "median_weeks": _median(histogram),
        "by_weeks": {str(weeks): histogram[weeks] for weeks in sorted(histogram)},
    }


def _procesregie(begin, stop, start: date, end: date) -> dict:
    """Two queries: the started cases grouped by whole weeks to their first meeting and
    to their first adopted plan; the actions due in the period, done on time or not."""
    first_meeting = (
        CaseMeeting.objects.filter(
            case=OuterRef("pk"), cancelled_at__isnull=True, starts_at__lte=timezone.now()
        )
        .order_by()
        .values("case")
        .annotate(first=Min("starts_at"))
        .values("first")
    )
    first_plan = (
        CarePlan.objects.filter(case=OuterRef("pk"), adopted_at__isnull=False)
        .order_by()
        .values("case")
        .annotate(first=Min("adopted_at"))
        .values("first")
    )
    rows = (
        Case.objects.filter(direction_started_at__gte=begin, direction_started_at__lt=stop)
        .annotate(meeting_at=Subquery(first_meeting), plan_at=Subquery(first_plan))
        .annotate(
            to_meeting=WholeWeeks(F("meeting_at"), F("direction_started_at")),
            to_plan=WholeWeeks(F("plan_at"), F("direction_started_at")),
        )
        .order_by()
        .values("to_meeting", "to_plan")
        .annotate(n=Count("pk"))
    )
    started = 0
    to_meeting: Counter[int] = Counter()
    to_plan: Counter[int] = Counter()
    for row in rows:
        started += row["n"]
        # A meeting recorded before procesregie formally started counts as week 0.
        if row["to_meeting"] is not None:
            to_meeting[max(row["to_meeting"], 0)] += row["n"]
        if row["to_plan"] is not None:
            to_plan[max(row["to_plan"], 0)] += row["n"]
    done_on_time = Q(status=PlanAction.Status.DONE, done_at__date__lte=F("due_date"))
    actions = (
        PlanAction.objects.filter(
            plan__status=CarePlan.Status.ADOPTED, due_date__gte=start, due_date__lte=end
        )
        .exclude(status=PlanAction.Status.DROPPED)
        .aggregate(
            due=Count("pk"),
            done=Count("pk", filter=Q(status=PlanAction.Status.DONE)),
            on_time=Count("pk", filter=done_on_time),
        )
    )
    return {
        "started": started,
        "to_first_meeting": _interval(to_meeting),
        "to_adopted_plan": _interval(to_plan),
        "actions": {
            **actions,
            "percent_done": percent(actions["done"], actions["due"]),
            "percent_on_time": percent(actions["on_time"], actions["due"]),
        },
    }
