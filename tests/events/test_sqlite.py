"""The embedded SQLite default is safe too: 50 simultaneous registrations, 10 seats.

Runs in a subprocess on the real embedded settings (no DATABASE_URL), because the
suite itself runs on PostgreSQL. The control switches SQLite back to its default
DEFERRED transactions: writers then collide ("database is locked") instead of
being serialised by BEGIN IMMEDIATE.
"""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "scripts" / "sqlite_rush.py"


def rush(mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), mode], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_sqlite_fifty_simultaneous_registrations_fill_ten_seats_exactly():
    outcome = rush("immediate")

    assert outcome["mode"] == "IMMEDIATE"
    assert outcome["errors"] == []
    assert (outcome["confirmed"], outcome["waitlisted"]) == (10, 40)


def test_control_on_sqlite_without_immediate_transactions_writers_collide():
    outcome = rush("deferred")

    assert outcome["mode"] == "DEFERRED"
    assert outcome["errors"] or outcome["confirmed"] > 10
