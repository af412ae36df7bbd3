"""The annual report (jaarrapportage): the figures the ZVH publishes each year, for any period.

``annual_report(start=..., end=...)`` returns a plain dict of counts, percentages and
labels; no references, names or other personal data ever enter it. Every key is
documented in docs/casework-reports.md; ``report_tables`` turns the dict into labelled
tables for the admin page and the CSV/XLSX exports.

Query bound: the report runs exactly ``QUERY_BOUND`` (19) aggregate queries, whatever
the number of cases or the length of the period. Each query groups in the database
(by kind, year, whole weeks, municipality, ...); Python only merges the grouped rows.
The largest grouping (closed cases by kind × start year × whole weeks of throughput)
returns at most kinds × years × distinct week values rows, never one row per case.

Periods are inclusive local dates in Europe/Amsterdam: a case registered on 31 December
at 23:30 local time belongs to that year, whatever UTC says.

Destroyed cases (``Tombstone``) keep kind, municipality and dates, so they count in
registrations (total, per kind, per municipality, prognosis), closed cases and
throughput; their registering partner and triage outcome are reported as ``unknown``.
They never count in procesregie, evaluation, survey, PGA Jeugd or PGA-R figures: the
data those need was destroyed with the case.

One module per part of the report; this package re-exports their public names, so
callers keep writing ``from casework import reports`` and ``reports.annual_report(...)``:

- ``common``: ``AMSTERDAM``, ``KINDS``, ``percent()``, ``period_bounds()``;
- ``registrations``: registrations, procesregie and the prognosis;
- ``weeks``: closed cases and throughput in whole weeks (``WholeWeeks``,
  ``THROUGHPUT_BUCKETS``);
- ``evaluation``: closure evaluations and the partners involved;
- ``satisfaction``: the survey figures (``SURVEY_MIN_RESPONSES``);
- ``pga``: PGA Jeugd and PGA-R;
- ``procesregie``: time to the first case meeting and to an adopted plan, actions done
  on time;
- ``annual``: ``annual_report()``, ``for_year()``, ``QUERY_BOUND``.

``common`` imports none of the others; ``pga`` uses ``registrations``; ``annual`` uses
them all.
"""

from .annual import QUERY_BOUND, annual_report, for_year
from .common import AMSTERDAM, KINDS, percent, period_bounds
from .evaluation import EXTRAS, GOALS, LEVELS
from .pga import DECISION_KEYS, ENTRY_KEYS, RESULT_KEYS
from .registrations import TRIAGE_KEYS
from .satisfaction import ROLES, SURVEY_MIN_RESPONSES
from .weeks import THROUGHPUT_BUCKETS, WholeWeeks

__all__ = [
    "AMSTERDAM",
    "QUERY_BOUND",
    "SURVEY_MIN_RESPONSES",
    "THROUGHPUT_BUCKETS",
    "KINDS",
    "TRIAGE_KEYS",
    "LEVELS",
    "GOALS",
    "EXTRAS",
    "ENTRY_KEYS",
    "RESULT_KEYS",
    "DECISION_KEYS",
    "ROLES",
    "WholeWeeks",
    "percent",
    "period_bounds",
    "for_year",
    "annual_report",
]
