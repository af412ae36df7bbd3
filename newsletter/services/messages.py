"""One personalised newsletter e-mail and its way onto the wire: the RFC 2369/8058
list headers, the per-sending skeleton (newsletter/mime.py), the personal values, the
generic message, and ``smtp_send``, which writes a message straight to an open SMTP
session.
"""

import re
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from ..models import (
    Subscriber,
)
from .links import unsubscribe_url

if TYPE_CHECKING:
    from ..mime import IssueSkeleton

# One recipient's personal values (rendering.personalisation) and list headers.
Personal = tuple[dict[str, str], dict[str, str]]


def newsletter_headers(
    *, subscriber: Subscriber, message_id: str, unsubscribe: str = ""
) -> dict[str, str]:
    """RFC 2369/8058 list headers; DKIM must sign both List-Unsubscribe headers."""
    targets = [f"<{unsubscribe or unsubscribe_url(subscriber=subscriber)}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": settings.NEWSLETTER_LIST_ID,
        "Message-ID": message_id,
    }


def issue_skeleton(*, subject: str) -> "IssueSkeleton":
    from ..mime import IssueSkeleton

    return IssueSkeleton(
        subject=subject,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        list_id=settings.NEWSLETTER_LIST_ID,
    )


def issue_values(*, subscriber: Subscriber, message_id: str, delivery_token: str = "") -> Personal:
    """(placeholder values, list headers) of one recipient's issue e-mail."""
    from .. import rendering

    values = rendering.personalisation(subscriber=subscriber, delivery_token=delivery_token)
    unsubscribe = values["unsubscribe_url"] if subscriber.pk else ""
    headers = newsletter_headers(
        subscriber=subscriber, message_id=message_id, unsubscribe=unsubscribe
    )
    return values, headers


def build_issue_message(
    *,
    html: str,
    text: str,
    subject: str,
    subscriber: Subscriber,
    message_id: str,
    delivery_token: str = "",
    skeleton: "IssueSkeleton | None" = None,
    personal: Personal | None = None,
) -> EmailMultiAlternatives:
    """One personalised issue e-mail. A sending passes the ``skeleton`` it built once
    (and ``personal``, the ``issue_values`` it already has)."""
    from .. import rendering
    from ..mime import IssueEmail

    values, headers = personal or issue_values(
        subscriber=subscriber, message_id=message_id, delivery_token=delivery_token
    )
    return IssueEmail(
        skeleton=skeleton or issue_skeleton(subject=subject),
        to=subscriber.email,
        text=rendering.personalise_text(text, values),
        html=rendering.personalise_html(html, values),
        headers=headers,
    )


PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def _rset(session: smtplib.SMTP) -> None:
    """RSET after a refusal, ignoring a dropped connection, as ``SMTP.sendmail`` does."""
    # SMTP._rset is that private helper of smtplib; typeshed leaves it out.
    session._rset()  # type: ignore[attr-defined]


def smtp_send(
    session: smtplib.SMTP, sender: str, recipient: str, data: bytes, *, prepared: bool = False
) -> None:
    """One message on an open SMTP session, as ``smtplib.SMTP.sendmail`` does it.

    Straight to the session because Django's backend and ``sendmail`` parse
    both addresses with the email package for every message: a third of the
    worker's CPU time per message. Addresses that are not plain ASCII take
    the ordinary route. ``prepared``: ``data`` is already in its wire form
    (CRLF line ends, dot-stuffed, ending in CRLF: ``IssueSkeleton.wire``), so
    the DATA is written as it is, without ``SMTP.data``'s regular-expression
    pass over the whole message.
    """
    if not PLAIN_ADDRESS.fullmatch(recipient):
        if prepared:
            raise ValueError("prepared data is only sent to plain ASCII addresses")
        session.sendmail(sender, [sanitize_address(recipient, "utf-8")], data)
        return
    session.ehlo_or_helo_if_needed()
    size = f" SIZE={len(data)}" if session.does_esmtp and session.has_extn("size") else ""
    code, reply = session.docmd("MAIL", f"FROM:<{sender}>{size}")
    if code != 250:
        _rset(session)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = session.docmd("RCPT", f"TO:<{recipient}>")
    if code not in (250, 251):
        _rset(session)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    if prepared:
        code, reply = session.docmd("DATA")
        if code != 354:  # as SMTP.data
            raise smtplib.SMTPDataError(code, reply)
        session.send(data + b".\r\n")
        code, reply = session.getreply()
    else:
        code, reply = session.data(data)
    if code != 250:
        _rset(session)
        raise smtplib.SMTPDataError(code, reply)
