"""The issue e-mail built from a per-sending skeleton says what Django's own message says."""

import email
import smtplib
from email import policy

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from newsletter.mime import IssueSkeleton
from newsletter.rendering import personalise_html, personalise_text
from tests.fuzzing import examples


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


# --- The compiled wire form (IssueSkeleton.body / .wire) -----------------------
# Per message the sending loop joins pre-encoded segments with the encoded
# personal values. Whatever the values, the decoded parts must be exactly what
# rendering.personalise_* and Django's own message give.

FROM = "ZVH Nieuwsbrief <nb@zvh.example>"
LIST_ID = "ZVH Nieuwsbrief <nieuwsbrief.zvh-bzo.example>"
UNSUBSCRIBE = "<https://portal.example/abonnement/afmelden/abc:def/>"
LONG_LINE = "<td>" + "breed " * 200 + "</td>"  # 1,208 octets: the part goes quoted-printable


def received(wire: bytes) -> bytes:
    """What an SMTP server stores: the dot-stuffing undone (RFC 5321 4.5.2)."""
    lines = wire.split(b"\r\n")
    return b"\r\n".join(line[1:] if line.startswith(b".") else line for line in lines)


def django_message(*, to, text, html, values):
    headers = {
        "List-Unsubscribe": UNSUBSCRIBE,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": LIST_ID,
        "Message-ID": "<token@zvh-bzo.example>",
    }
    message = EmailMultiAlternatives(
        subject="Winter", body=personalise_text(text, values), from_email=FROM, to=[to],
        headers=headers,
    )  # fmt: skip
    message.attach_alternative(personalise_html(html, values), "text/html")
    return parsed(message.message().as_bytes(linesep="\r\n"))


def needs_generic_path(body, text, html, values) -> bool:
    """Only an 8bit part that a value would push past 998 octets needs it."""
    personalised = [(body.text, personalise_text(text, values)),
                    (body.html, personalise_html(html, values))]  # fmt: skip
    return any(
        not part.qp and any(len(line.encode()) > 998 for line in content.split("\n"))
        for part, content in personalised
    )


def wire(*, to, text, html, values):
    skeleton = IssueSkeleton(subject="Winter", from_email=FROM, list_id=LIST_ID)
    body = skeleton.body("", text=text, html=html)
    data = skeleton.wire(
        body, to=to, message_id="<token@zvh-bzo.example>", list_unsubscribe=UNSUBSCRIBE,
        values=values,
    )  # fmt: skip
    return body, data


def assert_same_message(data: bytes, reference, *, stuffed=True):
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    # 998 octets per line, plus the transparency dot an SMTP server removes.
    assert all(len(line) <= 999 for line in data.split(b"\r\n"))
    message = parsed(received(data) if stuffed else data)
    for name in ["Subject", "From", "To", "Message-ID", "List-Unsubscribe",
                 "List-Unsubscribe-Post", "List-Id", "MIME-Version"]:  # fmt: skip
        assert str(message[name]) == str(reference[name]), name
    parts = lambda m: [(p.get_content_type(), p.get_content()) for p in m.iter_parts()]  # noqa: E731
    assert parts(message) == parts(reference)


TEXT = "[[greeting]]\n\n.Punt aan het begin\n[[name]]\nUitschrijven: [[unsubscribe_url]] \n"
HTML = '<p>[[greeting]]</p>\n[[name]]<a href="[[unsubscribe_url]]">af</a>\n.<br>\n[[name]]'
AWKWARD_NAMES = [
    "José Ñúñez",
    ".",
    ".punt",
    "a.b. .c",
    "=?utf-8?q?x?=",
    "= =3D ==",
    "spatie aan het eind ",
    "tab\t",
    "<b>&amp;</b> \"quotes\" 'enkel'",
    "[[unsubscribe_url]]",
    "x" * 2000,
    "é" * 700,  # 1,400 octets in 700 characters
    "",
]


@pytest.mark.parametrize("html", [HTML, HTML + "\n" + LONG_LINE], ids=["8bit", "qp"])
@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_the_wire_form_decodes_to_what_django_makes_of_the_personalised_parts(html, name):
    values = {
        "greeting": f"Beste {name}," if name else "Beste lezer,",
        "name": name,
        "unsubscribe_url": "https://portal.example/abonnement/afmelden/abc:def/",
    }
    reference = django_message(to="lezer@voorbeeld.example", text=TEXT, html=html, values=values)

    body, data = wire(to="lezer@voorbeeld.example", text=TEXT, html=html, values=values)

    if needs_generic_path(body, TEXT, html, values):
        # An 8bit part where this value would make a line longer than 998 octets:
        # the generic path takes it (and picks quoted-printable, as Django does).
        assert data is None
        assert len(name.encode()) > 900
    else:
        assert_same_message(data, reference)


