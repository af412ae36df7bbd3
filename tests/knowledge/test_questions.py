""" "Vraag het de expert": stored first, acknowledged by a retried task, answered by staff."""

import datetime
import smtplib

from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from celery.exceptions import Retry

from knowledge import services, tasks
from knowledge.models import ExpertQuestion, QuestionStatus, Theme

from .factories import ExpertFactory, ExpertQuestionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SMTP_DOWN = "tests.knowledge.mailbackends.SMTPDownBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

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
    to_asker = [m for m in mail.outbox if m.to == ["ellen@school.example"]]
    assert len(to_asker) == 1
    assert "radicalisering" in to_asker[0].body


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

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
            {**FORM, "theme": theme.pk},
        )

    assert response.status_code == 302  # the asker is thanked: the question is safe
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
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "knowledge_question": 180}
    theme = Theme.objects.first()
    old = ExpertQuestionFactory(theme=theme)
    services.question_answer(question=old, status=QuestionStatus.ANSWERED, answer="Antwoord")
    recent = ExpertQuestionFactory(theme=theme)
    services.question_answer(question=recent, status=QuestionStatus.REFERRED)
    ExpertQuestion.objects.filter(pk=old.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=181)
    )

    assert services.question_purge_personal_data() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.email, old.organisation) == ("", "", "")
    assert old.question and old.answer == "Antwoord"  # the knowledge stays
    assert recent.email == "vraag@gemeente.example"


def test_open_questions_are_purged_after_twice_the_period(home, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "knowledge_question": 10}
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


# --- the expert hears of the question ------------------------------------------------


