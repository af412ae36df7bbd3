"""Attachment checks and private storage.

Order of checks: size, virus scan by clamd (fails closed; an archive past clamd's
limits or an encrypted one is refused as unchecked), type by content
(``filetype``) matching the extension, image metadata stripped (Pillow), then the bytes are
Fernet-encrypted and written under CASEWORK_ATTACHMENT_ROOT with a random name.
"""

import hashlib
import io
import os
import secrets
import socket
import struct
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

import filetype
from PIL import Image, UnidentifiedImageError

from .crypto import case_fernet

# Detected MIME type → allowed file name extensions.
ALLOWED = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


class AttachmentRefused(Exception):
    """The file is not accepted; the message is for the user (Dutch via gettext)."""


class ScannerUnavailable(AttachmentRefused):
    """clamd could not be asked: the upload is refused (fail closed)."""


def clean_filename(name: str) -> str:
    """Only the last path component, no control characters, a safe length."""
    name = unicodedata.normalize("NFC", name or "").replace("\x00", "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    safe = get_valid_filename(stem[:80] or "bijlage") if stem else "bijlage"
    return f"{safe}.{ext.lower()[:10]}" if ext else safe


def scan(data: bytes) -> str | None:
    """Ask clamd (INSTREAM). Returns the signature name if infected, None if clean."""
    target = settings.CASEWORK_CLAMD
    try:
        if ":" in target and not target.startswith("/"):
            host, port = target.rsplit(":", 1)
            sock = socket.create_connection(
                (host, int(port)), timeout=settings.CASEWORK_CLAMD_TIMEOUT
            )
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with sock:
            if sock.family == socket.AF_UNIX:
                sock.settimeout(settings.CASEWORK_CLAMD_TIMEOUT)
                sock.connect(target)
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 64 * 1024):
                chunk = data[start : start + 64 * 1024]
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(
            _(
                "The virus scanner is not available right now, so the file was not accepted. Please try again later."
            )
        ) from exc
    text = reply.rstrip(b"\0").decode(errors="replace")
    if text.endswith("OK"):
        return None
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip()
    raise ScannerUnavailable(
        _(
            "The virus scanner is not available right now, so the file was not accepted. Please try again later."
        )
    )


def refuse_if_found(signature: str | None) -> None:
    """Refuse a file clamd reported, with the reason the user can act on. Past one of
    its limits (portal.clamd_local.SCAN_LIMITS: an archive that unpacks too far, too
    deep or to too many files, a zip bomb) clamd reports "Heuristics.Limits.Exceeded.*"
    or "Heuristics.Zip.OverlappingFiles": the file was not read to the end, so it is
    refused as unchecked. An encrypted archive cannot be read at all."""
    if signature is None:
        return
    if signature.startswith(("Heuristics.Limits.Exceeded", "Heuristics.Zip.OverlappingFiles")):
        raise AttachmentRefused(
            _(
                "This file could not be checked for viruses completely: unpacked, it is too "
                "large or too deeply nested, so it was not accepted. Make the file smaller or "
                "split it over several attachments."
            )
        )
    if signature.startswith("Heuristics.Encrypted"):
        raise AttachmentRefused(
            _(
                "This file is protected with a password, so it cannot be checked for viruses "
                "and was not accepted. Send it without a password."
            )
        )
    raise AttachmentRefused(_("The file contains a virus or other malware and was not accepted."))


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode the pixels only: EXIF (location, camera, names) and text chunks go."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            if "transparency" in image.info and image.mode in ("P", "L", "RGB"):
                clean.info["transparency"] = image.info["transparency"]
            palette = image.getpalette() if image.mode == "P" else None
            if palette is not None:
                clean.putpalette(palette)
            out = io.BytesIO()
            clean.save(out, IMAGE_FORMATS[content_type])
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise AttachmentRefused(_("This image could not be read.")) from exc


def check(upload) -> tuple[str, str, bytes]:
    """Validate an uploaded file; returns (clean name, content type, bytes to store)."""
    max_bytes = settings.CASEWORK_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise AttachmentRefused(
            _("The file is too large. The maximum is %(mb)s MB.")
            % {"mb": max_bytes // (1024 * 1024)}
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AttachmentRefused(
            _("The file is too large. The maximum is %(mb)s MB.")
            % {"mb": max_bytes // (1024 * 1024)}
        )
    if not data:
        raise AttachmentRefused(_("The file is empty."))
    # Scan first: malware gets the malware message whatever it pretends to be.
    refuse_if_found(scan(data))
    name = clean_filename(upload.name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = filetype.guess(data)
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED:
        raise AttachmentRefused(
            _(
                "This type of file is not accepted. Send a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file."
            )
        )
    if extension not in ALLOWED[content_type]:
        raise AttachmentRefused(
            _("The file name does not match its contents. Check that it is really a %(ext)s file.")
            % {"ext": extension.upper() or "?"}
        )
    if content_type in IMAGE_FORMATS:
        data = strip_image_metadata(data, content_type)
    return name, content_type, data


def store(data: bytes) -> tuple[str, str]:
    """Encrypt and write; returns (storage name, sha256 of the plain bytes)."""
    root = Path(settings.CASEWORK_ATTACHMENT_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    storage_name = secrets.token_hex(24)
    path = root / storage_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(case_fernet().encrypt(data))
    return storage_name, hashlib.sha256(data).hexdigest()


def load(storage_name: str) -> bytes:
    path = Path(settings.CASEWORK_ATTACHMENT_ROOT) / storage_name
    return case_fernet().decrypt(path.read_bytes())


def remove(storage_name: str) -> None:
    path = Path(settings.CASEWORK_ATTACHMENT_ROOT) / storage_name
    path.unlink(missing_ok=True)
