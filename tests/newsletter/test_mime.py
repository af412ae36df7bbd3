"""The issue e-mail built from a per-sending skeleton says what Django's own message says."""

import email
from email import policy

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError

import pytest

from newsletter.mime import IssueSkeleton


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def both(*, subject, to, text, html):
    headers = {
        "List-Unsubscribe": "<https://portal.example/abonnement/afmelden/abc:def/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": "ZVH Nieuwsbrief <nieuwsbrief.zvh-bzo.example>",
        "Message-ID": "<token@zvh-bzo.example>",
    }
    reference = EmailMultiAlternatives(
        subject=subject, body=text, from_email="ZVH Nieuwsbrief <nb@zvh.example>", to=[to],
        headers=headers,
    )  # fmt: skip
    reference.attach_alternative(html, "text/html")
    skeleton = IssueSkeleton(
        subject=subject, from_email="ZVH Nieuwsbrief <nb@zvh.example>", list_id=headers["List-Id"]
    )
    fast = skeleton.render(
        to=to,
        message_id=headers["Message-ID"],
        list_unsubscribe=headers["List-Unsubscribe"],
        text=text,
        html=html,
    )
    return parsed(reference.message().as_bytes(linesep="\r\n")), parsed(fast), fast


@pytest.mark.parametrize(
    ("subject", "to", "html"),
    [
        ("Winter bij het ZVH", "lezer@voorbeeld.example", "<p>Beste José,</p>"),
        ("Één nieuwsbrief — winter", "lezer@voorbeeld.example", "<p>kort</p>"),
        # A line longer than RFC 5322's 998 characters forces quoted-printable.
        ("Lang", "lezer@voorbeeld.example", "<p>" + "é lange regel " * 100 + "</p>"),
        ("IDN", "lezer@bücher.example", "<p>x</p>"),
    ],
)
def test_the_fast_message_parses_to_the_same_headers_and_parts_as_djangos(subject, to, html):
    reference, fast, raw = both(subject=subject, to=to, text="Beste José,\nTot ziens.\n", html=html)

    for name in ["Subject", "From", "To", "Message-ID", "List-Unsubscribe",
                 "List-Unsubscribe-Post", "List-Id", "MIME-Version"]:  # fmt: skip
        assert str(fast[name]) == str(reference[name]), name
    assert fast.get_content_type() == "multipart/alternative"
    assert fast["Date"]
    parts = lambda m: [(p.get_content_type(), p.get_content()) for p in m.iter_parts()]  # noqa: E731
    assert parts(fast) == parts(reference)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_header_injection_is_refused_as_django_refuses_it():
    skeleton = IssueSkeleton(subject="Winter", from_email="nb@zvh.example", list_id="x <x>")
    with pytest.raises(BadHeaderError):
        skeleton.render(
            to="lezer@voorbeeld.example\nBcc: iedereen@voorbeeld.example",
            message_id="<a@b>",
            list_unsubscribe="<https://x>",
            text="",
            html="",
        )