def test_the_routed_expert_is_mailed_the_question_with_a_link_to_the_advice_request(
    client, home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    expert = ExpertFactory(name="Anne Routering", themes=[theme], email="anne@zvh-bzo.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
            {**FORM, "theme": theme.pk},
        )

    question = ExpertQuestion.objects.get()
    to_expert = [m for m in mail.outbox if m.to == [expert.email]]
    assert len(to_expert) == 1
    assert FORM["question"] in to_expert[0].body
    assert f"/admin/expert_questions/edit/{question.pk}/" in to_expert[0].body
    # The asker's details stay in the portal, where they are purged on schedule.
    assert FORM["email"] not in to_expert[0].body
    assert FORM["name"] not in to_expert[0].body
    assert question.expert_notified_at is not None


def test_when_the_routed_expert_has_no_address_every_expert_of_the_theme_is_told(home):
    theme = ThemeFactory(name="Testthema ondermijning")
    routed = ExpertFactory(name="Aart Zonderadres", themes=[theme], email="")
    ExpertFactory(name="Bea Partner", themes=[theme], email="bea@partner.example")
    ExpertFactory(name="Cor Partner", themes=[theme], email="cor@partner.example")
    question = ExpertQuestionFactory(theme=theme, expert=routed)

    assert services.question_notify_experts(question_id=question.pk) is True

    assert sorted(mail.outbox[0].to) == ["bea@partner.example", "cor@partner.example"]


def test_the_expert_notification_waits_for_the_mail_server_and_is_sent_once(home, settings):
    theme = Theme.objects.get(slug="mensenhandel")
    expert = ExpertFactory(name="Dirk Wacht", themes=[theme])
    question = ExpertQuestionFactory(theme=theme, expert=expert)
    settings.EMAIL_BACKEND = SMTP_DOWN

    with pytest.raises(smtplib.SMTPException):  # the task retries on this
        services.question_notify_experts(question_id=question.pk)

    question.refresh_from_db()
    assert question.expert_notified_at is None
    settings.EMAIL_BACKEND = LOCMEM
    assert services.question_notify_experts(question_id=question.pk) is True
    assert services.question_notify_experts(question_id=question.pk) is False
    assert [m.to for m in mail.outbox] == [[expert.email]]


def test_a_question_asked_while_the_mail_server_is_down_is_kept_and_both_mails_retry(
    client, home, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = SMTP_DOWN
    retries = []

    def record_retry(self, *args, **kwargs):
        retries.append(self.name)
        raise Retry("retry scheduled")

    for task in (tasks.notify_experts_of_question, tasks.acknowledge_question):
        monkeypatch.setattr(task, "retry", record_retry.__get__(task))
    theme = Theme.objects.get(slug="radicalisering")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
            {**FORM, "theme": theme.pk},
        )

    assert response.status_code == 302
    question = ExpertQuestion.objects.get()
    assert question.question == FORM["question"]
    assert (question.expert_notified_at, question.acknowledged_at) == (None, None)
    # Both mails are retried: the one to the asker and the one to the experts.
    assert sorted(retries) == sorted(
        [tasks.notify_experts_of_question.name, tasks.acknowledge_question.name]
    )


# --- staff answer; the asker receives it ----------------------------------------------


def _answer_in_admin(admin_client, question, **data):
    return admin_client.post(
        f"/admin/expert_questions/edit/{question.pk}/",
        {"theme": question.theme.pk, "expert": "", **data},
    )


def test_the_answer_staff_give_in_the_admin_is_mailed_to_the_asker(
    admin_client, home, django_capture_on_commit_callbacks
):
    question = ExpertQuestionFactory(theme=Theme.objects.get(slug="hgkm-mda"))

    with django_capture_on_commit_callbacks(execute=True):
        response = _answer_in_admin(
            admin_client, question, status="beantwoord", answer="Neem contact op met Veilig Thuis."
        )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.reply_sent_at is not None
    assert mail.outbox[-1].to == ["vraag@gemeente.example"]
    assert "Neem contact op met Veilig Thuis." in mail.outbox[-1].body
    assert question.question in mail.outbox[-1].body


def test_a_referral_tells_the_asker_where_the_question_went(
    admin_client, home, django_capture_on_commit_callbacks
):
    question = ExpertQuestionFactory(theme=Theme.objects.get(slug="hgkm-mda"))

    with django_capture_on_commit_callbacks(execute=True):
        _answer_in_admin(
            admin_client,
            question,
            status="doorverwezen",
            answer="Uw vraag ligt nu bij het Centrum voor Jeugd en Gezin.",
        )

    question.refresh_from_db()
    assert question.status == QuestionStatus.REFERRED
    assert question.closed_at is not None
    assert "doorverwezen" in mail.outbox[-1].subject.lower()
    assert "Centrum voor Jeugd en Gezin" in mail.outbox[-1].body


def test_closing_a_question_without_an_answer_is_refused(admin_client, home):
    question = ExpertQuestionFactory(theme=Theme.objects.get(slug="hgkm-mda"))

    response = _answer_in_admin(admin_client, question, status="beantwoord", answer="")

    assert response.status_code == 200  # the form again, with the message
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN
    assert not mail.outbox


def test_an_answer_given_while_the_mail_server_is_down_is_kept_and_mailed_later(
    admin_client, home, settings, monkeypatch, django_capture_on_commit_callbacks
):
    question = ExpertQuestionFactory(theme=Theme.objects.get(slug="hgkm-mda"))
    settings.EMAIL_BACKEND = SMTP_DOWN
    retries = []

    def record_retry(self, *args, **kwargs):
        retries.append(kwargs.get("countdown"))
        raise Retry("retry scheduled")

    task = tasks.send_question_reply
    monkeypatch.setattr(task, "retry", record_retry.__get__(task))

    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):
        _answer_in_admin(admin_client, question, status="beantwoord", answer="Bel de wijkagent.")

    question.refresh_from_db()
    assert (question.status, question.answer) == (QuestionStatus.ANSWERED, "Bel de wijkagent.")
    assert question.reply_sent_at is None
    assert len(retries) == 1

    settings.EMAIL_BACKEND = LOCMEM  # the mail server is back; the retry runs
    assert services.question_send_reply(question_id=question.pk) is True
    assert "Bel de wijkagent." in mail.outbox[-1].body


def test_correcting_an_answer_after_it_was_sent_does_not_mail_the_asker_again(home):
    question = ExpertQuestionFactory(theme=Theme.objects.first())
    services.question_answer(question=question, status=QuestionStatus.ANSWERED, answer="Eerst.")
    services.question_send_reply(question_id=question.pk)
    question.refresh_from_db()

    services.question_answer(question=question, status=QuestionStatus.ANSWERED, answer="Beter.")
    assert services.question_send_reply(question_id=question.pk) is False

    # Referring it afterwards is news for the asker: that is mailed.
    services.question_answer(question=question, status=QuestionStatus.REFERRED, answer="Naar CJG.")
    assert services.question_send_reply(question_id=question.pk) is True
    assert len(mail.outbox) == 2


