"""Mail plumbing shared by the apps: absolute links, address normalisation, the
retry policy of mail tasks and the demo's outbox.

``absolute_url(path)`` is the one way to build a link that leaves the site (e-mails,
calendar files, newsletter issues): the portal's public address, ``BASE_URL``
(``settings.WAGTAILADMIN_BASE_URL``; in the demo it follows ``PORT``), plus the path.

``normalise_email(address)`` is the form in which every app stores and looks up an
e-mail address.

``MAIL_RETRY`` holds the Celery options of every task that sends e-mail
(``@shared_task(**MAIL_RETRY)``).

``send_transactional(...)`` sends one mail the portal writes to one person (a
confirmation, a notification, an invitation): every app sends through it, so each
such mail carries the same sender and headers. The newsletter's bulk sending has its
own wire format (newsletter/mime.py).

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

# File names are "<UTC timestamp>-<random>.eml"; sorting them sorts by time sent.
MESSAGE_ID = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}$")


def absolute_url(path: str) -> str:
    """``path`` (absolute, e.g. from ``reverse()``) on the portal's public address;
    ``absolute_url("")`` is the address itself, without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def normalise_email(address: str) -> str:
    """``address`` as it is stored and compared: without surrounding white space, and
    lower-cased as a whole (not only the domain, as Django's ``normalize_email`` does),
    so ``Anne@X.nl`` and ``anne@x.nl`` are one subscriber, registrant or invitee."""
    return address.strip().lower()


# Mail tasks retry with exponential backoff (30 s doubling up to an hour, with jitter;
# 12 retries, at most about six hours in all) while the mail server fails. OSError
# covers every SMTP error (smtplib.SMTPException, SMTPServerDisconnected included),
# refused connections, socket errors and time-outs. What a mail is made from is saved
# before its task is queued, so a failing mail server loses nothing meanwhile.
MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    "max_retries": 12,
}


def send_transactional(
    *,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    from_email: str | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> None:
    """Send one automatic mail; errors propagate, so the calling task retries them
    (``MAIL_RETRY``). ``attachments`` are (file name, content, MIME type).

    ``Auto-Submitted: auto-generated`` (RFC 3834) tells out-of-office responders and
    mailing-list software not to answer it: nobody reads replies to these mails."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers={"Auto-Submitted": "auto-generated"},
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send(fail_silently=False)


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
