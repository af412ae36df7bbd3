"""The annual report as labelled tables, and as CSV and XLSX built from those tables.

The admin page, the CSV and the XLSX show the same tables in the same order; the JSON
(``manage.py casework_report --format json``) is the report dict itself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from openpyxl import Workbook

from .models import (
    Achievement,
    CaseKind,
    JeugdClosureResult,
    JeugdEntry,
    SurveyInvitation,
    WeegtafelDecision,
)
from .reports import KINDS, THROUGHPUT_BUCKETS

CHART_WIDTH = 320  # px: the longest bar
BAR_SPACING = 22  # px from one bar to the next


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    # Index of the column drawn as bars, and optionally of a second one to compare with.
    chart: int | None = None
    compare: int | None = None
    # The totals row: shown last, never drawn as a bar.
    total: list | None = None

    @property
    def all_rows(self) -> list[list]:
        return self.rows + ([self.total] if self.total else [])

    @property
    def chart_height(self) -> int:
        return len(self.rows) * BAR_SPACING + 4

    def bars(self) -> list[dict]:
        """Bar lengths for the admin's inline SVG chart."""
        if self.chart is None:
            return []
        columns = [self.chart] + ([self.compare] if self.compare is not None else [])
        values = [row[index] for row in self.rows for index in columns]
        largest = max([value for value in values if isinstance(value, int | float)] or [0])
        bars = []
        for index, row in enumerate(self.rows):
            bar = {
                "label": row[0],
                "value": row[self.chart],
                "width": 0,
                "compare_width": None,
                "y": index * BAR_SPACING,
            }
            if largest and isinstance(row[self.chart], int | float):
                bar["width"] = round(CHART_WIDTH * row[self.chart] / largest)
            if self.compare is not None and largest and isinstance(row[self.compare], int | float):
                bar["compare_width"] = round(CHART_WIDTH * row[self.compare] / largest)
            bars.append(bar)
        return bars


@dataclass
class Section:
    title: str
    tables: list[Table]


def _kind_label(kind: str) -> str:
    return str(CaseKind(kind).label)


def _or_dash(value):
    return "—" if value is None else value


def report_tables(report: dict) -> list[Section]:
    """Every table of the report, with translated labels."""
    return [
        _registrations(report["registrations"]),
        _direction(report["direction"]),
        _closed(report["closed"], report["throughput_weeks"]),
        _evaluation(report["evaluation"], report["partners_involved"]),
        _satisfaction(report["satisfaction"]),
        _pga(report["pga_jeugd"], report["pga_r"]),
        _prognosis(report["prognosis"]),
        _procesregie(report["procesregie"]),
    ]


def _registrations(data: dict) -> Section:
    outcome_labels = [
        ("procesregie", _("Taken into procesregie")),
        ("advies", _("Advice given")),
        ("niet-opgepakt", _("Not taken up")),
        ("in-triage", _("Still in triage at period end")),
        ("unknown", _("Unknown (destroyed)")),
    ]
    by_kind = Table(
        _("Registrations per kind and triage outcome"),
        [_("Kind"), _("Case registrations")] + [label for _key, label in outcome_labels],
        chart=1,
    )
    for kind in KINDS:
        outcomes = data["by_kind_and_triage_outcome"][kind]
        by_kind.rows.append(
            [_kind_label(kind), data["by_kind"][kind]]
            + [outcomes[key] for key, _l in outcome_labels]
        )
    by_kind.total = [_("Total"), data["total"]] + [
        data["by_triage_outcome"][key] for key, _l in outcome_labels
    ]
    municipalities = Table(
        _("Registrations per municipality"),
        [_("Municipality"), _("Case registrations")],
        [[row["name"], row["count"]] for row in data["by_municipality"]],
        chart=1,
    )
    partners = Table(
        _("Registrations per registering partner"),
        [_("Registering partner"), _("Case registrations")],
        [
            [row["name"] or _("Unknown"), row["count"]]
            for row in data["by_registering_partner"]
            if row["count"] or row["code"]
        ],
        chart=1,
    )
    return Section(_("Case registrations"), [by_kind, municipalities, partners])


def _direction(data: dict) -> Section:
    keys = [
        ("started", _("Started in the period")),
        ("carried_over", _("Carried over")),
        ("total", _("In procesregie in the period")),
        ("closed", _("Closed in the period")),
        ("running_into_next_period", _("Running into the next period")),
        ("running_into_next_period_started_in_period", _("of which started in the period")),
        ("municipalities", _("Municipalities")),
    ]
    table = Table(_("Cases in procesregie"), [_("Kind")] + [label for _k, label in keys])
    for kind in KINDS:
        table.rows.append([_kind_label(kind)] + [data["by_kind"][kind][key] for key, _l in keys])
    table.total = [_("Total")] + [data[key] for key, _l in keys]
    return Section(_("Procesregie"), [table])