def test_no_reply_is_mailed_once_the_askers_address_was_purged(home):
    question = ExpertQuestionFactory(theme=Theme.objects.first(), email="")
    services.question_answer(question=question, status=QuestionStatus.ANSWERED, answer="Zo.")
    assert services.question_send_reply(question_id=question.pk) is False
    assert not mail.outbox


# --- rate limit ------------------------------------------------------------------------


@override_settings(RATELIMIT_ENABLE=True)
def test_too_many_questions_from_one_address_get_a_dutch_429_and_keep_the_text(client, home):
    cache.clear()  # counters of earlier runs live in the same cache
    theme = Theme.objects.get(slug="radicalisering")
    url = reverse("knowledge:ask_theme", kwargs={"slug": theme.slug})
    data = {**FORM, "theme": theme.pk}
    for _ in range(10):
        assert client.post(url, data, REMOTE_ADDR="203.0.113.9").status_code == 302

    response = client.post(url, data, REMOTE_ADDR="203.0.113.9")

    html = response.content.decode()
    assert response.status_code == 429
    assert "probeer het over een uur opnieuw" in html
    assert FORM["question"] in html and FORM["email"] in html
    assert ExpertQuestion.objects.count() == 10
    # Someone else (another address) can still ask.
    assert client.post(url, data, REMOTE_ADDR="198.51.100.4").status_code == 302


@override_settings(RATELIMIT_ENABLE=True)
def test_the_limit_on_an_expert_page_keeps_the_text_too(client, home):
    cache.clear()
    theme = Theme.objects.get(slug="mensenhandel")
    expert = ExpertFactory(name="Bram Limiet", themes=[theme])
    url = reverse("knowledge:ask_expert", kwargs={"slug": expert.slug})
    for _ in range(10):
        client.post(url, {**FORM, "theme": theme.pk}, REMOTE_ADDR="203.0.113.10")

    response = client.post(url, {**FORM, "theme": theme.pk}, REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 429
    assert FORM["question"] in response.content.decode()


def test_mails_that_never_went_out_are_queued_again_by_the_hourly_sweep():
    """The broker was down when the question was stored and when it was answered: the
    tasks were never queued. The sweep sends what is missing, once."""
    theme = ThemeFactory(name="Sweepthema")
    expert = ExpertFactory(name="Sanne Sweep", themes=[theme])
    now = timezone.now()
    lost = ExpertQuestionFactory(
        theme=theme,
        expert=expert,
        email="kwijt@school.example",
        created_at=now - datetime.timedelta(hours=2),
    )
    answered = ExpertQuestionFactory(
        theme=theme,
        expert=expert,
        email="antwoord@school.example",
        status=QuestionStatus.ANSWERED,
        answer="Bespreek het eerst in het zorgteam.",
        created_at=now - datetime.timedelta(days=2),
        closed_at=now - datetime.timedelta(hours=1),
        acknowledged_at=now - datetime.timedelta(days=2),
        expert_notified_at=now - datetime.timedelta(days=2),
    )
    ExpertQuestionFactory(
        theme=theme, expert=expert, created_at=now - datetime.timedelta(minutes=5)
    )
    ExpertQuestionFactory(theme=theme, expert=expert, created_at=now - datetime.timedelta(days=30))
    mail.outbox.clear()

    counts = tasks.resend_question_mails()

    assert counts == {"acknowledgements": 1, "expert_notifications": 1, "replies": 1}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["kwijt@school.example", expert.email, "antwoord@school.example"]
    )
    lost.refresh_from_db()
    answered.refresh_from_db()
    assert lost.acknowledged_at and lost.expert_notified_at and answered.reply_sent_at
    mail.outbox.clear()
    assert tasks.resend_question_mails() == {
        "acknowledgements": 0,
        "expert_notifications": 0,
        "replies": 0,
    }
    assert mail.outbox == []


def test_the_sweep_runs_hourly_from_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["knowledge-resend-question-mails"]
    assert entry["task"] == "knowledge.tasks.resend_question_mails"
    assert entry["schedule"] == 60 * 60
