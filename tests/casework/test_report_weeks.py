"""Throughput weeks are counted in local calendar days, whatever daylight saving does.

A case registered on 4 March and closed on 8 April took 5 weeks, although the change
to summer time made that an hour short of 5 × 168 hours. Runs on PostgreSQL here;
tests/portal/test_sqlite_locks.py runs the same cases (week_cases.py) on SQLite.
"""

from datetime import date

from django.db.models import F

import pytest

from casework import reports
from casework.models import Tombstone

from .factories import CaseFactory, TombstoneFactory
from .week_cases import WEEK_CASES, local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("registered", "closed", "weeks"),
    [case[1:] for case in WEEK_CASES],
    ids=[case[0] for case in WEEK_CASES],
)
def test_whole_weeks_are_counted_in_local_calendar_days(registered, closed, weeks):
    TombstoneFactory(submitted_at=local(registered), closed_at=local(closed))

    counted = Tombstone.objects.annotate(
        weeks=reports.WholeWeeks(F("closed_at"), F("submitted_at"))
    ).values_list("weeks", flat=True)

    assert list(counted) == [weeks]


def test_the_annual_report_counts_a_case_from_4_march_to_8_april_as_5_weeks():
    CaseFactory(
        organisation=None,
        submitted_at=local((2023, 3, 4, 10, 0)),
        closed_at=local((2023, 4, 8, 10, 0)),
    )

    throughput = reports.annual_report(start=date(2023, 1, 1), end=date(2023, 12, 31))[
        "throughput_weeks"
    ]

    assert (throughput["cases"], throughput["min"], throughput["max"]) == (1, 5, 5)
