"""``annual_report``: every figure for a period, from the parts in this package."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ..models import PartnerKind
from .common import AMSTERDAM, period_bounds
from .evaluation import _evaluation, _partners_involved
from .pga import _pga_jeugd, _pga_r
from .procesregie import _procesregie
from .registrations import _direction, _prognosis, _registrations
from .satisfaction import _satisfaction
from .weeks import _closed_and_throughput

QUERY_BOUND = 19


def for_year(year: int) -> dict:
    return annual_report(start=date(year, 1, 1), end=date(year, 12, 31))


def annual_report(*, start: date, end: date) -> dict:
    """Every figure of the annual report for the inclusive local dates ``start``–``end``.

    Runs exactly QUERY_BOUND (19) queries, independent of the number of cases.
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
        "procesregie": _procesregie(begin, stop, start, end),
        "prognosis": _prognosis(start, end, per_year),
    }
