"""Import historical cases from the old registration system (GCOS) as CSV.

One entry point, ``import_cases``: it reads the whole file, validates every row and
writes only when the file is entirely clean *and* ``commit=True``, in one transaction.
The reference is the natural key, so importing the same file again updates the cases
it created before and never duplicates them; a case made in the portal is never
overwritten. Imported cases carry no personal data: the file has no such columns, and
the encrypted personal fields stay empty. Every run is audited with counts only.

Column by column rules, accepted spellings and derivations: docs/casework-import.md.
"""

import csv
import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import locks
from portal.models import Basisteam, Municipality

from . import audit
from .crypto import case_fernet
from .models import (
    Achievement,
    Case,
    CaseEvaluation,
    CaseKind,
    CaseSource,
    ClosureReason,
    JeugdClosureResult,
    JeugdEntry,
    PartnerKind,
    TriageOutcome,
    Urgency,
    WeegtafelDecision,
)

COLUMNS = (
    "reference",
    "kind",
    "registered_on",
    "municipality",
    "registering_partner",
    "triage_outcome",
    "started_on",
    "closed_on",
    "content_goal",
    "process_goal_1",
    "process_goal_2",
    "process_goal_3",
    "extra_expertise",
    "escalated",
    "policy_signal",
    "partners_involved",
    "closure_reason",
    "entry_channel",
    "region",
)
EVALUATION_COLUMNS = COLUMNS[COLUMNS.index("content_goal") : COLUMNS.index("closure_reason") + 1]
GOAL_COLUMNS = ("content_goal", "process_goal_1", "process_goal_2", "process_goal_3")
FLAG_COLUMNS = ("extra_expertise", "escalated", "policy_signal")

