"""What every part of the report shares: the time zone, the case kinds, percentages and
period bounds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ..models import CaseKind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KINDS = [kind.value for kind in CaseKind]


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
