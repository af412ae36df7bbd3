"""Validating the rows and mapping them to ``CaseRow``s: every rule per column and the
rules between columns (docs/casework-import.md)."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Basisteam, Municipality

from ..models import Case, CaseKind, CaseSource, PartnerKind, TriageOutcome
from .reading import EVALUATION_COLUMNS, FLAG_COLUMNS, GOAL_COLUMNS, _read
from .result import ImportResult, RowError
from .vocabulary import (
    ACHIEVEMENTS,
    CLOSURE_REASONS,
    ENTRY_CHANNELS,
    FLAGS,
    JEUGD_REASON,
    JEUGD_RESULTS,
    KINDS,
    TRIAGE_OUTCOMES,
    Vocabulary,
    normalise,
)

REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class CaseRow:
    """One validated row: everything needed to write the case and its evaluation."""

    line: int
    reference: str
    kind: str
    registered_on: date
    municipality: Municipality
    registering_kind: PartnerKind | None
    triage_outcome: str
    started_on: date | None
    closed_on: date | None
    jeugd_entry: str
    region: Basisteam | None
    evaluation: dict[str, Any] | None
    partners: list[PartnerKind]
    existing: Case | None


class _Lookups:
    """Reference data read once per run, matched by normalised name (or code)."""

    def __init__(self) -> None:
        self.municipalities = {normalise(m.name): m for m in Municipality.objects.all()}
        self.basisteams = {normalise(b.name): b for b in Basisteam.objects.all()}
        self.partner_kinds: dict[str, PartnerKind] = {}
        for kind in PartnerKind.objects.all():
            self.partner_kinds[normalise(kind.code)] = kind
            self.partner_kinds[normalise(kind.name)] = kind
        self.first_basisteam = {}
        for municipality in Municipality.objects.prefetch_related("basisteams"):
            teams = sorted(municipality.basisteams.all(), key=lambda team: team.name)
            self.first_basisteam[municipality.pk] = teams[0] if teams else None


def _date(value: str, column: str, problems: list[str]) -> date | None:
    if not value:
        return None
    parsed = None
    if ISO_DATE_RE.match(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        problems.append(
            _("%(column)s: “%(value)s” is not a valid date; write it as YYYY-MM-DD.")
            % {"column": column, "value": value}
        )
        return None
    if parsed > timezone.localdate():
        problems.append(
            _("%(column)s: %(value)s lies in the future.") % {"column": column, "value": value}
        )
        return None
    return parsed


def _choice(value: str, vocabulary: Vocabulary, column: str, problems: list[str]) -> str | None:
    """The value's code, "" when empty, or None (with a problem) when it is unknown."""
    if not value:
        return ""
    found = vocabulary.get(value)
    if found is None:
        problems.append(
            _("%(column)s: unknown value “%(value)s”. Allowed: %(allowed)s.")
            % {
                "column": column,
                "value": value,
                "allowed": ", ".join(vocabulary.labels),
            }
        )
    return found


