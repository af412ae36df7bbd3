"""The closing-satisfaction survey: single-use, expiring, unguessable links that show
only the case reference; one reminder; follow-up tasks for strongly negative answers
with consent; answers for staff who may see the case; waiting surveys for partners."""

import hashlib
import re
from datetime import timedelta

from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services, tasks
from casework.models import (
    AuditEntry,
    CaseEvaluation,
    CaseShare,
    FollowUpTask,
    SurveyInvitation,
    SurveyResponse,
)
from casework.roles import MANAGER

from .factories import (
    CaseFactory,
    closable_case,
    evaluation_data,
    partner_user,
    staff_user,
    survey_invitation,
)

pytestmark = pytest.mark.django_db

# What the case factory writes into a case: none of it may reach a survey page or e-mail.
CASE_CONTENT = ["Testpersoon Jansen", "Synthetisch probleem", "Synthetisch risico", "Hulpverlening"]
LINK = re.compile(r"https?://[^/\s]+(/enquete/([A-Za-z0-9_-]+)/)")

ANSWERS = {
    "overall": "4",
    "process": "5",
    "grade": "8",
    "would_involve_again": "ja",
    "went_well": "Snel een casusoverleg",
    "could_improve": "Eerder terugkoppelen",
}
NEGATIVE = {**ANSWERS, "overall": "1", "process": "2", "grade": "3", "would_involve_again": "nee"}


def survey_url(token):
    return reverse("casework_survey:survey", args=[token])


@pytest.fixture
def closed(regisseur, partner, django_capture_on_commit_callbacks):
    """A case closed through the service, its invitation and the link from the e-mail."""
    case = closable_case(regisseur=regisseur, registered_by=partner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    invitation = SurveyInvitation.objects.get(case=case)
    (message,) = mail.outbox
    path, token = LINK.search(message.body).groups()
    return case, invitation, path, token


# --- Link and e-mail ---------------------------------------------------------------------------


def test_the_email_carries_only_the_reference_and_a_link(closed, partner):
    case, invitation, path, token = closed
    (message,) = mail.outbox
    assert message.to == [partner.email]
    assert case.reference in message.subject and case.reference in message.body
    for text in CASE_CONTENT + [case.municipality.name, case.organisation.name]:
        assert text not in message.subject + message.body
    assert "tevreden" in message.subject  # Dutch
    assert path == survey_url(token)


def test_only_the_tokens_hash_is_stored_and_it_is_long_and_random(closed):
    _case, invitation, _path, token = closed
    assert len(token) >= 43
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = SurveyInvitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in [str(value) for value in stored.values()]
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)


def test_the_page_needs_no_login_and_shows_only_the_case_reference(client, closed):
    case, _invitation, path, _token = closed
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body
    for text in CASE_CONTENT + [
        case.municipality.name,
        case.organisation.name,
        case.get_kind_display(),
        str(case.public_id),
    ]:
        assert text not in body
    for question in [
        "Hoe tevreden bent u in het algemeen",
        "procesregie",
        "rapportcijfer",
        "opnieuw inschakelen",
        "Wat ging goed?",
        "Wat kan beter?",
        "mag contact met mij opnemen",
    ]:
        assert question in body
    assert response["Referrer-Policy"] == "same-origin"


def test_answering_stores_the_answers_once_and_the_link_then_dies(client, closed):
    case, invitation, path, _token = closed
    response = client.post(path, ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework_survey:thanks")
    assert "Bedankt" in client.get(response["Location"]).content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.case, answer.role, answer.overall, answer.process, answer.grade) == (
        case,
        "aanmelder",
        4,
        5,
        8,
    )
    assert answer.would_involve_again is True and answer.contact_consent is False
    assert answer.went_well == "Snel een casusoverleg"
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.email == ""  # the address goes once it is no longer needed
    assert AuditEntry.objects.filter(action="survey.answer", object_id=case.reference).exists()

    again = client.get(path)
    assert again.status_code == 410
    assert case.reference not in again.content.decode()
    assert "al ingevuld" in again.content.decode()
    assert client.post(path, ANSWERS).status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_a_guessed_token_finds_nothing(client, closed):
    case, _invitation, _path, token = closed
    for guess in [SurveyInvitation.new_token(), token[:-1], token + "x", "a" * 300]:
        response = client.get(survey_url(guess))
        assert response.status_code == 404
        body = response.content.decode()
        assert case.reference not in body
        assert "We vinden geen enquête bij deze link" in body


