""" "Vraag het de expert": stored first, acknowledged by a retried task, answered by staff."""

import datetime
import smtplib

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from celery.exceptions import Retry

from knowledge import services, tasks
from knowledge.models import ExpertQuestion, QuestionStatus, Theme

from .factories import ExpertFactory, ExpertQuestionFactory

pytestmark = pytest.mark.django_db

FORM = {
    "question": "Hoe kunnen wij als school signalen van radicalisering bespreken met de gemeente?",
    "name": "Ellen Vraagsteller",
    "email": "ellen@school.example",
    "organisation": "Basisschool De Voorbeeld",
}


def test_a_question_on_a_theme_page_is_stored_routed_and_acknowledged(
    client, home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    # A procesregisseur whose name sorts before the demo's experts on this theme.
    expert = ExpertFactory(name="Anne Routering", themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
            {**FORM, "theme": theme.pk},
        )

    assert response.status_code == 302
    assert response.url == reverse("knowledge:ask_thanks")
    question = ExpertQuestion.objects.get()
    assert question.theme == theme
    assert question.status == QuestionStatus.OPEN
    assert question.expert == expert
    assert question.acknowledged_at is not None
    assert mail.outbox[-1].to == ["ellen@school.example"]
    assert "radicalisering" in mail.outbox[-1].body


def test_a_question_on_an_expert_page_goes_to_that_expert(client, home):
    theme = Theme.objects.get(slug="mensenhandel")
    expert = ExpertFactory(name="Bram Direct", themes=[theme])

    client.post(
        reverse("knowledge:ask_expert", kwargs={"slug": expert.slug}), {**FORM, "theme": theme.pk}
    )

    assert ExpertQuestion.objects.get().expert == expert


def test_an_incomplete_question_gets_a_dutch_message_and_keeps_what_was_typed(client, home):
    theme = Theme.objects.get(slug="radicalisering")

    response = client.post(
        reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
        {**FORM, "theme": theme.pk, "email": "geen-adres"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Voer een geldig e-mailadres in." in html
    assert FORM["question"] in html
    assert not ExpertQuestion.objects.exists()


def test_a_question_is_stored_when_the_mail_server_is_down_and_the_task_retries(
    client, home, monkeypatch, django_capture_on_commit_callbacks
):
    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    retries = []

    def record_retry(self, *args, **kwargs):
        retries.append(kwargs.get("countdown"))
        raise Retry("retry scheduled")

    monkeypatch.setattr(
        tasks.acknowledge_question, "retry", record_retry.__get__(tasks.acknowledge_question)
    )
    theme = Theme.objects.get(slug="hgkm-mda")

    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
            {**FORM, "theme": theme.pk},
        )

    question = ExpertQuestion.objects.get()
    assert question.question == FORM["question"]
    assert question.acknowledged_at is None
    assert len(retries) == 1


def test_acknowledging_twice_sends_one_mail(home):
    question = ExpertQuestionFactory(theme=Theme.objects.first())
    assert services.question_acknowledge(question_id=question.pk) is True
    assert services.question_acknowledge(question_id=question.pk) is False
    assert len(mail.outbox) == 1


def test_answering_closes_the_question_and_starts_the_retention_period(home):
    question = ExpertQuestionFactory(theme=Theme.objects.first())

    services.question_answer(question=question, status=QuestionStatus.ANSWERED, answer="Zo.")

    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.closed_at is not None


def test_personal_data_of_askers_is_purged_after_the_retention_period(home, settings):
    settings.KNOWLEDGE_QUESTION_RETENTION_DAYS = 180
    theme = Theme.objects.first()
    old = ExpertQuestionFactory(theme=theme)
    services.question_answer(question=old, status=QuestionStatus.ANSWERED, answer="Antwoord")
    recent = ExpertQuestionFactory(theme=theme)
    services.question_answer(question=recent, status=QuestionStatus.REFERRED)
    ExpertQuestion.objects.filter(pk=old.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=181)
    )

    assert tasks.purge_question_personal_data.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.email, old.organisation) == ("", "", "")
    assert old.question and old.answer == "Antwoord"  # the knowledge stays
    assert recent.email == "vraag@gemeente.example"


def test_open_questions_are_purged_after_twice_the_period(home, settings):
    settings.KNOWLEDGE_QUESTION_RETENTION_DAYS = 10
    with time_machine.travel(timezone.now() - datetime.timedelta(days=21)):
        ExpertQuestionFactory(theme=Theme.objects.first())
    assert services.question_purge_personal_data() == 1


def test_staff_see_questions_filtered_by_status_and_answer_them(admin_client, home):
    question = ExpertQuestionFactory(theme=Theme.objects.get(slug="hgkm-mda"))

    listing = admin_client.get("/admin/expert_questions/?status=open")
    assert listing.status_code == 200
    assert "Huiselijk geweld en kindermishandeling" in listing.content.decode()

    response = admin_client.post(
        f"/admin/expert_questions/edit/{question.pk}/",
        {"theme": question.theme.pk, "expert": "", "status": "beantwoord", "answer": "Bel ons."},
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == "beantwoord"
    assert question.closed_at is not None
