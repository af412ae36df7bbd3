"""Issue e-mails as bytes, built from a skeleton made once per sending.

Python's email package needs about 6 ms to build and flatten one 18 KiB
two-part message (header objects, policies, generators): more than the SMTP
conversation itself. An issue differs per recipient only in a few
placeholders and headers, so ``IssueSkeleton`` encodes the fixed headers once
and ``IssueSkeleton.render`` joins the personalised parts with plain string
and ``binascii`` operations.

The output follows Django's own choices (``django.core.mail.message``): UTF-8
parts sent as 8bit, quoted-printable only when a line is longer than RFC
5322's 998 characters; headers encoded by Django's ``forbid_multi_line_headers``
(so header injection is refused the same way). ``IssueEmail`` wraps it as a
Django ``EmailMultiAlternatives``: every backend works (Anymail providers read
body, alternatives and headers; SMTP and the outbox call ``message()``).
tests/newsletter/test_mime.py checks the result parses to the same headers
and parts as Django's own message.
"""

import binascii
import re
import secrets
from email import message_from_bytes
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers, sanitize_address

LONG_LINE = re.compile(r"[^\n]{999,}")  # RFC 5322: at most 998 characters per line
CRLF = "\r\n"


def _header(name: str, value: str) -> str:
    name, value = forbid_multi_line_headers(name, value, "utf-8")
    return f"{name}: {value}".replace("\n", CRLF) + CRLF


def _part(content: str, subtype: str) -> bytes:
    content = content.replace("\r\n", "\n")
    if LONG_LINE.search(content):
        body = binascii.b2a_qp(content.encode(), istext=True).replace(b"\n", b"\r\n")
        encoding = b"quoted-printable"
    else:
        body = content.encode().replace(b"\n", b"\r\n")
        encoding = b"8bit"
    return b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\n\r\n%s' % (
        subtype.encode(),
        encoding,
        body,
    )


class IssueSkeleton:
    """The parts of an issue e-mail that are the same for every recipient."""

    def __init__(self, *, subject: str, from_email: str, list_id: str):
        self.from_email = from_email
        self.envelope_from = parseaddr(sanitize_address(from_email, "utf-8"))[1]
        self.subject = subject
        self.static_headers = (
            "MIME-Version: 1.0\r\n"
            + _header("Subject", subject)
            + _header("From", from_email)
            + _header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
            + _header("List-Id", list_id)
        )

    def render(
        self, *, to: str, message_id: str, list_unsubscribe: str, text: str, html: str
    ) -> bytes:
        boundary = "=_" + secrets.token_hex(16)
        head = (
            f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
            + self.static_headers
            + _header("To", to)
            + _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME))
            + _header("Message-ID", message_id)
            + _header("List-Unsubscribe", list_unsubscribe)
            + CRLF
        ).encode()
        delimiter = f"\r\n--{boundary}\r\n".encode()
        return b"".join(
            [
                head,
                delimiter[2:],
                _part(text, "plain"),
                delimiter,
                _part(html, "html"),
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )


class PreparedMessage:
    """What ``EmailMessage.message()`` returns for an issue: the bytes, parsed only on demand."""

    def __init__(self, data: bytes):
        self.data = data
        self._parsed = None

    def as_bytes(self, unixfrom=False, policy=None, linesep="\n") -> bytes:
        return self.data if linesep == CRLF else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, maxheaderlen=0, policy=None) -> str:
        return self.as_bytes().decode("utf-8", "surrogateescape")

    def __getattr__(self, name):
        # Anything else (headers, walk(), get_payload()) from the parsed message.
        if self.__dict__.get("_parsed") is None:
            self._parsed = message_from_bytes(self.data)
        return getattr(self._parsed, name)

    def __getitem__(self, name):
        return self.__getattr__("__getitem__")(name)


class IssueEmail(EmailMultiAlternatives):
    """A personalised issue e-mail whose MIME form comes from an ``IssueSkeleton``."""

    def __init__(self, *, skeleton: IssueSkeleton, to: str, text: str, html: str, headers: dict):
        super().__init__(
            subject=skeleton.subject,
            body=text,
            from_email=skeleton.from_email,
            to=[to],
            headers=headers,
        )
        self.attach_alternative(html, "text/html")
        self.skeleton = skeleton

    def message(self):
        return PreparedMessage(
            self.skeleton.render(
                to=self.to[0],
                message_id=self.extra_headers["Message-ID"],
                list_unsubscribe=self.extra_headers["List-Unsubscribe"],
                text=self.body,
                html=self.alternatives[0][0],
            )
        )