def test_the_link_expires_after_fourteen_days(client, closed):
    case, invitation, path, _token = closed
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = client.get(path)
        assert response.status_code == 410
        assert case.reference not in response.content.decode()
        assert client.post(path, ANSWERS).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_link_cannot_be_used_to_see_or_answer_for_another_case(client, closed, regisseur):
    case, _invitation, path, _token = closed
    other = CaseFactory(procesregisseur=regisseur, reference="ZVH-2026-77777")
    _other_invitation, _other_token = survey_invitation(other)
    body = client.get(path).content.decode()
    assert other.reference not in body
    client.post(path, {**ANSWERS, "case": other.pk, "invitation": _other_invitation.pk})
    assert SurveyResponse.objects.get().case == case
    assert not SurveyResponse.objects.filter(case=other).exists()


def test_incomplete_answers_are_a_400_that_keeps_what_was_typed(client, closed):
    _case, invitation, path, _token = closed
    response = client.post(path, {**ANSWERS, "grade": "11", "overall": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Eerder terugkoppelen" in body and "Snel een casusoverleg" in body
    assert re.search(r'<input type="radio" name="process" value="5"[^>]*checked', body)
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


@override_settings(RATELIMIT_ENABLE=True)
def test_too_many_requests_from_one_address_get_a_dutch_429(client, closed):
    _case, _invitation, path, _token = closed
    cache.clear()
    # The limit counts per clock minute: with the clock standing still, 31 requests on
    # a busy machine cannot straddle two minutes and start a fresh count.
    frozen = time_machine.travel(timezone.now(), tick=False)
    frozen.start()
    try:
        statuses = [client.get(path).status_code for _ in range(31)]
        assert statuses[:30] == [200] * 30
        assert statuses[30] == 429
        response = client.post(path, ANSWERS)
        assert response.status_code == 429
        assert "Te veel verzoeken" in response.content.decode()
        assert not SurveyResponse.objects.exists()
    finally:
        frozen.stop()
        cache.clear()


# --- Reminder and purge ---------------------------------------------------------------------------


def test_one_reminder_goes_to_non_responders_only(
    client, regisseur, django_capture_on_commit_callbacks
):
    answered_by, waiting, fresh = partner_user(), partner_user(), partner_user()
    case = CaseFactory(procesregisseur=regisseur)
    answered, _ = survey_invitation(case, answered_by, created_days_ago=8)
    services.survey_submit(
        invitation=answered,
        answers={"overall": 4, "process": 4, "grade": 7, "would_involve_again": True},
    )
    pending, first_token = survey_invitation(case, waiting, role="partner", created_days_ago=8)
    survey_invitation(case, fresh, created_days_ago=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_survey_reminders() == 1
    (reminder,) = mail.outbox
    assert reminder.to == [waiting.email]
    assert "Herinnering" in reminder.subject and case.reference in reminder.subject
    for text in CASE_CONTENT:
        assert text not in reminder.body
    pending.refresh_from_db()
    assert pending.reminded_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_reminders_send() == 0
    assert len(mail.outbox) == 1
    # Both the first link and the reminder's link work, once between them.
    _path, reminder_token = LINK.search(reminder.body).groups()
    assert reminder_token != first_token
    assert client.get(survey_url(first_token)).status_code == 200
    assert client.post(survey_url(reminder_token), ANSWERS).status_code == 302
    assert client.get(survey_url(first_token)).status_code == 410


def test_a_reminder_that_cannot_be_mailed_is_tried_again_on_the_next_run(regisseur, settings):
    case = CaseFactory(procesregisseur=regisseur)
    pending, _ = survey_invitation(case, partner_user(), created_days_ago=8)
    settings.EMAIL_BACKEND = "tests.casework.test_notifications.MailServerDown"
    assert services.survey_reminders_send() == 0
    pending.refresh_from_db()
    assert pending.reminded_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert services.survey_reminders_send() == 1
    assert len(mail.outbox) == 1


def test_no_reminder_after_expiry(regisseur):
    case = CaseFactory(procesregisseur=regisseur)
    survey_invitation(case, partner_user(), created_days_ago=15)
    assert services.survey_reminders_send() == 0


def test_expired_invitations_lose_their_address(regisseur):
    case = CaseFactory(procesregisseur=regisseur)
    expired, _ = survey_invitation(case, partner_user(), created_days_ago=15)
    open_one, _ = survey_invitation(case, partner_user(), created_days_ago=3)
    assert services.survey_addresses_purge() == 1
    expired.refresh_from_db()
    open_one.refresh_from_db()
    assert expired.email == "" and open_one.email != ""


def test_the_reminder_and_the_purge_run_from_celery_beat(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casework.tasks.send_survey_reminders" in tasks_scheduled
    # The address purge is part of the hourly retention run (portal.retention).
    assert "portal.tasks.run_retention" in tasks_scheduled


# --- Follow-up for strongly negative answers -------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "consent", "task"),
    [
        (NEGATIVE, True, True),
        ({**ANSWERS, "overall": "2"}, True, True),
        ({**ANSWERS, "grade": "4"}, True, True),
        (NEGATIVE, False, False),
        ({**ANSWERS, "overall": "3", "grade": "5"}, True, False),
        (ANSWERS, True, False),
    ],
    ids=["negative+consent", "overall-2", "grade-4", "no-consent", "lukewarm", "positive"],
)
def test_a_follow_up_task_only_for_a_strongly_negative_answer_with_consent(
    client, closed, django_capture_on_commit_callbacks, answers, consent, task
):
    case, _invitation, path, _token = closed
    manager = staff_user(MANAGER)
    mail.outbox.clear()
    data = {**answers, **({"contact_consent": "on"} if consent else {})}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path, data).status_code == 302
    assert FollowUpTask.objects.filter(case=case).exists() == task
    manager_mail = [message for message in mail.outbox if manager.email in message.to]
    assert len(manager_mail) == (1 if task else 0)
    if task:
        message = manager_mail[0]
        body = message.subject + message.body
        assert "/partners/opvolging/" in body
        for text in CASE_CONTENT + [case.reference, "Eerder terugkoppelen"]:
            assert text not in body
        assert AuditEntry.objects.filter(action="followup.create").exists()


def test_the_manager_sees_open_follow_up_tasks_and_marks_one_done(client, closed):
    case, _invitation, path, _token = closed
    client.post(path, {**NEGATIVE, "contact_consent": "on"})
    task = FollowUpTask.objects.get()
    manager = staff_user(MANAGER)
    client.force_login(manager)
    page = client.get(reverse("casework:follow_up"))
    assert page.status_code == 200
    body = page.content.decode()
    assert case.reference in body and "Eerder terugkoppelen" in body
    assert case.registered_by.email in body  # whom to call back

    empty = client.post(reverse("casework:follow_up"), {"task": task.pk})
    assert empty.status_code == 400
    task.refresh_from_db()
    assert task.done_at is None

    done = client.post(
        reverse("casework:follow_up"),
        {"task": task.pk, f"task-{task.pk}-note": "Gebeld, afspraak gemaakt"},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == manager
    assert task.note == "Gebeld, afspraak gemaakt"
    assert AuditEntry.objects.filter(action="followup.done", object_id=case.reference).exists()
    assert (
        "Er zijn geen open opvolgtaken."
        in client.get(reverse("casework:follow_up")).content.decode()
    )
    again = client.post(
        reverse("casework:follow_up"), {"task": task.pk, f"task-{task.pk}-note": "Nog eens"}
    )
    assert again.status_code == 400


def test_only_managers_reach_the_follow_up_page(client, regisseur, partner):
    for user in [regisseur, partner]:
        client.force_login(user)
        assert client.get(reverse("casework:follow_up")).status_code == 403


# --- Answers on the case, waiting surveys for partners ------------------------------------------------


def test_staff_who_may_see_the_case_see_the_answers_and_nobody_else(
    client, closed, regisseur, other_regisseur, partner
):
    case, _invitation, path, _token = closed
    client.post(path, ANSWERS)
    detail = reverse("casework:case_detail", args=[case.public_id])
    for user in [regisseur, staff_user(MANAGER)]:
        client.force_login(user)
        body = client.get(detail).content.decode()
        assert "Snel een casusoverleg" in body and "1 van 1" in body
    client.force_login(partner)  # the registering partner sees the case, not the answers
    response = client.get(detail)
    assert response.status_code == 200
    assert "Snel een casusoverleg" not in response.content.decode()
    client.force_login(other_regisseur)
    response = client.get(detail)
    assert response.status_code in (302, 404)
    assert "Snel een casusoverleg" not in response.content.decode()


def test_partners_see_their_waiting_surveys_and_answer_while_signed_in(
    client, closed, partner, other_partner
):
    case, invitation, _path, _token = closed
    signed_in_url = reverse("casework:survey_signed_in", args=[invitation.public_id])
    client.force_login(partner)
    home = client.get(reverse("casework:home")).content.decode()
    assert "Enquêtes die op u wachten" in home and signed_in_url in home
    client.force_login(other_partner)
    assert signed_in_url not in client.get(reverse("casework:home")).content.decode()
    assert client.get(signed_in_url).status_code == 404
    assert client.post(signed_in_url, ANSWERS).status_code == 404

    client.force_login(partner)
    page = client.get(signed_in_url)
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert client.post(signed_in_url, ANSWERS).status_code == 302
    entry = AuditEntry.objects.get(action="survey.answer")
    assert entry.actor_pk == partner.pk
    assert "Enquêtes die op u wachten" not in client.get(reverse("casework:home")).content.decode()
    assert client.get(signed_in_url).status_code == 410


def test_expired_surveys_are_not_waiting(client, regisseur, partner):
    case = CaseFactory(
        procesregisseur=regisseur, organisation=partner.casework_membership.organisation
    )
    survey_invitation(case, partner, created_days_ago=15)
    client.force_login(partner)
    assert "Enquêtes die op u wachten" not in client.get(reverse("casework:home")).content.decode()


def test_an_involved_partner_contact_is_invited_as_partner(
    regisseur, partner, other_partner, django_capture_on_commit_callbacks
):
    case = closable_case(regisseur=regisseur, registered_by=partner, casusregisseur=other_partner)
    CaseShare.objects.create(case=case, organisation=other_partner.casework_membership.organisation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [partner.email, other_partner.email]
    )
    assert SurveyInvitation.objects.get(user=other_partner).role == "partner"


# --- Hostile input ------------------------------------------------------------------------------

hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00\x01<>\"'&%;/\\\u202e"), max_size=20),
    st.sampled_from(["0", "6", "11", "-1", "ja", "nee", "on", "999999", "1e3", "doel-bereikt"]),
    st.just("x" * 3000),
)
survey_fields = st.sampled_from([*ANSWERS, "contact_consent"])
closure_fields = st.sampled_from(
    [
        "to_status",
        "content_goal",
        "process_goal_1",
        "process_goal_2",
        "process_goal_3",
        "extra_expertise",
        "partners_involved",
        "closure_reason",
        "jeugd_result",
        "note",
    ]
)
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def test_the_survey_survives_hostile_input_and_stores_only_valid_answers(client, closed):
    _case, _invitation, path, _token = closed

    @FUZZ
    @given(data=st.dictionaries(survey_fields, hostile, max_size=8), token=hostile)
    def run(data, token):
        assert client.post(path.replace("/enquete/", "/enquete/x") + token, data).status_code < 500
        response = client.post(path, data)
        assert response.status_code in (302, 400, 410)
        if response.status_code == 400:
            assert not SurveyResponse.objects.exists()
        if response.status_code == 302:
            answer = SurveyResponse.objects.get()
            assert 1 <= answer.overall <= 5 and 1 <= answer.grade <= 10

    run()


def test_the_closure_form_survives_hostile_input(client, regisseur, partner):
    client.force_login(regisseur)
    case = closable_case(regisseur=regisseur, registered_by=partner)
    url = reverse("casework:case_action", args=[case.public_id, "afsluiten"])

    @FUZZ
    @given(data=st.dictionaries(closure_fields, hostile, max_size=10))
    def run(data):
        closed_before = CaseEvaluation.objects.filter(case=case).exists()
        response = client.post(url, data)
        assert response.status_code in (302, 400)
        case.refresh_from_db()
        if not closed_before:
            # Either closed with its evaluation, or nothing written at all.
            assert (case.status == "afgesloten") == (response.status_code == 302)
        assert CaseEvaluation.objects.filter(case=case).exists() == (case.status == "afgesloten")

    run()
