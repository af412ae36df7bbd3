"""The annual report (jaarrapportage): the figures the ZVH publishes each year, for any period.

``annual_report(start=..., end=...)`` returns a plain dict of counts, percentages and
labels; no references, names or other personal data ever enter it. Every key is
documented in docs/casework-reports.md; ``report_tables`` turns the dict into labelled
tables for the admin page and the CSV/XLSX exports.

Query bound: the report runs exactly ``QUERY_BOUND`` (17) aggregate queries, whatever
the number of cases or the length of the period. Each query groups in the database
(by kind, year, whole weeks, municipality, ...); Python only merges the grouped rows.
The largest grouping (closed cases by kind × start year × whole weeks of throughput)
returns at most kinds × years × distinct week values rows, never one row per case.

Periods are inclusive local dates in Europe/Amsterdam: a case registered on 31 December
at 23:30 local time belongs to that year, whatever UTC says.

Destroyed cases (``Tombstone``) keep kind, municipality and dates, so they count in
registrations (total, per kind, per municipality, prognosis), closed cases and
throughput; their registering partner and triage outcome are reported as ``unknown``.
They never count in procesregie, evaluation, survey, PGA Jeugd or PGA-R figures: the
data those need was destroyed with the case.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import NotSupportedError
from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone

from .models import (
    Achievement,
    Case,
    CaseEvaluation,
    CaseKind,
    JeugdClosureResult,
    JeugdEntry,
    PartnerKind,
    Prognosis,
    SurveyInvitation,
    SurveyResponse,
    Tombstone,
    TriageOutcome,
    WeegtafelDecision,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
QUERY_BOUND = 17
# A breakdown of survey answers with fewer responses than this is shown as suppressed.
SURVEY_MIN_RESPONSES = 5
# Throughput distribution: (key, lowest whole week, highest whole week or None).
THROUGHPUT_BUCKETS = [
    ("0-12", 0, 12),
    ("13-25", 13, 25),
    ("26-51", 26, 51),
    ("52-103", 52, 103),
    ("104+", 104, None),
]
KINDS = [kind.value for kind in CaseKind]
TRIAGE_KEYS = ["procesregie", "advies", "niet-opgepakt", "in-triage", "unknown"]
LEVELS = [level.value for level in Achievement]
GOALS = ["content_goal", "process_goal_1", "process_goal_2", "process_goal_3"]
EXTRAS = ["extra_expertise", "escalated", "policy_signal"]
ENTRY_KEYS = [entry.value for entry in JeugdEntry if entry.value] + ["unknown"]
RESULT_KEYS = [result.value for result in JeugdClosureResult if result.value] + ["not-recorded"]
DECISION_KEYS = [decision.value for decision in WeegtafelDecision if decision.value] + ["none"]
ROLES = [role.value for role in SurveyInvitation.Role]


class WholeWeeks(Func):
    """Whole weeks (rounded down) from the second timestamp to the first, in SQL.

    Counted in local calendar days (Europe/Amsterdam): registered on 4 March and
    closed on 8 April is 35 days, 5 weeks, although the change to summer time made
    that an hour short of 5 × 168 hours. Both timestamps are truncated to their local
    date, and weeks = floor(days / 7).
    """

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(
            TruncDate(end, tzinfo=AMSTERDAM), TruncDate(start, tzinfo=AMSTERDAM), **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        # date - date is a whole number of days.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(FLOOR((%(expressions)s) / 7.0) AS integer)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # The embedded demo: TruncDate gives 'YYYY-MM-DD', julianday() its day number.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(FLOOR((julianday(%(expressions)s)) / 7.0) AS integer)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(
            f"WholeWeeks supports PostgreSQL and SQLite, not {connection.vendor}"
        )


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal, rounded half up; None without a whole."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def _one_decimal(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as [first instant, instant after the last day) in Europe/Amsterdam."""
    return (
        datetime.combine(start, time.min, tzinfo=AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=AMSTERDAM),
    )


def for_year(year: int) -> dict:
    return annual_report(start=date(year, 1, 1), end=date(year, 12, 31))


