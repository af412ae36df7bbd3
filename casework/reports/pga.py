"""PGA Jeugd (entry channel, closure result) and PGA-R (weegtafel decisions per region)."""

from __future__ import annotations

from django.db.models import Count, Q

from ..models import Case, CaseKind, JeugdClosureResult, JeugdEntry, WeegtafelDecision
from .registrations import _registered

ENTRY_KEYS = [entry.value for entry in JeugdEntry if entry.value] + ["unknown"]
RESULT_KEYS = [result.value for result in JeugdClosureResult if result.value] + ["not-recorded"]
DECISION_KEYS = [decision.value for decision in WeegtafelDecision if decision.value] + ["none"]


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
