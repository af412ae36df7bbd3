"""The mail plumbing the apps share (portal/mail.py): one address normalisation and
one retry policy for every task that sends e-mail."""

import smtplib
import socket

import pytest

from casework import tasks as casework_tasks
from events import tasks as events_tasks
from knowledge import tasks as knowledge_tasks
from portal.mail import MAIL_RETRY, normalise_email, send_transactional

MAIL_TASKS = [
    knowledge_tasks.acknowledge_question,
    knowledge_tasks.notify_experts_of_question,
    knowledge_tasks.send_question_reply,
    events_tasks.send_registration_mail,
    events_tasks.send_event_message,
    casework_tasks.send_case_notification,
    casework_tasks.send_registration_confirmation,
]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("anne@voorbeeld.nl", "anne@voorbeeld.nl"),
        ("  Anne.de.Vries@Voorbeeld.NL\n", "anne.de.vries@voorbeeld.nl"),
        ("\tBEA@GGD.example ", "bea@ggd.example"),
        ("", ""),
    ],
)
def test_an_address_is_stored_trimmed_and_in_lower_case(typed, stored):
    assert normalise_email(typed) == stored


def test_normalising_twice_changes_nothing():
    once = normalise_email(" Cor@Partner.Example ")
    assert normalise_email(once) == once


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({}),
        smtplib.SMTPDataError(451, "Try again later"),
        ConnectionRefusedError("mail server down"),
        TimeoutError("timed out"),
        socket.gaierror("name resolution failed"),
    ],
)
def test_the_retry_policy_covers_smtp_and_connection_errors(error):
    assert isinstance(error, MAIL_RETRY["autoretry_for"])


@pytest.mark.parametrize("task", MAIL_TASKS, ids=lambda task: task.name)
def test_every_mail_task_uses_the_shared_retry_policy(task):
    assert task.autoretry_for == MAIL_RETRY["autoretry_for"]
    assert task.max_retries == MAIL_RETRY["max_retries"]
    assert task.retry_backoff == MAIL_RETRY["retry_backoff"]
    assert task.retry_backoff_max == MAIL_RETRY["retry_backoff_max"]
    assert task.retry_jitter is MAIL_RETRY["retry_jitter"]


def test_a_transactional_mail_is_marked_automatic_and_carries_its_parts(mailoutbox, settings):
    send_transactional(
        to=["Anne@example.org"],
        subject="Aanmelding ontvangen",
        text="Tekst",
        html="<p>Tekst</p>",
        attachments=[("uitnodiging.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )
    (message,) = mailoutbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == ["Anne@example.org"]
    # RFC 3834: out-of-office responders do not answer it.
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.alternatives[0].content == "<p>Tekst</p>"
    assert message.attachments[0][0] == "uitnodiging.ics"


def test_a_transactional_mail_error_reaches_the_task_that_retries_it(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with pytest.raises(OSError):
        send_transactional(to=["a@example.org"], subject="S", text="T")


def test_only_the_newsletter_wire_format_builds_mails_itself():
    """Every other mail goes through portal.mail.send_transactional, so sender and
    headers are the same everywhere; the newsletter builds its own (List-Unsubscribe,
    per-recipient Message-ID) in newsletter/mime.py and sends them in bulk."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {
        "portal/mail.py",
        "newsletter/mime.py",
        "newsletter/services/messages.py",
        "newsletter/services/issues.py",
        "newsletter/services/sending.py",
    }
    builders = []
    for app in ("casework", "events", "knowledge", "newsletter", "search", "portal"):
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if "django.core.mail import" in path.read_text() and relative not in allowed:
                builders.append(relative)
    assert builders == []