def annual_report(*, start: date, end: date) -> dict:
    """Every figure of the annual report for the inclusive local dates ``start``–``end``.

    Runs exactly QUERY_BOUND (17) queries, independent of the number of cases.
    """
    if end < start:
        raise ValueError("end before start")
    begin, stop = period_bounds(start, end)
    partner_kinds = list(
        PartnerKind.objects.order_by("sort_order", "name").values("pk", "code", "name")
    )
    per_year, registrations = _registrations(begin, stop, partner_kinds)
    return {
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "timezone": "Europe/Amsterdam",
            "generated_at": timezone.now().astimezone(AMSTERDAM).isoformat(timespec="seconds"),
        },
        "registrations": registrations,
        "direction": _direction(begin, stop),
        **_closed_and_throughput(begin, stop),
        "evaluation": _evaluation(begin, stop),
        "partners_involved": _partners_involved(begin, stop, partner_kinds),
        "satisfaction": _satisfaction(begin, stop),
        "pga_jeugd": _pga_jeugd(begin, stop),
        "pga_r": _pga_r(begin, stop),
        "prognosis": _prognosis(start, end, per_year),
    }


# --- Registrations -----------------------------------------------------------------------


def _registered(begin, stop):
    return Case.objects.filter(submitted_at__gte=begin, submitted_at__lt=stop).order_by()


def _registrations(begin, stop, partner_kinds) -> tuple[dict, dict]:
    # Triage outcome as known at the end of the period: decided later means still in triage.
    known_outcome = SqlCase(
        When(triaged_at__gte=stop, then=Value("")),
        default=F("triage_outcome"),
        output_field=CharField(),
    )
    year_of = ExtractYear("submitted_at", tzinfo=AMSTERDAM)
    by_kind_outcome = (
        _registered(begin, stop)
        .annotate(outcome=known_outcome, year=year_of)
        .values("kind", "outcome", "year")
        .annotate(n=Count("pk"))
    )
    by_municipality = _registered(begin, stop).values("municipality__name").annotate(n=Count("pk"))
    by_partner = _registered(begin, stop).values("registering_kind").annotate(n=Count("pk"))
    destroyed = (
        Tombstone.objects.filter(submitted_at__gte=begin, submitted_at__lt=stop)
        .order_by()
        .annotate(year=year_of)
        .values("kind", "municipality_name", "year")
        .annotate(n=Count("pk"))
    )

    outcome_key = {
        TriageOutcome.PROCESREGIE: "procesregie",
        TriageOutcome.ADVIES: "advies",
        TriageOutcome.NIET_OPGEPAKT: "niet-opgepakt",
        TriageOutcome.PENDING: "in-triage",
    }
    matrix = {kind: dict.fromkeys(TRIAGE_KEYS, 0) for kind in KINDS}
    # Registrations per calendar year and kind, for the prognosis.
    per_year: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for row in by_kind_outcome:
        matrix[row["kind"]][outcome_key[row["outcome"]]] += row["n"]
        per_year[row["year"]][row["kind"]] += row["n"]
    municipalities: dict[str, int] = defaultdict(int)
    for row in by_municipality:
        municipalities[row["municipality__name"]] += row["n"]
    destroyed_total = 0
    for row in destroyed:
        matrix[row["kind"]]["unknown"] += row["n"]
        per_year[row["year"]][row["kind"]] += row["n"]
        municipalities[row["municipality_name"]] += row["n"]
        destroyed_total += row["n"]
    partner_counts = {row["registering_kind"]: row["n"] for row in by_partner}
    partners = [
        {"code": kind["code"], "name": kind["name"], "count": partner_counts.get(kind["pk"], 0)}
        for kind in partner_kinds
    ]
    unknown_partner = partner_counts.get(None, 0) + destroyed_total
    partners.append({"code": None, "name": None, "count": unknown_partner})

    by_kind = {kind: sum(matrix[kind].values()) for kind in KINDS}
    return per_year, {
        "total": sum(by_kind.values()),
        "destroyed": destroyed_total,
        "by_kind": by_kind,
        "by_municipality": [
            {"name": name, "count": count} for name, count in sorted(municipalities.items())
        ],
        "by_registering_partner": partners,
        "by_triage_outcome": {key: sum(matrix[kind][key] for kind in KINDS) for key in TRIAGE_KEYS},
        "by_kind_and_triage_outcome": matrix,
    }


# --- Procesregie ---------------------------------------------------------------------------