def _validate_row(
    line: int, values: dict[str, str], lookups: _Lookups, existing: Case | None
) -> tuple[CaseRow | None, list[str]]:
    problems: list[str] = []
    reference = values["reference"]

    if not reference:
        problems.append(_("reference is empty."))
    elif not REFERENCE_RE.match(reference):
        problems.append(
            _(
                "reference: “%(value)s” is not a valid reference (at most 20 letters, digits, "
                "dots, dashes or slashes)."
            )
            % {"value": reference[:40]}
        )
    if existing is not None and existing.source != CaseSource.GCOS:
        problems.append(
            _(
                "reference %(reference)s belongs to a case created in the portal; an import "
                "never overwrites it."
            )
            % {"reference": reference}
        )

    kind: str | None = None
    if not values["kind"]:
        problems.append(_("kind is empty."))
    else:
        kind = _choice(values["kind"], KINDS, "kind", problems)

    registered_on = _date(values["registered_on"], "registered_on", problems)
    if not values["registered_on"]:
        problems.append(_("registered_on is empty."))

    municipality: Municipality | None = None
    if not values["municipality"]:
        problems.append(_("municipality is empty."))
    else:
        municipality = lookups.municipalities.get(normalise(values["municipality"]))
        if municipality is None:
            problems.append(
                _("municipality: unknown municipality “%(value)s”.")
                % {"value": values["municipality"]}
            )

    registering_kind = None
    if values["registering_partner"]:
        registering_kind = lookups.partner_kinds.get(normalise(values["registering_partner"]))
        if registering_kind is None:
            problems.append(
                _("registering_partner: unknown partner kind “%(value)s”.")
                % {"value": values["registering_partner"]}
            )

    outcome = _choice(values["triage_outcome"], TRIAGE_OUTCOMES, "triage_outcome", problems)
    started_on = _date(values["started_on"], "started_on", problems)
    closed_on = _date(values["closed_on"], "closed_on", problems)

    if registered_on and started_on and started_on < registered_on:
        problems.append(
            _("started_on (%(started)s) lies before registered_on (%(registered)s).")
            % {"started": started_on, "registered": registered_on}
        )
    if registered_on and closed_on and closed_on < registered_on:
        problems.append(
            _("closed_on (%(closed)s) lies before registered_on (%(registered)s).")
            % {"closed": closed_on, "registered": registered_on}
        )
    if started_on and closed_on and closed_on < started_on:
        problems.append(
            _("closed_on (%(closed)s) lies before started_on (%(started)s).")
            % {"closed": closed_on, "started": started_on}
        )

    # The triage outcome and the start of procesregie must tell the same story.
    if kind == CaseKind.ADVIES:
        if started_on or values["started_on"]:
            problems.append(_("started_on: an advice request is never taken into procesregie."))
        if outcome and outcome != TriageOutcome.ADVIES:
            problems.append(
                _("triage_outcome: an advice request can only have the outcome advies.")
            )
    else:
        if outcome == TriageOutcome.PROCESREGIE and not values["started_on"]:
            problems.append(_("started_on is empty, but triage_outcome is procesregie."))
        if values["started_on"] and outcome in (TriageOutcome.ADVIES, TriageOutcome.NIET_OPGEPAKT):
            problems.append(
                _("started_on is filled in, but triage_outcome says the case was not taken up.")
            )
        if kind == CaseKind.PGA_R and outcome == TriageOutcome.NIET_OPGEPAKT:
            problems.append(
                _(
                    "triage_outcome: a PGA-R signal that is not taken up counts as advies "
                    "(aanmelder supported)."
                )
            )

    jeugd_entry = _choice(values["entry_channel"], ENTRY_CHANNELS, "entry_channel", problems)
    if kind == CaseKind.PGA_JEUGD and not values["entry_channel"]:
        problems.append(
            _("entry_channel is empty; a PGA Jeugd case needs bluelist, kopstuk or restcategorie.")
        )
    if kind and kind != CaseKind.PGA_JEUGD and values["entry_channel"]:
        problems.append(_("entry_channel is only for PGA Jeugd cases."))

    region = None
    if values["region"]:
        region = lookups.basisteams.get(normalise(values["region"]))
        if region is None:
            problems.append(
                _("region: unknown basisteam “%(value)s”.") % {"value": values["region"]}
            )

    if region is None and municipality is not None:
        # As for an aanmelding in the portal: the municipality's first basisteam by name.
        region = lookups.first_basisteam.get(municipality.pk)

    evaluation, partners = _validate_evaluation(values, kind, closed_on, problems, lookups)

    if problems:
        return None, problems
    # Without problems every required column was filled in and known; say so to the
    # type checker, and fail loudly should a rule above ever stop guaranteeing it.
    if (
        kind is None
        or registered_on is None
        or municipality is None
        or outcome is None
        or jeugd_entry is None
    ):
        raise AssertionError(f"line {line}: a row without problems lacks a required value")
    return (
        CaseRow(
            line=line,
            reference=reference,
            kind=kind,
            registered_on=registered_on,
            municipality=municipality,
            registering_kind=registering_kind,
            triage_outcome=outcome,
            started_on=started_on,
            closed_on=closed_on,
            jeugd_entry=jeugd_entry,
            region=region,
            evaluation=evaluation,
            partners=partners,
            existing=existing,
        ),
        problems,
    )


