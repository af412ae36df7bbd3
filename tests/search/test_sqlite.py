"""The backend contract on SQLite FTS5 (the `make demo` database), in a child pytest.

The session database is PostgreSQL, so the same contract module runs once more in a
subprocess whose DATABASE_URL points at SQLite.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_backend_contract_holds_on_sqlite_fts5(tmp_path):
    # The contract, tiered matching, the default synonyms and ranking, on SQLite FTS5.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'contract.sqlite3'}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/search/test_contract.py",
            "tests/search/test_tiers.py",
            "tests/search/test_default_synonyms.py",
            "tests/search/test_ranking.py",
            "-q",
            "-p",
            "no:cacheprovider",
            # One process: the outer run already uses both cores.
            "-n0",
            "-k",
            "database",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