def _direction(begin, stop) -> dict:
    running_at_end = Q(closed_at__isnull=True) | Q(closed_at__gte=stop)
    directed = Case.objects.filter(direction_started_at__lt=stop).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=begin)
    )
    rows = (
        directed.order_by()
        .values("kind")
        .annotate(
            started=Count("pk", filter=Q(direction_started_at__gte=begin)),
            carried_over=Count("pk", filter=Q(direction_started_at__lt=begin)),
            closed=Count("pk", filter=Q(closed_at__lt=stop)),
            running_into_next_period=Count("pk", filter=running_at_end),
            running_into_next_period_started_in_period=Count(
                "pk", filter=running_at_end & Q(direction_started_at__gte=begin)
            ),
            municipalities=Count("municipality", distinct=True),
        )
    )
    keys = [
        "started",
        "carried_over",
        "closed",
        "running_into_next_period",
        "running_into_next_period_started_in_period",
        "municipalities",
    ]
    by_kind = {kind: dict.fromkeys(["total", *keys], 0) for kind in KINDS}
    for row in rows:
        figures = by_kind[row["kind"]]
        figures.update({key: row[key] for key in keys})
        figures["total"] = row["started"] + row["carried_over"]
    overall = {key: sum(by_kind[kind][key] for kind in KINDS) for key in ["total", *keys]}
    # Distinct municipalities do not add up over kinds: counted once more over all cases.
    overall["municipalities"] = directed.aggregate(n=Count("municipality", distinct=True))["n"]
    return {**overall, "by_kind": by_kind}


# --- Closed cases and throughput --------------------------------------------------------------


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    values, seen = [], 0
    for weeks in sorted(histogram):
        count = histogram[weeks]
        values += [weeks for position in wanted if seen <= position < seen + count]
        seen += count
    return _one_decimal(Decimal(sum(values)) / 2)


def _throughput(histogram: dict[int, int]) -> dict:
    buckets = {}
    for key, low, high in THROUGHPUT_BUCKETS:
        buckets[key] = sum(
            count
            for weeks, count in histogram.items()
            if weeks >= low and (high is None or weeks <= high)
        )
    return {
        "cases": sum(histogram.values()),
        "min": min(histogram) if histogram else None,
        "median": _median(histogram),
        "max": max(histogram) if histogram else None,
        "buckets": buckets,
    }


def _closed_and_throughput(begin, stop) -> dict:
    grouping = {
        "start_year": ExtractYear("submitted_at", tzinfo=AMSTERDAM),
        "weeks": WholeWeeks(F("closed_at"), F("submitted_at")),
    }
    closed = (
        Case.objects.filter(closed_at__gte=begin, closed_at__lt=stop)
        .order_by()
        .annotate(**grouping)
        .values("kind", "start_year", "weeks")
        .annotate(n=Count("pk"))
    )
    destroyed = (
        Tombstone.objects.filter(closed_at__gte=begin, closed_at__lt=stop)
        .order_by()
        .annotate(**grouping)
        .values("kind", "start_year", "weeks")
        .annotate(n=Count("pk"))
    )
    by_year: dict[int, dict[str, int]] = {}
    histograms: dict[str, dict[int, int]] = {kind: defaultdict(int) for kind in KINDS}
    destroyed_total = 0
    for source, rows in (("case", closed), ("tombstone", destroyed)):
        for row in rows:
            year = by_year.setdefault(row["start_year"], dict.fromkeys(KINDS, 0))
            year[row["kind"]] += row["n"]
            histograms[row["kind"]][row["weeks"]] += row["n"]
            if source == "tombstone":
                destroyed_total += row["n"]
    overall_histogram: dict[int, int] = defaultdict(int)
    for histogram in histograms.values():
        for weeks, count in histogram.items():
            overall_histogram[weeks] += count
    by_kind = {kind: sum(histograms[kind].values()) for kind in KINDS}
    return {
        "closed": {
            "total": sum(by_kind.values()),
            "destroyed": destroyed_total,
            "by_kind": by_kind,
            "by_start_year": [
                {"year": year, "total": sum(counts.values()), "by_kind": counts}
                for year, counts in sorted(by_year.items())
            ],
        },
        "throughput_weeks": {
            **_throughput(overall_histogram),
            "by_kind": {kind: _throughput(histograms[kind]) for kind in KINDS},
        },
    }


# --- Evaluation ----------------------------------------------------------------------------


def _goal_figures(counts: dict[str, int]) -> dict:
    answered = sum(counts.values())
    return {
        "answered": answered,
        "counts": counts,
        "percent": {level: percent(counts[level], answered) for level in LEVELS},
    }


