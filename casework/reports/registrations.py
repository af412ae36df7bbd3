"""Registrations (per kind, triage outcome, municipality, registering partner),
procesregie, and the prognosis that compares registrations with the year plan."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, Q, Value, When
from django.db.models.functions import ExtractYear

from ..models import Case, Prognosis, Tombstone, TriageOutcome
from .common import AMSTERDAM, KINDS, percent

TRIAGE_KEYS = ["procesregie", "advies", "niet-opgepakt", "in-triage", "unknown"]


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
