"""Reading the upload: bytes to text, the delimiter, the header and the rows as dicts.

File-level problems (encoding, header) make the result ``unreadable``; a row with the
wrong number of fields is an error on its line.
"""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .result import ImportResult, RowError
from .vocabulary import normalise

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


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
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


def _read(data: bytes, result: ImportResult) -> list[tuple[int, dict[str, str] | None]]:
    """The file's rows as dicts of stripped strings, or file-level errors in ``result``.

    A line with the wrong number of fields is reported in ``result`` and kept as
    ``(line, None)``, so it still counts as a row read.
    """
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
    rows: list[tuple[int, dict[str, str] | None]] = []
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
