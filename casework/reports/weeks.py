"""Closed cases and throughput: whole weeks from registration to closure, counted in the
database (``WholeWeeks``), as a histogram per kind and start year."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import NotSupportedError
from django.db.models import Count, F, Func, IntegerField
from django.db.models.functions import ExtractYear, TruncDate

from ..models import Case, Tombstone
from .common import AMSTERDAM, KINDS, _one_decimal

# Throughput distribution: (key, lowest whole week, highest whole week or None).
THROUGHPUT_BUCKETS = [
    ("0-12", 0, 12),
    ("13-25", 13, 25),
    ("26-51", 26, 51),
    ("52-103", 52, 103),
    ("104+", 104, None),
]


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
    # Named arguments, not **grouping: the type checker's Django plugin only sees
    # annotations passed by name, and values() below needs to know them.
    year_submitted = ExtractYear("submitted_at", tzinfo=AMSTERDAM)
    whole_weeks = WholeWeeks(F("closed_at"), F("submitted_at"))
    closed = (
        Case.objects.filter(closed_at__gte=begin, closed_at__lt=stop)
        .order_by()
        .annotate(start_year=year_submitted, weeks=whole_weeks)
        .values("kind", "start_year", "weeks")
        .annotate(n=Count("pk"))
    )
    destroyed = (
        Tombstone.objects.filter(closed_at__gte=begin, closed_at__lt=stop)
        .order_by()
        .annotate(start_year=year_submitted, weeks=whole_weeks)
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