def _evaluation_figures(row: dict) -> dict:
    evaluations = row["evaluations"]
    return {
        "evaluations": evaluations,
        **{
            goal: _goal_figures({level: row[f"{goal}__{level}"] for level in LEVELS})
            for goal in GOALS
        },
        "extras": {
            extra: {"count": row[extra], "percent": percent(row[extra], evaluations)}
            for extra in EXTRAS
        },
    }


def _evaluation(begin, stop) -> dict:
    counters = {"evaluations": Count("pk")}
    for goal in GOALS:
        for level in LEVELS:
            counters[f"{goal}__{level}"] = Count("pk", filter=Q(**{goal: level}))
    for extra in EXTRAS:
        counters[extra] = Count("pk", filter=Q(**{extra: True}))
    rows = {
        row["case__kind"]: row
        for row in CaseEvaluation.objects.filter(
            case__closed_at__gte=begin, case__closed_at__lt=stop
        )
        .order_by()
        .values("case__kind")
        .annotate(**counters)
    }
    empty = dict.fromkeys(counters, 0)
    per_kind = {kind: rows.get(kind, empty) for kind in KINDS}
    overall = {key: sum(per_kind[kind][key] for kind in KINDS) for key in counters}
    return {
        **_evaluation_figures(overall),
        "by_kind": {kind: _evaluation_figures(per_kind[kind]) for kind in KINDS},
    }


