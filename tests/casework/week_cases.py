"""Throughput in whole weeks, counted in local calendar days (Europe/Amsterdam).

Shared by the PostgreSQL test (tests/casework/test_report_weeks.py) and the SQLite
run (tests/portal/scripts/sqlite_locks.py): the same cases give the same weeks on
both databases. Times are local wall-clock times; in 2023 summer time started on
26 March and ended on 29 October.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")

# (what it shows, registered, closed, whole weeks)
WEEK_CASES = [
    (
        "5 calendar weeks across the start of summer time (an hour short of 35 × 24 h)",
        (2023, 3, 4, 10, 0),
        (2023, 4, 8, 10, 0),
        5,
    ),
    (
        "5 calendar weeks across the end of summer time (an hour more than 35 × 24 h)",
        (2023, 10, 1, 10, 0),
        (2023, 11, 5, 10, 0),
        5,
    ),
    (
        "exactly 2 weeks from midnight to midnight across the start of summer time",
        (2023, 3, 20, 0, 0),
        (2023, 4, 3, 0, 0),
        2,
    ),
    (
        "6 days 23 hours, but 7 calendar days: Monday evening to next Monday",
        (2023, 1, 9, 20, 0),
        (2023, 1, 16, 19, 0),
        1,
    ),
    (
        "6 days 23 hours and 6 calendar days, although in UTC it spans 7 dates",
        (2023, 1, 9, 0, 30),
        (2023, 1, 15, 23, 30),
        0,
    ),
    (
        "7 calendar days in summer time, although in UTC it closed on the 6th day",
        (2023, 6, 5, 10, 0),
        (2023, 6, 12, 0, 10),
        1,
    ),
]


def local(parts: tuple[int, ...]) -> datetime:
    return datetime(*parts, tzinfo=AMS)