def _validate_evaluation(
    values: dict[str, str],
    kind: str | None,
    closed_on: date | None,
    problems: list[str],
    lookups: _Lookups,
) -> tuple[dict[str, Any] | None, list[PartnerKind]]:
    filled = [column for column in EVALUATION_COLUMNS if values[column]]
    if not values["closed_on"]:
        if filled:
            problems.append(
                _("%(columns)s filled in for a case that is not closed (closed_on is empty).")
                % {"columns": ", ".join(filled)}
            )
        return None, []

    evaluation: dict[str, Any] = {}
    for column in GOAL_COLUMNS:
        evaluation[column] = _choice(values[column], ACHIEVEMENTS, column, problems) or ""
    goals = [column for column in GOAL_COLUMNS if values[column]]
    if goals and not values["started_on"]:
        problems.append(
            _("%(columns)s: goals are only evaluated for a case that was in procesregie.")
            % {"columns": ", ".join(goals)}
        )
    for column in FLAG_COLUMNS:
        evaluation[column] = _choice(values[column], FLAGS, column, problems) == "ja"

    partners: list[PartnerKind] = []
    for name in (part.strip() for part in values["partners_involved"].split(";")):
        if not name:
            continue
        kind_found = lookups.partner_kinds.get(normalise(name))
        if kind_found is None:
            problems.append(
                _("partners_involved: unknown partner kind “%(value)s”.") % {"value": name}
            )
        elif kind_found not in partners:
            partners.append(kind_found)

    evaluation["jeugd_result"] = ""
    reason = values["closure_reason"]
    if not reason:
        problems.append(_("closure_reason is empty; a closed case needs one."))
    elif kind == CaseKind.PGA_JEUGD:
        result = _choice(reason, JEUGD_RESULTS, "closure_reason", problems)
        if result:
            evaluation["jeugd_result"] = result
            evaluation["closure_reason"] = JEUGD_REASON[result]
    else:
        found = CLOSURE_REASONS.get(reason)
        if found is None and reason in JEUGD_RESULTS:
            problems.append(
                _("closure_reason: “%(value)s” is a PGA Jeugd result; this case is no PGA Jeugd.")
                % {"value": reason}
            )
        else:
            evaluation["closure_reason"] = _choice(
                reason, CLOSURE_REASONS, "closure_reason", problems
            )
    return evaluation, partners


def _validate(data: bytes, result: ImportResult) -> list[CaseRow]:
    rows = _read(data, result)
    result.rows_read = len(rows)
    if result.unreadable:
        return []
    lookups = _Lookups()
    references = [values["reference"] for _line, values in rows if values]
    existing = {
        case.reference: case
        for case in Case.objects.filter(reference__in=[r for r in references if r])
    }
    seen: dict[str, int] = {}
    valid: list[CaseRow] = []
    for line, values in rows:
        if values is None:
            continue
        reference = values["reference"]
        case_row, problems = _validate_row(line, values, lookups, existing.get(reference))
        if reference and reference in seen:
            problems.append(
                _("reference %(reference)s already appears on line %(line)s.")
                % {"reference": reference, "line": seen[reference]}
            )
            case_row = None
        seen.setdefault(reference, line)
        for problem in problems:
            result.errors.append(RowError(line, reference[:40], problem))
        if case_row is not None:
            valid.append(case_row)
    for row in valid:
        (result.to_update if row.existing else result.to_create).append(row.reference)
    result.errors.sort(key=lambda error: error.line)
    return valid