def _closed(closed: dict, throughput: dict) -> Section:
    by_year = Table(
        _("Closed cases by year of registration"),
        [_("Year of registration"), _("Closed")] + [_kind_label(kind) for kind in KINDS],
    )
    for row in closed["by_start_year"]:
        by_year.rows.append([row["year"], row["total"]] + [row["by_kind"][k] for k in KINDS])
    by_year.total = [_("Total"), closed["total"]] + [closed["by_kind"][k] for k in KINDS]
    bucket_keys = [key for key, _low, _high in THROUGHPUT_BUCKETS]
    weeks = Table(
        _("Throughput in weeks (cases closed in the period)"),
        [_("Kind"), _("Cases"), _("Minimum"), _("Median"), _("Maximum")]
        + [_("%(range)s weeks") % {"range": key} for key in bucket_keys],
    )

    def throughput_row(label, figures) -> list:
        return (
            [label, figures["cases"]]
            + [_or_dash(figures[key]) for key in ("min", "median", "max")]
            + [figures["buckets"][key] for key in bucket_keys]
        )

    weeks.rows = [throughput_row(_kind_label(k), throughput["by_kind"][k]) for k in KINDS]
    weeks.total = throughput_row(_("Total"), throughput)
    distribution = Table(
        _("Throughput distribution"),
        [_("Weeks"), _("Cases")],
        [[key, throughput["buckets"][key]] for key in bucket_keys],
        chart=1,
    )
    return Section(_("Closed cases"), [by_year, weeks, distribution])


def _goal_rows(figures: dict) -> list[list]:
    names = [
        ("content_goal", _("Content goal")),
        ("process_goal_1", _("1. Shared picture and interest")),
        ("process_goal_2", _("2. Integral plan van aanpak")),
        ("process_goal_3", _("3. Monitoring, steering and coaching")),
    ]
    return [
        [label, figures[goal]["answered"]]
        + [_or_dash(figures[goal]["percent"][level]) for level in Achievement.values]
        for goal, label in names
    ]


def _evaluation(data: dict, partners: list[dict]) -> Section:
    level_columns = [_("%(level)s (%%)") % {"level": label} for label in Achievement.labels]
    goals = Table(
        _("Goals of the cases closed in the period"),
        [_("Goal"), _("Evaluations with this goal")] + level_columns,
        _goal_rows(data),
    )
    per_kind = Table(
        _("Goals per kind"), [_("Kind"), _("Goal"), _("Evaluations with this goal")] + level_columns
    )
    for kind in KINDS:
        if data["by_kind"][kind]["evaluations"]:
            per_kind.rows += [
                [_kind_label(kind), *row] for row in _goal_rows(data["by_kind"][kind])
            ]
    extras = Table(
        _("Extras"),
        [_("Item"), _("Cases"), _("Percentage of evaluations")],
        [
            [label, data["extras"][key]["count"], _or_dash(data["extras"][key]["percent"])]
            for key, label in [
                ("extra_expertise", _("Extra expertise brought in")),
                ("escalated", _("Escalated to administration or management")),
                ("policy_signal", _("Policy bottleneck signalled to a partner")),
            ]
        ],
    )
    involved = Table(
        _("Partners involved in the cases closed in the period"),
        [_("Partner"), _("Cases")],
        [[row["name"], row["count"]] for row in partners],
        chart=1,
    )
    return Section(
        _("Evaluation (%(count)s closed cases evaluated)") % {"count": data["evaluations"]},
        [goals, per_kind, extras, involved],
    )


def _satisfaction(data: dict) -> Section:
    table = Table(
        _("Closing-satisfaction survey"),
        [
            _("Group"),
            _("Invitations"),
            _("Responses"),
            _("Response rate (%)"),
            _("Satisfied overall (%)"),
            _("Satisfied with the procesregie (%)"),
            _("Average rapportcijfer"),
            _("Would involve the ZVH again (%)"),
        ],
    )
    groups = [(_("All responses"), data)]
    groups += [
        (str(SurveyInvitation.Role(role).label), data["by_role"][role]) for role in data["by_role"]
    ]
    groups += [(_kind_label(kind), data["by_kind"][kind]) for kind in KINDS]
    suppressed = _("suppressed (fewer than %(count)s responses)") % {
        "count": data["minimum_responses"]
    }
    for label, figures in groups:
        if figures["suppressed"]:
            table.rows.append([label, figures["invitations"]] + [suppressed] * 6)
            continue
        table.rows.append(
            [label, figures["invitations"], figures["responses"]]
            + [
                _or_dash(figures[key])
                for key in (
                    "response_rate",
                    "overall_satisfied",
                    "process_satisfied",
                    "average_grade",
                    "would_involve_again",
                )
            ]
        )
    return Section(_("Satisfaction"), [table])