def _partners_involved(begin, stop, partner_kinds) -> list[dict]:
    through = CaseEvaluation.partners_involved.through
    rows = (
        through.objects.filter(
            caseevaluation__case__closed_at__gte=begin, caseevaluation__case__closed_at__lt=stop
        )
        .order_by()
        .values("partnerkind_id", "caseevaluation__case__kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for row in rows:
        counts[row["partnerkind_id"]][row["caseevaluation__case__kind"]] += row["n"]
    result = []
    for kind in partner_kinds:
        per_kind = counts.get(kind["pk"], dict.fromkeys(KINDS, 0))
        result.append(
            {
                "code": kind["code"],
                "name": kind["name"],
                "count": sum(per_kind.values()),
                "by_kind": per_kind,
            }
        )
    return result


# --- Satisfaction -------------------------------------------------------------------------------


def _survey_figures(answers: dict, invitations: dict) -> dict:
    responses = answers["responses"]
    figures = {
        "suppressed": responses < SURVEY_MIN_RESPONSES,
        "invitations": invitations["invitations"],
        "responses": None,
        "response_rate": None,
        "overall_satisfied": None,
        "process_satisfied": None,
        "average_grade": None,
        "would_involve_again": None,
    }
    if figures["suppressed"]:
        return figures
    figures.update(
        {
            "responses": responses,
            "response_rate": percent(invitations["answered"], invitations["invitations"]),
            "overall_satisfied": percent(answers["overall_satisfied"], responses),
            "process_satisfied": percent(answers["process_satisfied"], responses),
            "average_grade": _one_decimal(Decimal(answers["grade_sum"]) / responses),
            "would_involve_again": percent(answers["again"], responses),
        }
    )
    return figures


def _satisfaction(begin, stop) -> dict:
    # The survey cohort: invitations sent in the period and the answers to them (whenever
    # answered); an answer whose invitation is gone counts in the period it was submitted.
    answers = (
        SurveyResponse.objects.filter(
            Q(invitation__created_at__gte=begin, invitation__created_at__lt=stop)
            | Q(invitation__isnull=True, submitted_at__gte=begin, submitted_at__lt=stop)
        )
        .order_by()
        .values("case__kind", "role")
        .annotate(
            responses=Count("pk"),
            overall_satisfied=Count("pk", filter=Q(overall__gte=4)),
            process_satisfied=Count("pk", filter=Q(process__gte=4)),
            grade_sum=Sum("grade"),
            again=Count("pk", filter=Q(would_involve_again=True)),
        )
    )
    invitations = (
        SurveyInvitation.objects.filter(created_at__gte=begin, created_at__lt=stop)
        .order_by()
        .values("case__kind", "role")
        .annotate(invitations=Count("pk"), answered=Count("pk", filter=Q(used_at__isnull=False)))
    )
    answer_keys = ["responses", "overall_satisfied", "process_satisfied", "grade_sum", "again"]
    invitation_keys = ["invitations", "answered"]

    def totals(rows, keys, match) -> dict:
        return {key: sum(row[key] or 0 for row in rows if match(row)) for key in keys}

    answers, invitations = list(answers), list(invitations)

    def figures(match) -> dict:
        return _survey_figures(
            totals(answers, answer_keys, match), totals(invitations, invitation_keys, match)
        )

    return {
        **figures(lambda row: True),
        "minimum_responses": SURVEY_MIN_RESPONSES,
        "by_kind": {
            kind: figures(lambda row, kind=kind: row["case__kind"] == kind) for kind in KINDS
        },
        "by_role": {role: figures(lambda row, role=role: row["role"] == role) for role in ROLES},
    }


# --- PGA Jeugd and PGA-R -------------------------------------------------------------------------


def _pga_jeugd(begin, stop) -> dict:
    registered_in = Q(submitted_at__gte=begin, submitted_at__lt=stop)
    started_in = Q(direction_started_at__gte=begin, direction_started_at__lt=stop)
    jeugd = Case.objects.filter(kind=CaseKind.PGA_JEUGD).order_by()
    entries = (
        jeugd.filter(registered_in | started_in)
        .values("jeugd_entry")
        .annotate(
            registered=Count("pk", filter=registered_in), started=Count("pk", filter=started_in)
        )
    )
    results = (
        jeugd.filter(closed_at__gte=begin, closed_at__lt=stop)
        .values("evaluation__jeugd_result")
        .annotate(n=Count("pk"))
    )
    registered = dict.fromkeys(ENTRY_KEYS, 0)
    started = dict.fromkeys(ENTRY_KEYS, 0)
    for row in entries:
        key = row["jeugd_entry"] or "unknown"
        registered[key] += row["registered"]
        started[key] += row["started"]
    closed = dict.fromkeys(RESULT_KEYS, 0)
    for row in results:
        closed[row["evaluation__jeugd_result"] or "not-recorded"] += row["n"]
    return {
        "registered": sum(registered.values()),
        "registered_by_entry": registered,
        "started": sum(started.values()),
        "started_by_entry": started,
        "closed": sum(closed.values()),
        "closed_by_result": closed,
    }


def _pga_r(begin, stop) -> dict:
    rows = (
        _registered(begin, stop)
        .filter(kind=CaseKind.PGA_R)
        .values("region__name", "weegtafel_decision")
        .annotate(n=Count("pk"))
    )
    regions: dict[str | None, dict[str, int]] = {}
    for row in rows:
        decisions = regions.setdefault(row["region__name"], dict.fromkeys(DECISION_KEYS, 0))
        decisions[row["weegtafel_decision"] or "none"] += row["n"]
    by_decision = {key: sum(region[key] for region in regions.values()) for key in DECISION_KEYS}
    # Named regions alphabetically, cases without a region last.
    order = sorted(regions, key=lambda name: (name is None, name or ""))
    return {
        "signals": sum(by_decision.values()),
        "by_decision": by_decision,
        "by_region": [
            {"name": name, "total": sum(regions[name].values()), "by_decision": regions[name]}
            for name in order
        ],
    }


# --- Prognosis -----------------------------------------------------------------------------------


def _prognosis(start: date, end: date, per_year: dict[int, dict[str, int]]) -> list[dict]:
    years = range(start.year, end.year + 1)
    expected: dict[int, dict[str, int]] = defaultdict(dict)
    for row in Prognosis.objects.filter(year__in=years).values("year", "kind", "expected"):
        expected[row["year"]][row["kind"]] = row["expected"]
    result = []
    for year in years:
        actual = per_year.get(year, dict.fromkeys(KINDS, 0))
        by_kind = {}
        for kind in KINDS:
            planned = expected[year].get(kind)
            by_kind[kind] = {
                "expected": planned,
                "actual": actual[kind],
                "percent_of_expected": percent(actual[kind], planned) if planned else None,
            }
        planned_total = sum(expected[year].values()) if expected[year] else None
        actual_total = sum(actual.values())
        result.append(
            {
                "year": year,
                "complete_year": start <= date(year, 1, 1) and end >= date(year, 12, 31),
                "expected": planned_total,
                "actual": actual_total,
                "percent_of_expected": percent(actual_total, planned_total)
                if planned_total
                else None,
                "by_kind": by_kind,
            }
        )
    return result
