"""A private clamd for the tests, started by the same helper the demo uses
(portal.clamd_local): a two-signature database for EICAR in a temporary directory,
a unix socket there, stopped at the end of the session."""

import shutil
import tempfile

import pytest

from portal.clamd_local import EICAR, LocalClamd

__all__ = ["EICAR", "clamd_socket", "scanner"]


@pytest.fixture(scope="session")
def clamd_socket():
    clamd = LocalClamd(tempfile.mkdtemp(prefix="zvh-clamd-"))
    if not clamd.available:
        pytest.fail("clamd is not installed: run `make install-test` (installs clamav-daemon)")
    clamd.start()
    if not clamd.wait_ready(timeout=60):
        clamd.stop()
        pytest.fail(f"clamd did not start: {clamd.log_tail()}")
    yield str(clamd.socket_path)
    clamd.stop()
    shutil.rmtree(clamd.workdir, ignore_errors=True)


@pytest.fixture
def scanner(clamd_socket, settings, tmp_path):
    settings.CASEWORK_CLAMD = clamd_socket
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "private"
    return clamd_socket
