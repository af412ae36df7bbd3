"""A private clamd with a signature database of its own, for the demo and the tests.

Signature downloads (freshclam) need the internet and a few hundred megabytes, so the
embedded demo (``manage.py demo_serve``) and the test suite (``tests/casework/clamd.py``)
start Debian's ``clamd`` with a two-line database instead: an MD5 signature for the
EICAR test file (``hdb``: md5:size:name) and a body signature (``ndb``), so EICAR hidden
inside another file is found too. A clean file passes; nothing else is detected,
apart from what clamd's limits and heuristics refuse (``SCAN_LIMITS``: archives that
unpack too far, too deep or to too many files, and encrypted archives). This
is a demonstration of the upload path, not virus protection: production points
``CASEWORK_CLAMD`` at a real clamd with current signatures (docs/security-casework.md).

The daemon runs in the foreground as a child process, listens on a unix socket and is
stopped by :meth:`LocalClamd.stop`. It starts in well under a second with this database.
"""

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# A unix socket path holds at most 107 bytes on Linux (108 with the final NUL).
SOCKET_PATH_MAX = 100
DEFAULT_STREAM_MAX_BYTES = 20 * 1024 * 1024

# Scan limits, the same in every clamd the project writes or documents (this one, the
# production stack's in docker-compose.yml, docs/security-casework.md). clamd's
# defaults stop scanning at a limit and answer OK, so a 1 MB archive that unpacks to a
# gigabyte passed unread; with AlertExceedsMax it answers "Heuristics.Limits.Exceeded.
# <limit> FOUND" and casework.attachments refuses the file. An upload is at most
# CASEWORK_ATTACHMENT_MAX_BYTES (10 MB): these leave room for a real Word or Excel file
# with pictures, not for a bomb.
SCAN_LIMITS = {
    "AlertExceedsMax": "yes",
    "MaxScanSize": "200M",  # all the data unpacked from one upload, together
    "MaxFileSize": "100M",  # one file, the upload or one unpacked from it
    "MaxRecursion": "10",  # archives in archives
    "MaxFiles": "10000",  # files unpacked from one upload (clamd's default, now enforced)
    "MaxScanTime": "20000",  # ms, below CASEWORK_CLAMD_TIMEOUT (30 s)
    "AlertEncryptedArchive": "yes",  # a password-protected archive cannot be read
    "HeuristicAlerts": "yes",  # among others: zip bombs of overlapping files
}


def clamd_binary() -> str | None:
    """Path of the clamd program (Debian: /usr/sbin, often not on a user's PATH)."""
    for candidate in (shutil.which("clamd"), "/usr/sbin/clamd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def ping(socket_path: str | os.PathLike, timeout: float = 1.0) -> bool:
    """True when a clamd answers PING on this unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(os.fspath(socket_path))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


class LocalClamd:
    """One private clamd: configuration, signature database, log and pid file in
    ``workdir``; the socket there too, unless that path is too long for a unix socket,
    in which case it goes to a fresh private directory under the system's temp dir
    (``socket_path`` tells where)."""

    def __init__(
        self,
        workdir: str | os.PathLike,
        *,
        binary: str | None = None,
        stream_max_bytes: int = DEFAULT_STREAM_MAX_BYTES,
    ):
        self.workdir = Path(workdir)
        self.binary = binary or clamd_binary()
        self.stream_max_bytes = stream_max_bytes
        self.database = self.workdir / "db"
        self.config = self.workdir / "clamd.conf"
        self.log = self.workdir / "clamd.log"
        self.pidfile = self.workdir / "clamd.pid"
        self.socket_path = self.workdir / "clamd.sock"
        self._socket_dir: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return self.binary is not None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def write_files(self) -> None:
        """The configuration and the EICAR-only signature database."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database.mkdir(exist_ok=True)
        digest = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - clamd's hdb format is MD5
        (self.database / "zvh-eicar.hdb").write_text(f"{digest}:{len(EICAR)}:Zvh.Test.EICAR\n")
        (self.database / "zvh-eicar.ndb").write_text(f"Zvh.Test.EICAR.Body:0:*:{EICAR.hex()}\n")
        if len(os.fsencode(self.workdir / "clamd.sock")) > SOCKET_PATH_MAX:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="zvh-clamd-"))
            self.socket_path = self._socket_dir / "clamd.sock"
        self.config.write_text(
            f"LocalSocket {self.socket_path}\n"
            "LocalSocketMode 600\n"
            f"DatabaseDirectory {self.database}\n"
            "Foreground yes\n"
            f"LogFile {self.log}\n"
            f"PidFile {self.pidfile}\n"
            f"StreamMaxLength {self.stream_max_bytes}\n"
            + "".join(f"{name} {value}\n" for name, value in SCAN_LIMITS.items())
        )

    def start(self) -> "LocalClamd":
        """Start clamd in the background; :meth:`wait_ready` waits for its socket."""
        if self.binary is None:
            raise FileNotFoundError("clamd is not installed (Debian package clamav-daemon)")
        self._stop_leftover()
        self.write_files()
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()  # a stale socket of a process that is gone
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv: clamd and our own config
            [self.binary, "-c", str(self.config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until clamd answers PING; False if it exited or the time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            if ping(self.socket_path):
                return True
            time.sleep(0.05)
        return False

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Stop clamd (SIGTERM, then SIGKILL); safe to call more than once."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    def _stop_leftover(self) -> None:
        """A clamd of an earlier run with this same configuration that was not stopped
        (its parent was killed) would hold the socket: stop it. Only a process whose
        command line names this configuration file is touched."""
        try:
            pid = int(self.pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return
        if os.fsencode(self.config) not in cmdline:
            return
        logger.warning("Stopping a clamd left over from an earlier run (pid %s)", pid)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
