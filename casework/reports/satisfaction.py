"""The closing-satisfaction survey, with breakdowns of few responses suppressed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from ..models import SurveyInvitation, SurveyResponse
from .common import KINDS, _one_decimal, percent

# A breakdown of survey answers with fewer responses than this is shown as suppressed.
SURVEY_MIN_RESPONSES = 5
ROLES = [role.value for role in SurveyInvitation.Role]


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

    answer_rows, invitation_rows = list(answers), list(invitations)

    def figures(match) -> dict:
        return _survey_figures(
            totals(answer_rows, answer_keys, match),
            totals(invitation_rows, invitation_keys, match),
        )

    return {
        **figures(lambda row: True),
        "minimum_responses": SURVEY_MIN_RESPONSES,
        "by_kind": {
            kind: figures(lambda row, kind=kind: row["case__kind"] == kind) for kind in KINDS
        },
        "by_role": {role: figures(lambda row, role=role: row["role"] == role) for role in ROLES},
    }