def _pga(jeugd: dict, radicalisation: dict) -> Section:
    entry_labels = {entry.value: str(entry.label) for entry in JeugdEntry if entry.value}
    entry_labels["unknown"] = _("Unknown")
    entries = Table(
        _("PGA Youth by entry channel"),
        [_("Entry"), _("Registered"), _("Taken into procesregie")],
        [
            [entry_labels[key], jeugd["registered_by_entry"][key], jeugd["started_by_entry"][key]]
            for key in jeugd["registered_by_entry"]
        ],
    )
    result_labels = {
        result.value: str(result.label) for result in JeugdClosureResult if result.value
    }
    result_labels["not-recorded"] = _("Not recorded")
    results = Table(
        _("PGA Youth cases closed, by result"),
        [_("Result"), _("Cases")],
        [[result_labels[key], count] for key, count in jeugd["closed_by_result"].items()],
        chart=1,
    )
    decision_labels = {decision.value: str(decision.label) for decision in WeegtafelDecision}
    decision_labels["none"] = str(WeegtafelDecision.NONE.label)
    decisions = list(radicalisation["by_decision"])
    weegtafel = Table(
        _("PGA-R signals at the weegtafel, by region and decision"),
        [_("Region"), _("Signals")] + [decision_labels[key] for key in decisions],
    )
    for region in radicalisation["by_region"]:
        weegtafel.rows.append(
            [region["name"] or _("Unknown"), region["total"]]
            + [region["by_decision"][key] for key in decisions]
        )
    weegtafel.total = [_("Total"), radicalisation["signals"]] + [
        radicalisation["by_decision"][key] for key in decisions
    ]
    return Section(_("PGA Youth and PGA-R"), [entries, results, weegtafel])


def _prognosis(data: list[dict]) -> Section:
    tables = []
    for year in data:
        title = _("Prognosis %(year)s against new registrations") % {"year": year["year"]}
        if not year["complete_year"]:
            title += " " + _("(the period covers part of this year)")
        table = Table(
            title,
            [_("Kind"), _("Prognosis"), _("Registered"), _("Percentage of prognosis")],
            chart=2,
            compare=1,
        )
        for kind in KINDS:
            figures = year["by_kind"][kind]
            table.rows.append(
                [
                    _kind_label(kind),
                    _or_dash(figures["expected"]),
                    figures["actual"],
                    _or_dash(figures["percent_of_expected"]),
                ]
            )
        table.total = [
            _("Total"),
            _or_dash(year["expected"]),
            year["actual"],
            _or_dash(year["percent_of_expected"]),
        ]
        tables.append(table)
    return Section(_("Prognosis"), tables)


def _procesregie(data: dict) -> Section:
    timing = Table(
        _("Procesregie: weeks from the start to the first case meeting and to an adopted plan"),
        [_("Measure"), _("Cases"), _("Median (weeks)")],
    )
    timing.rows = [
        [_("Procesregie started in the period"), data["started"], "—"],
        [
            _("First case meeting held"),
            data["to_first_meeting"]["cases"],
            _or_dash(data["to_first_meeting"]["median_weeks"]),
        ],
        [
            _("Plan van aanpak adopted"),
            data["to_adopted_plan"]["cases"],
            _or_dash(data["to_adopted_plan"]["median_weeks"]),
        ],
    ]
    actions = data["actions"]
    done = Table(
        _("Actions of adopted plans due in the period"),
        [_("Due"), _("Done"), _("Done on time"), _("Percentage done"), _("Percentage on time")],
    )
    done.rows = [
        [
            actions["due"],
            actions["done"],
            actions["on_time"],
            _or_dash(actions["percent_done"]),
            _or_dash(actions["percent_on_time"]),
        ]
    ]
    return Section(_("Procesregie"), [timing, done])


# --- Files -----------------------------------------------------------------------------------------


def _safe_cell(value):
    # Spreadsheet programs run cells starting with these as formulas (CSV injection);
    # municipality and partner names are editable data.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _title(report: dict) -> str:
    period = report["period"]
    return _("Annual report %(start)s to %(end)s") % {
        "start": period["start"],
        "end": period["end"],
    }


def report_csv(report: dict) -> str:
    """All tables one below the other, each with its title; semicolons, as Dutch Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_title(report)])
    for section in report_tables(report):
        writer.writerow([])
        writer.writerow([section.title])
        for table in section.tables:
            writer.writerow([table.title])
            writer.writerow([_safe_cell(column) for column in table.columns])
            writer.writerows([[_safe_cell(cell) for cell in row] for row in table.all_rows])
    return buffer.getvalue()


def report_xlsx(report: dict) -> bytes:
    """One sheet per section, its tables one below the other."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in report_tables(report):
        sheet = workbook.create_sheet(_sheet_name(section.title, workbook.sheetnames))
        sheet.append([_title(report)])
        for table in section.tables:
            sheet.append([])
            sheet.append([table.title])
            sheet.append([_safe_cell(column) for column in table.columns])
            for row in table.all_rows:
                sheet.append([_safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: list[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    name = "".join(" " if char in "[]:*?/\\" else char for char in title)[:31].strip()
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name[:28]} {number}"
        number += 1
    return candidate
