"""Mail helpers: absolute links for e-mails and the demo's outbox.

``absolute_url(path)`` is the one way to build a link that leaves the site (e-mails,
calendar files, newsletter issues): the portal's public address, ``BASE_URL``
(``settings.WAGTAILADMIN_BASE_URL``; in the demo it follows ``PORT``), plus the path.

The demo's outbox: every e-mail is written to ``var/mail`` as an .eml file.
A person reads them with any mail program, or in the Wagtail admin under
"Verzonden e-mail (demo)" (portal/views.py reads them through the
functions below).
"""

import email
import email.parser
import email.policy
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

# File names are "<UTC timestamp>-<random>.eml"; sorting them sorts by time sent.
MESSAGE_ID = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}$")


def absolute_url(path: str) -> str:
    """``path`` (absolute, e.g. from ``reverse()``) on the portal's public address;
    ``absolute_url("")`` is the address itself, without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def outbox_dir() -> Path:
    path = Path(settings.MAIL_OUTBOX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = outbox_dir()
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)


@dataclass
class OutboxMessage:
    id: str
    sent_at: datetime | None
    sender: str
    to: str
    subject: str
    # Only filled by outbox_message_get(), not by the listing.
    cc: str = ""
    reply_to: str = ""
    text: str = ""
    html: str = ""
    attachments: list[str] = field(default_factory=list)


def _summary(message_id: str, message: EmailMessage) -> OutboxMessage:
    try:
        sent_at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at and sent_at.tzinfo is None:
        # Django writes UTC dates as "-0000", which the parser returns without a zone.
        sent_at = sent_at.replace(tzinfo=UTC)
    return OutboxMessage(
        id=message_id,
        sent_at=sent_at,
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
    )


def _read(path: Path, *, headers_only: bool) -> EmailMessage:
    with path.open("rb") as handle:
        parser = email.parser.BytesParser(policy=email.policy.default)
        return parser.parse(handle, headersonly=headers_only)


def outbox_message_list(*, limit: int = 200) -> tuple[list[OutboxMessage], int]:
    """The newest ``limit`` messages, newest first, and how many there are in all."""
    paths = sorted(
        (path for path in outbox_dir().glob("*.eml") if MESSAGE_ID.match(path.stem)),
        key=lambda path: path.name,
        reverse=True,
    )
    messages = [_summary(path.stem, _read(path, headers_only=True)) for path in paths[:limit]]
    return messages, len(paths)


def outbox_message_get(*, message_id: str) -> OutboxMessage | None:
    """One message with its text and HTML parts; None for an unknown or malformed id."""
    if not MESSAGE_ID.match(message_id):
        return None
    path = outbox_dir() / f"{message_id}.eml"
    if not path.is_file():
        return None
    message = _read(path, headers_only=False)
    result = _summary(message_id, message)
    result.cc = str(message["Cc"] or "")
    result.reply_to = str(message["Reply-To"] or "")
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    result.text = text_part.get_content() if text_part else ""
    result.html = html_part.get_content() if html_part else ""
    result.attachments = [
        part.get_filename() or part.get_content_type() for part in message.iter_attachments()
    ]
    return result