# An upload larger than this is refused before it is parsed (GCOS exports are a few
# hundred kB for ten years of cases).
MAX_BYTES = 5 * 1024 * 1024
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalise(value: str) -> str:
    """Case-, dash- and spacing-insensitive form used to match labels and names."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = re.sub(r"[-–—_/()]+", " ", text)
    return " ".join(text.split())


class Vocabulary:
    """Accepted spellings of a column's values; the first spelling of each is shown in
    error messages."""

    def __init__(self, pairs: dict[str, list[str]]) -> None:
        self.values = {
            normalise(alias): value for value, aliases in pairs.items() for alias in aliases
        }
        self.labels = [aliases[0] for aliases in pairs.values()]

    def get(self, value: str):
        return self.values.get(normalise(value))

    def __contains__(self, value: str) -> bool:
        return normalise(value) in self.values


KINDS = Vocabulary(
    {
        CaseKind.COM: ["COM", "casus op maat", "casus op maat (com)"],
        CaseKind.ADVIES: ["Advies", "adviesvraag", "adviesaanvraag", "advies aanvraag"],
        CaseKind.PGA_R: ["PGA-R", "pgar", "pga radicalisering", "pga-radicalisering"],
        CaseKind.PGA_JEUGD: ["PGA Jeugd", "pga-jeugd", "pga jeugd (hic)", "pga hic"],
        CaseKind.PGA_OG: [
            "PGA OG",
            "pga-og",
            "pga onbegrepen gedrag",
            "pga verward gedrag",
        ],
        CaseKind.MDA: ["MDA++", "mda", "mda+"],
    }
)
TRIAGE_OUTCOMES = Vocabulary(
    {
        TriageOutcome.PENDING: ["in triage", "nog in triage"],
        TriageOutcome.PROCESREGIE: ["procesregie", "in procesregie", "procesregie gestart"],
        TriageOutcome.ADVIES: ["advies", "advies gegeven"],
        TriageOutcome.NIET_OPGEPAKT: ["niet opgepakt", "niet-opgepakt"],
    }
)
ACHIEVEMENTS = Vocabulary(
    {
        Achievement.FULLY: ["volledig", "volledig behaald", "volledig bereikt"],
        Achievement.PARTLY: ["deels", "gedeeltelijk", "deels behaald", "deels bereikt"],
        Achievement.NOT: ["niet", "niet behaald", "niet bereikt"],
    }
)
FLAGS = Vocabulary({"ja": ["ja", "j"], "nee": ["nee", "n"]})
CLOSURE_REASONS = Vocabulary(
    {
        ClosureReason.GOAL_REACHED: ["doel bereikt", "doel-bereikt"],
        ClosureReason.HANDED_OVER: ["overgedragen", "regie overgedragen"],
        ClosureReason.ADVICE_GIVEN: ["advies gegeven", "advies-gegeven"],
        ClosureReason.NOT_TAKEN_UP: ["niet opgepakt", "niet-opgepakt"],
        ClosureReason.NO_OPTIONS: ["geen mogelijkheden", "geen mogelijkheden meer"],
        ClosureReason.MOVED: ["verhuisd", "verhuisd uit de regio"],
        ClosureReason.DECEASED: ["overleden"],
        ClosureReason.OTHER: ["anders", "overig", "overige"],
    }
)
# PGA Jeugd is closed with one of the 2019 report's results; the general closure reason
# follows from it.
JEUGD_RESULTS = Vocabulary(
    {
        JeugdClosureResult.POSITIVE: [
            "systeemaanpak positief bijgedragen",
            "systeemaanpak positief",
            "systeemaanpak heeft positief bijgedragen",
        ],
        JeugdClosureResult.NO_OPTIONS: [
            "geen mogelijkheden meer in PGA",
            "geen mogelijkheden pga",
            "geen mogelijkheden meer",
            "geen mogelijkheden",
        ],
        JeugdClosureResult.DETENTION: ["langdurige detentie"],
        JeugdClosureResult.NEVER: ["nooit actief opgepakt"],
        JeugdClosureResult.DECEASED: ["overleden"],
    }
)
JEUGD_REASON = {
    JeugdClosureResult.POSITIVE: ClosureReason.GOAL_REACHED,
    JeugdClosureResult.NO_OPTIONS: ClosureReason.NO_OPTIONS,
    JeugdClosureResult.DETENTION: ClosureReason.OTHER,
    JeugdClosureResult.NEVER: ClosureReason.NOT_TAKEN_UP,
    JeugdClosureResult.DECEASED: ClosureReason.DECEASED,
}
ENTRY_CHANNELS = Vocabulary(
    {
        JeugdEntry.BLUELIST: ["bluelist", "blue list"],
        JeugdEntry.KOPSTUK: ["kopstuk"],
        JeugdEntry.REST: ["restcategorie", "rest categorie", "restcategorie via de driehoek"],
    }
)
WEEGTAFEL_BY_OUTCOME = {
    TriageOutcome.PROCESREGIE: WeegtafelDecision.OPGEPAKT,
    TriageOutcome.ADVIES: WeegtafelDecision.ONDERSTEUND,
}


@dataclass(frozen=True)
class RowError:
    line: int
    reference: str
    message: str


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
    evaluation: dict | None
    partners: list[PartnerKind]
    existing: Case | None


@dataclass
class ImportResult:
    rows_read: int = 0
    to_create: list[str] = field(default_factory=list)
    to_update: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The file could not be read as a GCOS CSV at all (encoding, header): nothing per row.
    unreadable: bool = False
    committed: bool = False
    digest: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})


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


# --- Reading --------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ValueError(_("This is not a CSV file: it contains binary data."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("The file is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8”.")
        ) from exc


def _delimiter(header_line: str) -> str:
    # The header holds only our column names, so counting is enough to tell the two apart.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _records(text: str):
    """Yield (line number where the record starts, fields); blank lines are skipped."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    previous_end = 0
    for fields in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not fields or all(not value.strip() for value in fields):
            continue
        yield start, fields


# --- Validation -----------------------------------------------------------------


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


def _choice(value: str, vocabulary: Vocabulary, column: str, problems: list[str]):
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

    kind = None
    if not values["kind"]:
        problems.append(_("kind is empty."))
    else:
        kind = _choice(values["kind"], KINDS, "kind", problems)

    registered_on = _date(values["registered_on"], "registered_on", problems)
    if not values["registered_on"]:
        problems.append(_("registered_on is empty."))

    municipality = None
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


def _validate_evaluation(values, kind, closed_on, problems, lookups):
    filled = [column for column in EVALUATION_COLUMNS if values[column]]
    if not values["closed_on"]:
        if filled:
            problems.append(
                _("%(columns)s filled in for a case that is not closed (closed_on is empty).")
                % {"columns": ", ".join(filled)}
            )
        return None, []

    evaluation: dict = {}
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

    partners = []
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


