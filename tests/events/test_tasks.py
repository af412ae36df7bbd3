"""Event e-mails go out from Celery tasks that retry while the mail server fails."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

import pytest

from events import services, tasks

from .factories import create_event

pytestmark = pytest.mark.django_db

DISCONNECTING = "tests.events.test_tasks.DisconnectingMailServer"


class DisconnectingMailServer(LocmemBackend):
    """Drops the first connection (as a server restarting does), then delivers."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def count_from_zero():
    DisconnectingMailServer.attempts = 0


def test_the_registration_mail_is_retried_when_the_mail_server_disconnects(
    bare_agenda, user, settings, monkeypatch
):
    registration = services.registration_create(event=create_event(bare_agenda), user=user)
    settings.EMAIL_BACKEND = DISCONNECTING
    # As in a worker: a retry is scheduled instead of raised to the caller (in-process,
    # the retry follows at once).
    monkeypatch.setitem(tasks.send_registration_mail.app.conf, "task_eager_propagates", False)

    result = tasks.send_registration_mail.apply(args=[registration.pk, "confirmed"])

    assert result.successful()
    assert DisconnectingMailServer.attempts == 2
    assert [m.to for m in mail.outbox] == [[user.email]]
