"""Writing validated rows: the case's status and report dimensions derived from the row,
then bulk writes of cases, evaluations and partners involved."""

from datetime import date, datetime
from datetime import time as dt_time
from typing import Any, overload

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from ..models import (
    Case,
    CaseEvaluation,
    CaseKind,
    CaseSource,
    ClosureReason,
    TriageOutcome,
    Urgency,
)
from .validation import CaseRow
from .vocabulary import WEEGTAFEL_BY_OUTCOME


@overload
def _midnight(day: date) -> datetime: ...
@overload
def _midnight(day: None) -> None: ...
def _midnight(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, dt_time.min), timezone.get_default_timezone())


def _status(row: CaseRow) -> str:
    """The status the case has now, as the kind's workflow would have left it."""
    if row.closed_on:
        return "afgesloten"
    if row.started_on:
        return "in_procesregie"
    outcome = row.triage_outcome
    if row.kind == CaseKind.ADVIES:
        return "advies_gegeven" if outcome == TriageOutcome.ADVIES else "in_behandeling"
    if row.kind == CaseKind.PGA_R:
        return "niet_opgepakt_ondersteund" if outcome == TriageOutcome.ADVIES else "weegtafel"
    if outcome == TriageOutcome.ADVIES:
        return "advies_gegeven"
    if outcome == TriageOutcome.NIET_OPGEPAKT:
        return "niet_opgepakt"
    return "in_triage"


def _triage_outcome(row: CaseRow) -> str:
    if row.triage_outcome:
        return row.triage_outcome
    if row.started_on:
        return TriageOutcome.PROCESREGIE
    if row.kind == CaseKind.ADVIES and row.closed_on:
        return TriageOutcome.ADVIES
    reason = (row.evaluation or {}).get("closure_reason")
    if reason == ClosureReason.ADVICE_GIVEN:
        return TriageOutcome.ADVIES
    if reason == ClosureReason.NOT_TAKEN_UP and row.kind != CaseKind.PGA_JEUGD:
        return TriageOutcome.NIET_OPGEPAKT
    return TriageOutcome.PENDING


CASE_FIELDS = [
    "kind",
    "status",
    "status_changed_at",
    "submitted_at",
    "closed_at",
    "municipality",
    "registering_kind",
    "region",
    "triage_outcome",
    "triaged_at",
    "direction_started_at",
    "weegtafel_decision",
    "jeugd_entry",
    "urgency",
]
BATCH = 500


def _fill(case: Case, row: CaseRow) -> Case:
    submitted_at = _midnight(row.registered_on)
    started_at = _midnight(row.started_on)
    closed_at = _midnight(row.closed_on)
    outcome = _triage_outcome(row)
    case.kind = row.kind
    case.status = _status(row)
    case.status_changed_at = closed_at or started_at or submitted_at
    case.submitted_at = submitted_at
    case.closed_at = closed_at
    case.municipality = row.municipality
    case.registering_kind = row.registering_kind
    case.region = row.region
    case.triage_outcome = outcome
    # GCOS has no triage date: the first later date it does have is the best estimate.
    case.triaged_at = (started_at or closed_at or submitted_at) if outcome else None
    case.direction_started_at = started_at
    case.weegtafel_decision = (
        WEEGTAFEL_BY_OUTCOME.get(outcome, "") if row.kind == CaseKind.PGA_R else ""
    )
    case.jeugd_entry = row.jeugd_entry
    case.urgency = case.urgency or Urgency.NORMAL
    return case


def _update(cases: list[Case]) -> None:
    """One parameterised UPDATE per case, sent as a batch: Django's bulk_update builds
    a CASE expression per field and row, which takes over a minute for 5,000 cases."""
    if not cases:
        return
    fields: list[Field[Any, Any]] = []
    columns: list[str] = []
    for name in CASE_FIELDS:
        field = Case._meta.get_field(name)
        # get_field() also returns relations seen from the other side and generic keys;
        # CASE_FIELDS names only the case's own columns (and foreign keys).
        if not isinstance(field, Field) or field.column is None:
            raise TypeError(f"CASE_FIELDS: Case.{name} is not a field with a column")
        fields.append(field)
        columns.append(field.column)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    sql = f"UPDATE {quote(Case._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model
    params = [
        [f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields] + [case.pk]
        for case in cases
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _closed_on(row: CaseRow) -> date:
    """The closing date of a row with an evaluation: validation only accepts an
    evaluation for a case closed on a valid date."""
    if row.closed_on is None:
        raise ValueError(f"line {row.line}: an evaluation for a case without closed_on")
    return row.closed_on


def _write(rows: list[CaseRow]) -> None:
    """Bulk writes: a few queries per 500 rows, so ten years of cases fit in a request."""
    new = [
        _fill(Case(reference=row.reference, source=CaseSource.GCOS), row)
        for row in rows
        if not row.existing
    ]
    old = [_fill(row.existing, row) for row in rows if row.existing]
    Case.objects.bulk_create(new, batch_size=BATCH)
    _update(old)
    cases = {case.reference: case for case in [*new, *old]}
    # The file is the truth: an imported case's evaluation is replaced (or removed when
    # the case is open again). Nothing else refers to an evaluation.
    CaseEvaluation.objects.filter(case__in=old).delete()
    evaluations = [
        CaseEvaluation(
            case=cases[row.reference],
            evaluated_at=_midnight(_closed_on(row)),
            **row.evaluation,
        )
        for row in rows
        if row.evaluation is not None
    ]
    CaseEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    through = CaseEvaluation.partners_involved.through
    partners_of = {row.reference: row.partners for row in rows}
    links = [
        through(caseevaluation_id=evaluation.pk, partnerkind_id=kind.pk)
        for evaluation in evaluations
        for kind in partners_of[evaluation.case.reference]
    ]
    through.objects.bulk_create(links, batch_size=BATCH * 4)
