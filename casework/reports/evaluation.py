"""The closure evaluations: goals reached, extras, and the partners involved."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from ..models import Achievement, CaseEvaluation
from .common import KINDS, percent

LEVELS = [level.value for level in Achievement]
GOALS = ["content_goal", "process_goal_1", "process_goal_2", "process_goal_3"]
EXTRAS = ["extra_expertise", "escalated", "policy_signal"]


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
