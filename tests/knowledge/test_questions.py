""" "Vraag het de expert": stored first, the address confirmed before anything the asker
wrote leaves the portal, forwarded and acknowledged by retried tasks, answered by staff."""

import datetime
import re
import smtplib

from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from allauth.account.models import EmailAddress
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


def ask(client, theme, **fields):
    return client.post(
        reverse("knowledge:ask_theme", kwargs={"slug": theme.slug}),
        {**FORM, "theme": theme.pk, **fields},
    )


def confirmation_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/expertise/vraag/bevestigen/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def everything_in(message) -> str:
    """Subject, text and every alternative (HTML) of a mail, in one string."""
    parts = [message.subject, message.body]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(str(part) for part in parts)


def test_a_question_is_stored_and_routed_and_the_asker_only_asked_to_confirm_the_address(
    client, home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    # A procesregisseur whose name sorts before the demo's experts on this theme.
    expert = ExpertFactory(name="Anne Routering", themes=[theme], email="anne@zvh-bzo.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, theme)

    assert response.status_code == 302
    assert response.url == reverse("knowledge:ask_thanks")
    question = ExpertQuestion.objects.get()
    assert question.theme == theme
    assert question.status == QuestionStatus.OPEN
    assert question.expert == expert
    assert question.email_confirmed_at is None
    assert question.confirmation_sent_at is not None
    assert (question.expert_notified_at, question.acknowledged_at) == (None, None)
    # One mail, to the address given; the expert hears nothing yet.
    (request,) = mail.outbox
    assert request.to == [FORM["email"]]
    assert request.subject == "Bevestig uw e-mailadres"
    assert "/expertise/vraag/bevestigen/" in request.body
    # Nothing the asker typed: not the name, the question or the organisation.
    for typed in (FORM["name"], FORM["question"], FORM["organisation"], "radicalisering"):
        assert typed.lower() not in everything_in(request).lower()
    thanks = client.get(response.url).content.decode()
    assert "Nog één stap: bevestig uw e-mailadres" in thanks
    assert "binnen 7 dagen" in thanks


def test_a_stranger_cannot_make_our_mail_carry_their_words_or_links(
    client, home, django_capture_on_commit_callbacks
):
    """The probe: someone else's address, a name and a question written as a phishing
    message. The address receives our text and our link only, and the confirmation
    page the link opens shows none of it either."""
    theme = Theme.objects.get(slug="radicalisering")
    bait = {
        "name": "Uw account is geblokkeerd, bel 0900-1234567",
        "question": "Log direct in op https://phish.example/zvh om uw account te herstellen.",
        "organisation": "Helpdesk <a href='https://phish.example'>ZVH</a>",
        "email": "slachtoffer@voorbeeld.example",
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, theme, **bait).status_code == 302

    (message,) = mail.outbox
    text = everything_in(message)
    for word in ("phish.example", "0900-1234567", "geblokkeerd", "Helpdesk"):
        assert word not in text
    links = re.findall(r"https?://\S+", text)
    assert links and all("/expertise/vraag/bevestigen/" in link for link in links)
    page = client.get(confirmation_link(message))
    assert page.status_code == 200
    assert "phish.example" not in page.content.decode()
    assert "geblokkeerd" not in page.content.decode()
    assert ExpertQuestion.objects.get().email_confirmed_at is None  # opening is not confirming


def test_confirming_the_address_sends_the_question_to_the_expert_and_a_copy_to_the_asker(
    client, home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    expert = ExpertFactory(name="Anne Routering", themes=[theme], email="anne@zvh-bzo.example")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, theme)
    link = confirmation_link(mail.outbox[0])

    page = client.get(link)  # a mail scanner opening the link sends nothing on
    assert page.status_code == 200
    assert "Ja, verstuur mijn vraag" in page.content.decode()
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)

    assert response.status_code == 302
    assert response.url == reverse("knowledge:ask_sent")
    question = ExpertQuestion.objects.get()
    assert question.email_confirmed_at is not None
    assert question.expert_notified_at is not None and question.acknowledged_at is not None
    (to_expert,) = [m for m in mail.outbox if m.to == [expert.email]]
    assert FORM["question"] in to_expert.body
    (copy,) = [m for m in mail.outbox[1:] if m.to == [FORM["email"]]]
    assert copy.subject == "We hebben uw vraag ontvangen"
    assert FORM["question"] in copy.body
    assert "Uw vraag is onderweg naar onze experts" in client.get(response.url).content.decode()

    # A second click changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(link)
    assert again.url == reverse("knowledge:ask_sent")
    assert len(mail.outbox) == 3


def test_a_signed_in_user_asking_from_a_verified_address_is_not_asked_to_confirm(
    client, home, django_user_model, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    expert = ExpertFactory(name="Anne Routering", themes=[theme], email="anne@zvh-bzo.example")
    user = django_user_model.objects.create_user("pro", email="pro@gemeente.example")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="nog-niet@gemeente.example", verified=False)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, theme, email="Pro@Gemeente.example")

    assert response.url == reverse("knowledge:ask_sent")
    assert ExpertQuestion.objects.get().email_confirmed_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([expert.email, user.email])

    # Any other address, an unverified one of the account included, is confirmed first.
    for other in ("nog-niet@gemeente.example", "collega@gemeente.example"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, theme, email=other)
        assert response.url == reverse("knowledge:ask_thanks")
        assert [(m.to, m.subject) for m in mail.outbox] == [([other], "Bevestig uw e-mailadres")]


