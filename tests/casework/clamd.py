"""A private clamd for the tests, with a signature database of our own.

Signature downloads do not work here, so the database is one MD5 signature for the
EICAR test file (hdb format: md5:size:name). The daemon listens on a unix socket in
a temporary directory and is stopped at the end of the session.
"""

import hashlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


@pytest.fixture(scope="session")
def clamd_socket():
    if not Path(CLAMD).exists():
        pytest.fail("clamd is not installed: run `make install-test` (installs clamav-daemon)")
    workdir = Path(tempfile.mkdtemp(prefix="zvh-clamd-"))
    database = workdir / "db"
    database.mkdir()
    digest = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - clamd's hdb format is MD5
    (database / "zvh-test.hdb").write_text(f"{digest}:{len(EICAR)}:Zvh.Test.EICAR\n")
    # A body signature too, so EICAR hidden inside another file is found.
    (database / "zvh-test.ndb").write_text(f"Zvh.Test.EICAR.Body:0:*:{EICAR.hex()}\n")
    socket_path = workdir / "clamd.sock"
    config = workdir / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\n"
        f"LogFile {workdir / 'clamd.log'}\nPidFile {workdir / 'clamd.pid'}\nStreamMaxLength 20M\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            log = (workdir / "clamd.log").read_text() if (workdir / "clamd.log").exists() else ""
            process.kill()
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.1)
    yield str(socket_path)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def scanner(clamd_socket, settings, tmp_path):
    settings.CASEWORK_CLAMD = clamd_socket
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "private"
    return clamd_socket
