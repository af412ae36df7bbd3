"""Closing a case with its evaluation: the evaluation rules (``evaluation_validate``,
``ClosureRefused``) and ``case_close``, which closes and invites to the survey."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.ids import parse_id

from .. import audit, workflow
from ..models import (
    Achievement,
    Case,
    CaseEvaluation,
    CaseKind,
    ClosureReason,
    JeugdClosureResult,
    PartnerKind,
    TriageOutcome,
)
from ._common import CaseworkError, _require_staff, _require_write_access
from .handling import case_transition
from .survey import survey_invitations_create

EVALUATION_GOALS = ("content_goal", "process_goal_1", "process_goal_2", "process_goal_3")
EVALUATION_FLAGS = ("extra_expertise", "escalated", "policy_signal")


class ClosureRefused(CaseworkError):
    """The evaluation breaks a rule; ``errors`` maps form field names to Dutch messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(str(message) for message in errors.values()))


def case_was_in_procesregie(case: Case) -> bool:
    """Only a case that came into procesregie had a plan whose goals can be evaluated."""
    return case.triage_outcome == TriageOutcome.PROCESREGIE or case.direction_started_at is not None


def _partner_kinds(values: Iterable[Any] | None) -> tuple[list[PartnerKind], bool]:
    ids: set[int] = set()
    for value in values or []:
        pk = parse_id(getattr(value, "pk", value))
        if pk is None:  # not an id, or out of any id column's range
            return [], False
        ids.add(pk)
    kinds = list(PartnerKind.objects.filter(pk__in=ids))
    return kinds, len(kinds) == len(ids)


def evaluation_validate(*, case: Case, evaluation: Mapping[str, Any]) -> dict[str, Any]:
    """The evaluation's values for this case, or ``ClosureRefused`` naming every problem.

    Goals are required for a case that was in procesregie and refused otherwise; a
    closure reason is always required; the PGA Jeugd closure result only (and always)
    for PGA Jeugd cases.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    in_regie = case_was_in_procesregie(case)
    for name in EVALUATION_GOALS:
        value = evaluation.get(name) or ""
        if in_regie and value not in Achievement.values:
            errors[name] = _("Choose whether this goal was achieved fully, partly or not.")
        elif not in_regie and value:
            errors[name] = _("Goals are only evaluated for cases that were in procesregie.")
        clean[name] = value
    for name in EVALUATION_FLAGS:
        clean[name] = bool(evaluation.get(name))
    reason = evaluation.get("closure_reason") or ""
    if reason not in ClosureReason.values:
        errors["closure_reason"] = _("Choose the reason for closing the case.")
    clean["closure_reason"] = reason
    result = evaluation.get("jeugd_result") or ""
    if case.kind == CaseKind.PGA_JEUGD:
        if not result or result not in JeugdClosureResult.values:
            errors["jeugd_result"] = _("Choose the closure result for PGA Jeugd.")
    elif result:
        errors["jeugd_result"] = _("A closure result is only recorded for PGA Jeugd cases.")
    clean["jeugd_result"] = result
    kinds, known = _partner_kinds(evaluation.get("partners_involved"))
    if not known:
        errors["partners_involved"] = _("Choose the partners involved from the list.")
    clean["partners_involved"] = kinds
    if errors:
        raise ClosureRefused(errors)
    return clean


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor: User,
    evaluation: Mapping[str, Any],
    to_status: str = "afgesloten",
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Store the evaluation, close the case (or hand over direction), invite to the survey."""
    _require_staff(actor)
    _require_write_access(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_status not in workflow.CLOSED_STATUSES or not workflow.is_allowed(
        case.kind, case.status, to_status
    ):
        raise CaseworkError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": workflow.status_label(case.status), "to": workflow.status_label(to_status)}
        )
    clean = evaluation_validate(case=case, evaluation=evaluation)
    partners = clean.pop("partners_involved")
    record, _created = CaseEvaluation.objects.update_or_create(
        case=case, defaults={**clean, "evaluated_by": actor, "evaluated_at": timezone.now()}
    )
    record.partners_involved.set(partners)
    case = case_transition(case=case, to_status=to_status, actor=actor, note=note, request=request)
    audit.record(action="case.close", user=actor, request=request, obj=case, purpose=to_status)
    survey_invitations_create(case=case, actor=actor, request=request)
    return case
