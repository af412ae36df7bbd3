"""The embedded demo (SQLite) takes every lock and claim too, and sends a newsletter.

The suite's database is PostgreSQL, so scripts/sqlite_locks.py runs the real services on
the embedded settings of `make demo PORT=8123` in a subprocess (one run, about 20 s),
and the tests below read what it found.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / "scripts" / "sqlite_locks.py"


@pytest.fixture(scope="module")
def run() -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["vendor"] == "sqlite"
    return outcome


def test_sending_an_issue_on_sqlite_gives_every_reader_one_mail_under_the_hourly_limit(run):
    newsletter = run["newsletter"]
    issues = [
        m["to"] for m in newsletter["messages"] if m["subject"] == newsletter["issue_subject"]
    ]

    assert newsletter["rate_per_hour"] > 0  # the default limit: the locked path
    assert "NEWSLETTER_HOURLY" in newsletter["issue_locks"]
    assert newsletter["sending_state"] == "done"
    assert newsletter["delivery_states"] == ["sent"] * 3
    assert sorted(issues) == sorted(newsletter["readers"])


def test_the_quarterly_digest_is_sent_on_sqlite(run):
    newsletter = run["newsletter"]
    digests = [m["to"] for m in newsletter["messages"] if m["subject"].startswith("Kwartaal")]

    assert newsletter["digests"] == 1
    assert newsletter["digest_locks"][0] == "NEWSLETTER_DIGEST"
    assert digests == [newsletter["quarterly"]]


def test_every_link_in_the_demo_mails_follows_port(run):
    newsletter = run["newsletter"]
    links = [link for message in newsletter["messages"] for link in message["links"]]
    portal = [link for link in links if "127.0.0.1" in link or "localhost" in link]

    assert newsletter["base_url"] == "http://127.0.0.1:8123"
    assert len(newsletter["messages"]) == 4 * 3  # 4 subscribers: confirm, welcome, issue/digest
    assert all(
        any(link.startswith("http://127.0.0.1:8123/") for link in m["links"])
        for m in newsletter["messages"]
    )
    assert portal and all(link.startswith("http://127.0.0.1:8123/") for link in portal)


def test_the_audit_chain_import_and_survey_claim_work_on_sqlite(run):
    casework = run["casework"]

    assert casework["locks"].count("CASE_IMPORT") == 2
    assert "AUDIT_CHAIN" in casework["locks"]
    assert casework["chain_problems"] == []
    assert [(r["committed"], r["errors"]) for r in casework["import"]] == [(True, [])] * 2
    assert casework["import"][1]["updated"] == casework["import"][0]["created"] > 0
    assert "casework.SurveyInvitation" in run["claims"]
    assert casework["reminded"] == 0


def test_whole_weeks_are_counted_in_local_calendar_days_on_sqlite(run):
    weeks = run["weeks"]

    assert weeks["counted"] == weeks["expected"]
    assert weeks["report_histogram_cases"] == len(weeks["expected"])
    assert weeks["report_max"] == 5


def test_on_sqlite_the_transaction_itself_is_the_lock(run):
    serialisation = run["serialisation"]

    assert serialisation["mode"] == "IMMEDIATE"
    assert serialisation["claim_suffix"] == ""
    assert serialisation["other_can_write_while_held"] is False
    assert serialisation["other_can_write_after"] is True
    assert serialisation["outside_refused"] is True
    assert serialisation["deferred_refused"] is True