@pytest.mark.parametrize("name", ["Jan\nBcc: x@y.example", "Jan\r\n.", "Jan\r"])
def test_a_value_with_a_line_break_takes_the_generic_path_as_before(name):
    values = {"greeting": f"Beste {name},", "name": name, "unsubscribe_url": "https://x.example/"}
    for html in [HTML, HTML + "\n" + LONG_LINE]:
        _body, data = wire(to="lezer@voorbeeld.example", text=TEXT, html=html, values=values)
        assert data is None


@pytest.mark.parametrize(
    ("name", "fast"),
    [("n" * 992, True), ("n" * 993, False), ("é" * 496, True), ("é" * 496 + "n", False)],
)
def test_an_8bit_line_may_reach_998_octets_and_not_one_more(name, fast):
    text = "Naam: [[name]]\n"  # 6 fixed octets on the line of the value
    values = {"name": name}
    reference = django_message(to="a@b.example", text=text, html="<p>x</p>", values=values)

    _body, data = wire(to="a@b.example", text=text, html="<p>x</p>", values=values)

    assert (data is not None) == fast
    if fast:
        assert max(len(line) for line in data.split(b"\r\n")) == 998
        assert_same_message(data, reference)


def test_8bit_and_quoted_printable_are_chosen_by_octets_as_django_does():
    assert wire(to="a@b.example", text="x\n", html="é" * 600, values={})[0].html.qp
    assert not wire(to="a@b.example", text="x\n", html="e" * 998, values={})[0].html.qp
    assert b"quoted-printable" in IssueSkeleton(
        subject="x", from_email=FROM, list_id=LIST_ID
    ).render(to="a@b.example", message_id="<a@b>", list_unsubscribe="<x>", text="", html="é" * 600)


def test_the_same_bytes_reach_the_server_through_smtp(settings):
    """The prepared DATA goes through a real SMTP conversation: the server undoes the
    dot-stuffing and stores the message that parses like Django's."""
    from newsletter.services import smtp_send

    from .smtp_sink import Sink, SinkHandler

    class Keeping(SinkHandler):
        contents: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.contents.append(envelope.original_content)
            return await super().handle_DATA(server, session, envelope)

    values = {"greeting": "Beste .Jan,", "name": ".", "unsubscribe_url": "https://x.example/a"}
    cases = [(TEXT, html) for html in [HTML, HTML + "\n" + LONG_LINE]]
    handler = Keeping(keep_headers=False)
    with Sink(handler) as sink, smtplib.SMTP("127.0.0.1", sink.port) as session:
        for text, html in cases:
            _body, data = wire(to="lezer@voorbeeld.example", text=text, html=html, values=values)
            smtp_send(session, "nb@zvh.example", "lezer@voorbeeld.example", data, prepared=True)
    assert len(handler.contents) == 2
    for content, (text, html) in zip(handler.contents, cases, strict=True):
        reference = django_message(
            to="lezer@voorbeeld.example", text=text, html=html, values=values
        )
        assert_same_message(content, reference, stuffed=False)


fragments = st.one_of(
    st.text(alphabet="ab .=\té€<>&", max_size=20),
    st.sampled_from(["\n", "\n.", ".", " \n", "\t\n", "=\n", "[[name]]", "[[greeting]]",
                     "[[unsubscribe_url]]", "[[unknown]]", LONG_LINE]),
)  # fmt: skip
values_ = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40),
    st.text(alphabet=". =\té", max_size=6),
    st.text(alphabet="é.", min_size=400, max_size=1100),
)


@given(
    text=st.lists(fragments, max_size=25).map("".join),
    html=st.lists(fragments, max_size=25).map("".join),
    name=values_,
    greeting=values_,
)
@hypothesis_settings(max_examples=examples(300), deadline=None)
def test_any_template_and_values_decode_like_django(text, html, name, greeting):
    values = {"name": name, "greeting": greeting, "unsubscribe_url": "https://x.example/a?b=c"}
    # Django leaves out an empty text part (ours keeps it); a rendered text is never empty.
    assume(personalise_text(text, values))
    reference = django_message(to="lezer@voorbeeld.example", text=text, html=html, values=values)

    body, data = wire(to="lezer@voorbeeld.example", text=text, html=html, values=values)

    assert (data is None) == needs_generic_path(body, text, html, values)
    if data is not None:
        assert_same_message(data, reference)