def _read(data: bytes, result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as dicts of stripped strings, or file-level errors in ``result``."""
    try:
        text = _decode(data)
    except ValueError as exc:
        result.unreadable = True
        result.errors.append(RowError(1, "", str(exc)))
        return []
    try:
        records = list(_records(text))
    except csv.Error as exc:
        result.unreadable = True
        result.errors.append(
            RowError(
                1, "", _("The file could not be read as CSV (%(problem)s).") % {"problem": exc}
            )
        )
        return []
    if not records:
        result.unreadable = True
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return []
    header_line, header = records[0]
    header = [normalise(name).replace(" ", "_") for name in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        result.unreadable = True
        result.errors.append(
            RowError(
                header_line,
                "",
                _("The header lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
        return []
    doubled = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
    if doubled:
        result.unreadable = True
        result.errors.append(
            RowError(
                header_line,
                "",
                _("The header has the column(s) %(columns)s more than once.")
                % {"columns": ", ".join(doubled)},
            )
        )
        return []
    rows = []
    for line, fields in records[1:]:
        if len(fields) != len(header):
            result.errors.append(
                RowError(
                    line,
                    (fields[0].strip() if fields else "")[:40],
                    _("This line has %(found)s fields; the header has %(expected)s.")
                    % {"found": len(fields), "expected": len(header)},
                )
            )
            rows.append((line, None))
            continue
        # Extra columns (GCOS exports more) are ignored: they may hold personal data.
        rows.append(
            (
                line,
                {
                    name: value.strip()
                    for name, value in zip(header, fields, strict=True)
                    if name in COLUMNS
                },
            )
        )
    return rows


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


# --- Writing --------------------------------------------------------------------


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
    fields = [Case._meta.get_field(name) for name in CASE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Case._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model
    params = [
        [f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields] + [case.pk]
        for case in cases
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


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
            evaluated_at=_midnight(row.closed_on),
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


def import_cases(*, data: bytes, commit: bool = False, user=None, request=None) -> ImportResult:
    """Validate a GCOS CSV export and, when clean and asked for, import it.

    Nothing is written unless every row is valid and ``commit`` is true; the commit
    is one transaction. The run is audited with counts only, never row contents.
    """
    result = ImportResult(digest=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_BYTES:
        result.unreadable = True
        result.errors.append(
            RowError(
                1,
                "",
                _("The file is too large. The maximum is %(mb)s MB.")
                % {"mb": MAX_BYTES // (1024 * 1024)},
            )
        )
    elif not commit:
        _validate(data, result)
    else:
        try:
            with transaction.atomic():
                # Two imports at once could both decide to create the same reference.
                locks.advisory_xact_lock(locks.LockKey.CASE_IMPORT)
                rows = _validate(data, result)
                if result.ok:
                    _write(rows)
                    result.committed = True
                    # In the transaction: no import without its audit entry.
                    _audit(result, user=user, request=request)
                    return result
        except IntegrityError:
            # A portal case took one of the references between the check and the write.
            result.committed = False
            result.errors.append(
                RowError(
                    1,
                    "",
                    _("The cases changed during the import; nothing was imported. Try again."),
                )
            )
    _audit(result, user=user, request=request)
    return result


def _audit(result: ImportResult, *, user, request) -> None:
    mode = "commit" if result.committed else "dry-run"
    audit.record(
        action="case.import",
        user=user,
        request=request,
        object_type="import",
        object_id=result.digest,
        purpose=(
            f"{mode} rows={result.rows_read} create={len(result.to_create)} "
            f"update={len(result.to_update)} errors={len(result.errors)}"
        ),
        result="committed" if result.committed else ("checked" if result.ok else "refused"),
    )


# --- An upload waiting for confirmation ----------------------------------------------
# The admin upload shows the dry run first; the file waits, encrypted, in a private
# directory until it is confirmed or abandoned (removed after PENDING_SECONDS).

PENDING_SECONDS = 60 * 60
_TOKEN_RE = re.compile(r"^[0-9a-f]{48}$")


def _pending_dir() -> Path:
    return Path(settings.CASEWORK_ATTACHMENT_ROOT) / "gcos-import"


def pending_store(data: bytes) -> str:
    pending_purge()
    directory = _pending_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_hex(24)
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(case_fernet().encrypt(data))
    return token


def pending_load(token: str) -> bytes | None:
    if not _TOKEN_RE.match(token or ""):
        return None
    path = _pending_dir() / token
    if not path.exists() or time.time() - path.stat().st_mtime > PENDING_SECONDS:
        return None
    return case_fernet().decrypt(path.read_bytes())


def pending_remove(token: str) -> None:
    if _TOKEN_RE.match(token or ""):
        (_pending_dir() / token).unlink(missing_ok=True)


def pending_purge() -> int:
    """Remove uploads that were never confirmed."""
    directory = _pending_dir()
    if not directory.exists():
        return 0
    removed = 0
    for path in directory.iterdir():
        if time.time() - path.stat().st_mtime > PENDING_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