def test_an_unconfirmed_question_expires_and_is_deleted_after_its_term(
    client, home, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "knowledge_unconfirmed": 7}
    theme = Theme.objects.get(slug="radicalisering")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, theme)
    link = confirmation_link(mail.outbox[0])
    unconfirmed = ExpertQuestion.objects.get()
    answered_long_ago = ExpertQuestionFactory(
        theme=theme, created_at=timezone.now() - datetime.timedelta(days=30)
    )

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8), tick=False):
        expired = client.get(link)
        assert expired.status_code == 404
        assert "Deze link werkt niet meer" in expired.content.decode()
        assert client.post(link).status_code == 404
        assert services.question_purge_unconfirmed() == 1

    assert not ExpertQuestion.objects.filter(pk=unconfirmed.pk).exists()
    assert ExpertQuestion.objects.filter(pk=answered_long_ago.pk).exists()
    assert client.get("/expertise/vraag/bevestigen/vervalst/").status_code == 404


def test_staff_neither_see_nor_answer_unconfirmed_questions(
    admin_client, home, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="hgkm-mda")
    unconfirmed = ExpertQuestionFactory(theme=theme, email_confirmed_at=None)
    confirmed = ExpertQuestionFactory(theme=theme)

    listing = admin_client.get("/admin/expert_questions/").content.decode()
    assert f"/admin/expert_questions/edit/{confirmed.pk}/" in listing
    assert f"/admin/expert_questions/edit/{unconfirmed.pk}/" not in listing
    assert admin_client.get(f"/admin/expert_questions/edit/{unconfirmed.pk}/").status_code == 404
    assert admin_client.get(f"/admin/expert_questions/inspect/{unconfirmed.pk}/").status_code == 404

    # Even through the service: a reply quotes the question, so it never goes out.
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(question=unconfirmed, status=QuestionStatus.ANSWERED, answer="Zo.")
    assert services.question_notify_experts(question_id=unconfirmed.pk) is False
    assert services.question_acknowledge(question_id=unconfirmed.pk) is False
    assert not mail.outbox


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

    task = tasks.request_question_confirmation
    monkeypatch.setattr(task, "retry", record_retry.__get__(task))
    theme = Theme.objects.get(slug="hgkm-mda")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, theme)

    assert response.status_code == 302  # the asker is thanked: the question is safe
    question = ExpertQuestion.objects.get()
    assert question.question == FORM["question"]
    assert question.confirmation_sent_at is None
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
        ask(client, theme)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mail.outbox[0]))

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


def test_a_question_confirmed_while_the_mail_server_is_down_is_kept_and_both_mails_retry(
    client, home, settings, monkeypatch, django_capture_on_commit_callbacks
):
    theme = Theme.objects.get(slug="radicalisering")
    question = ExpertQuestionFactory(
        theme=theme, question=FORM["question"], email_confirmed_at=None
    )
    link = reverse(
        "knowledge:ask_confirm", args=[services.question_confirmation_token(question=question)]
    )
    settings.EMAIL_BACKEND = SMTP_DOWN
    retries = []

    def record_retry(self, *args, **kwargs):
        retries.append(self.name)
        raise Retry("retry scheduled")

    for task in (tasks.notify_experts_of_question, tasks.acknowledge_question):
        monkeypatch.setattr(task, "retry", record_retry.__get__(task))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.email_confirmed_at is not None
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
    unrequested = ExpertQuestionFactory(
        theme=theme,
        expert=expert,
        email="nog-bevestigen@school.example",
        created_at=now - datetime.timedelta(hours=2),
        email_confirmed_at=None,
    )
    ExpertQuestionFactory(
        theme=theme, expert=expert, created_at=now - datetime.timedelta(minutes=5)
    )
    ExpertQuestionFactory(theme=theme, expert=expert, created_at=now - datetime.timedelta(days=30))
    ExpertQuestionFactory(  # its link has expired: no use asking again
        theme=theme,
        expert=expert,
        created_at=now - datetime.timedelta(days=8),
        email_confirmed_at=None,
    )
    mail.outbox.clear()

    counts = tasks.resend_question_mails()

    assert counts == {
        "confirmation_requests": 1,
        "acknowledgements": 1,
        "expert_notifications": 1,
        "replies": 1,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "nog-bevestigen@school.example",
            "kwijt@school.example",
            expert.email,
            "antwoord@school.example",
        ]
    )
    lost.refresh_from_db()
    answered.refresh_from_db()
    unrequested.refresh_from_db()
    assert lost.acknowledged_at and lost.expert_notified_at and answered.reply_sent_at
    assert unrequested.confirmation_sent_at and not unrequested.expert_notified_at
    mail.outbox.clear()
    assert tasks.resend_question_mails() == {
        "confirmation_requests": 0,
        "acknowledgements": 0,
        "expert_notifications": 0,
        "replies": 0,
    }
    assert mail.outbox == []


def test_the_sweep_runs_hourly_from_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["knowledge-resend-question-mails"]
    assert entry["task"] == "knowledge.tasks.resend_question_mails"
    assert entry["schedule"] == 60 * 60
