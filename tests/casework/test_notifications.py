"""Casework e-mails go out from Celery tasks after the case action has committed: a
mail-server outage never breaks or undoes the action, the task retries, and the
recipient's right to see the case is checked again when the mail is sent."""

import logging

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

import pytest

from casework import services, tasks
from casework.models import Case, CaseDraft, TimelineEntry
from portal.mail import MAIL_RETRY

from .factories import MunicipalityFactory
from .test_intake import fill_all, start

pytestmark = pytest.mark.django_db

DOWN = "tests.casework.test_notifications.MailServerDown"
FLAKY = "tests.casework.test_notifications.FlakyMailServer"


class MailServerDown(BaseEmailBackend):
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        raise ConnectionRefusedError("mail server down")


class FlakyMailServer(LocmemBackend):
    """Refuses the first two connections, then delivers."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= 2:
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def count_from_zero():
    # Tests run tasks eagerly (CELERY_TASK_ALWAYS_EAGER): retries follow at once.
    MailServerDown.attempts = 0
    FlakyMailServer.attempts = 0


def test_a_partner_message_is_saved_while_the_mail_server_is_down(
    client, partner, regisseur, case, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = DOWN
    client.force_login(partner)
    with (
        caplog.at_level(logging.WARNING, logger="casework.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("casework:case_action", args=[case.public_id, "bericht"]),
            {"body": "Er is iets veranderd"},
        )
    assert response.status_code == 302
    assert case.timeline.filter(kind=TimelineEntry.Kind.MESSAGE).get().body == (
        "Er is iets veranderd"
    )
    assert mail.outbox == []
    # Without a broker (demo, tests) the task runs in the request and its first failure
    # ends there; a worker retries it (next test). The log says which mail, no content.
    assert MailServerDown.attempts == 1
    record = next(r for r in caplog.records if r.getMessage() == "casework mail not sent")
    assert record.task == "send_case_notification"
    assert "veranderd" not in caplog.text


def test_a_registration_is_submitted_while_the_mail_server_is_down(
    client, partner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    municipality = MunicipalityFactory(name="Voorbeeldstad")
    client.force_login(partner)
    draft = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        fill_all(client, draft, municipality)
    case = Case.objects.get()
    assert case.reference
    assert not CaseDraft.objects.exists()
    assert MailServerDown.attempts > 0
    assert mail.outbox == []


def test_the_task_retries_until_the_mail_server_is_back(
    partner, regisseur, case, settings, monkeypatch
):
    settings.EMAIL_BACKEND = FLAKY
    # As in a worker: a retry is scheduled instead of raised to the caller.
    monkeypatch.setitem(tasks.send_case_notification.app.conf, "task_eager_propagates", False)
    result = tasks.send_case_notification.apply(args=[case.pk, regisseur.pk])
    assert result.successful()
    assert FlakyMailServer.attempts == 3
    assert [m.to for m in mail.outbox] == [[regisseur.email]]
    assert case.reference not in mail.outbox[0].body
    assert str(case.public_id) in mail.outbox[0].body


def test_the_task_is_thin_and_retries_on_connection_errors():
    assert tasks.send_case_notification.autoretry_for == MAIL_RETRY["autoretry_for"] == (OSError,)
    assert tasks.send_case_notification.max_retries == MAIL_RETRY["max_retries"]


def test_no_mail_to_someone_who_lost_sight_of_the_case_before_it_was_sent(
    regisseur, other_regisseur, case
):
    """Queued for the regisseur, but the case was reassigned before the worker ran."""
    case.procesregisseur = other_regisseur
    case.save()
    assert services.notification_send(case_id=case.pk, user_id=regisseur.pk) is False
    assert mail.outbox == []


def test_no_mail_about_a_case_that_no_longer_exists(regisseur, case):
    case_id = case.pk
    case.delete()
    assert services.notification_send(case_id=case_id, user_id=regisseur.pk) is False


def test_the_notification_is_dutch_and_carries_only_a_link(regisseur, case):
    assert services.notification_send(case_id=case.pk, user_id=regisseur.pk)
    message = mail.outbox[0]
    assert message.subject == "Nieuw bericht in de beveiligde omgeving"
    assert "Testpersoon" not in message.body and case.reference not in message.body


def test_an_invitation_is_not_saved_when_its_mail_cannot_be_sent(
    client, ondersteuner, organisation, settings
):
    """The invitation mail carries the one-time token, so it is sent in the request
    (not queued); when that fails the inviter gets a clear message and nothing is saved."""
    from casework.models import Invitation

    settings.EMAIL_BACKEND = DOWN
    client.force_login(ondersteuner)
    response = client.post(
        reverse("casework:invite"),
        {"email": "collega@example.org", "organisation": organisation.pk},
    )
    assert response.status_code == 400
    assert "kon niet worden verstuurd" in response.content.decode()
    assert 'value="collega@example.org"' in response.content.decode()
    assert not Invitation.objects.exists()
