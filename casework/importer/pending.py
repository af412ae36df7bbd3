"""An upload waiting for confirmation.

The admin upload shows the dry run first; the file waits, encrypted, in a private
directory until it is confirmed or abandoned (removed after PENDING_SECONDS).
"""

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from ..crypto import case_fernet

PENDING_SECONDS = 60 * 60
_TOKEN_RE = re.compile(r"^[0-9a-f]{48}$")


def _pending_dir() -> Path:
    return Path(settings.CASEWORK_ATTACHMENT_ROOT) / "gcos-import"


def pending_store(data: bytes) -> str:
    pending_purge()
    directory = _pending_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_hex(24)
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(case_fernet().encrypt(data))
    return token


def pending_load(token: str) -> bytes | None:
    if not _TOKEN_RE.match(token or ""):
        return None
    path = _pending_dir() / token
    if not path.exists() or time.time() - path.stat().st_mtime > PENDING_SECONDS:
        return None
    return case_fernet().decrypt(path.read_bytes())


def pending_remove(token: str) -> None:
    if _TOKEN_RE.match(token or ""):
        (_pending_dir() / token).unlink(missing_ok=True)


def pending_purge() -> int:
    """Remove uploads that were never confirmed."""
    directory = _pending_dir()
    if not directory.exists():
        return 0
    removed = 0
    for path in directory.iterdir():
        if time.time() - path.stat().st_mtime > PENDING_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
