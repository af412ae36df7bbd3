"""After registration: reminders, evaluation, certificates, points and privacy."""

import io
from datetime import timedelta

from django.utils import timezone

import pytest
from pypdf import PdfReader

from events import services
from events.models import QuestionKind, Registration, SurveyResponse

from .factories import STANDARD_QUESTIONS, RegistrationFactory, create_event

pytestmark = pytest.mark.django_db


def attend(registration, present=True):
    for session in registration.event.sessions.all():
        services.attendance_record(registration=registration, session=session, present=present)


@pytest.fixture
def past_training(agenda):
    return create_event(
        agenda,
        title="Afgelopen training",
        days=-10,  # two sessions a week apart: both in the past
        sessions=2,
        questions=STANDARD_QUESTIONS,
        accreditation_register="SKJ",
        accreditation_points=3,
        accreditation_course_id="ZVH-1",
    )


def test_reminders_go_two_days_before_once_and_only_to_confirmed_people(
    bare_agenda, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    soon = create_event(bare_agenda, days=1.5, capacity=1)
    later = create_event(bare_agenda, days=5)
    confirmed = services.registration_create(event=soon, user=make_user())
    services.registration_create(event=soon, user=make_user())  # waiting list
    services.registration_create(event=later, user=make_user())

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0

    assert [m.to for m in mailoutbox] == [[confirmed.email]]
    assert "Ik kan niet komen" in mailoutbox[0].body


def test_the_evaluation_goes_to_attendees_only(
    past_training, mailoutbox, django_capture_on_commit_callbacks
):
    present = RegistrationFactory(event=past_training)
    absent = RegistrationFactory(event=past_training)
    attend(present)
    attend(absent, present=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send(now=past_training.ends_at + timedelta(hours=2)) == 1

    assert [m.to for m in mailoutbox] == [[present.email]]


def test_an_evaluation_is_answered_once_and_stored_without_the_person(client, past_training):
    registration = RegistrationFactory(event=past_training, survey_sent_at=timezone.now())
    url = f"/agenda/evaluatie/{services.token_for(registration)}/"

    response = client.post(url, {"rating": "4", "useful": "5", "comment": "Praktisch!"})
    again = client.post(url, {"rating": "1", "useful": "1"})

    assert response.status_code == 302
    assert again.status_code == 400
    assert SurveyResponse.objects.count() == 1
    assert not hasattr(SurveyResponse, "registration")


def test_someone_who_got_no_evaluation_cannot_answer_it(client, past_training):
    registration = RegistrationFactory(event=past_training)

    response = client.post(
        f"/agenda/evaluatie/{services.token_for(registration)}/", {"rating": "4", "useful": "5"}
    )

    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_results_are_public_only_from_five_responses(client, past_training):
    def answer(rating, useful):
        SurveyResponse.objects.create(
            event=past_training,
            answers={
                "rating": {"label": "Cijfer", "kind": "scale", "value": rating},
                "useful": {"label": "Bruikbaar", "kind": "scale", "value": useful},
            },
        )

    for n in range(4):
        answer(4, 3 + n % 2)
    assert "Zo beoordeelden deelnemers" not in client.get(past_training.url).content.decode()

    answer(5, 4)

    html = client.get(past_training.url).content.decode()
    assert "Zo beoordeelden deelnemers" in html
    assert "4,2" in html


def test_attendance_rule_all_sessions_or_any_session(past_training):
    registration = RegistrationFactory(event=past_training)
    first, _second = past_training.ordered_sessions()
    services.attendance_record(registration=registration, session=first, present=True)

    assert not services.registration_meets_attendance_rule(registration=registration)
    past_training.attendance_rule = "any"
    past_training.save()
    registration.refresh_from_db()
    assert services.registration_meets_attendance_rule(registration=registration)


def test_a_certificate_pdf_has_a_code_that_the_public_page_verifies(client, past_training):
    registration = RegistrationFactory(
        event=past_training, name="Fenna Voorbeeld", register_number="123456789"
    )
    attend(registration)

    response = client.get(f"/agenda/aanmelding/{services.token_for(registration)}/certificaat.pdf")

    registration.refresh_from_db()
    code = registration.certificate_code
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Fenna Voorbeeld" in text and code in text and "ZVH-1" in text and "SKJ" in text
    verified = client.get(f"/agenda/certificaat/controleren/?code={code}")
    assert "Dit certificaat is geldig." in verified.content.decode()
    assert client.get("/agenda/certificaat/controleren/?code=XXXXXXXXXX").status_code == 404


def test_no_certificate_without_attendance(client, past_training):
    registration = RegistrationFactory(event=past_training)
    attend(registration, present=False)

    response = client.get(f"/agenda/aanmelding/{services.token_for(registration)}/certificaat.pdf")

    assert response.status_code == 404


def test_mijn_trainingen_adds_up_points_per_register_and_year(client, agenda, past_training, user):
    other = create_event(agenda, days=-2, accreditation_register="SKJ", accreditation_points=2.5)
    for event in (past_training, other):
        attend(RegistrationFactory(event=event, user=user, email=user.email))
    client.force_login(user)

    html = client.get("/agenda/mijn-trainingen/").content.decode()

    year = timezone.localtime(past_training.starts_at).year
    assert f"<td>SKJ</td><td>{year}</td><td>5,5</td>" in html.replace("\n", "")


def test_dietary_answers_go_right_after_the_event(past_training):
    organisation = past_training.questions.get(kind=QuestionKind.ORGANISATION)
    dietary = past_training.questions.get(kind=QuestionKind.DIETARY)
    registration = RegistrationFactory(
        event=past_training, answers={organisation.key: "GGZ", dietary.key: "Halal"}
    )

    services.privacy_sweep()

    registration.refresh_from_db()
    assert registration.answers == {organisation.key: "GGZ"}
    assert registration.name.startswith("Deelnemer")


def test_registrants_are_anonymised_after_a_year_keeping_counts(past_training, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "events_anonymise": 365}
    plain = RegistrationFactory(event=past_training)
    certified = RegistrationFactory(event=past_training, certificate_code="ABCDEFGHJK")
    a_year_on = past_training.ends_at + timedelta(days=370)

    result = services.privacy_sweep(now=a_year_on)

    plain.refresh_from_db()
    certified.refresh_from_db()
    assert (result["anonymised"], result["evidence_anonymised"]) == (1, 0)
    assert plain.anonymised_at and "@" not in plain.name and plain.answers == {}
    assert certified.anonymised_at is None  # accreditation evidence is kept longer
    assert Registration.objects.filter(event=past_training).count() == 2
    later = services.privacy_sweep(now=past_training.ends_at + timedelta(days=365 * 6))
    certified.refresh_from_db()
    assert certified.anonymised_at and certified.certificate_code == ""
    assert (later["anonymised"], later["evidence_anonymised"]) == (1, 1)


def test_accreditation_evidence_is_kept_for_its_own_term(past_training, settings):
    settings.RETENTION_DAYS = {
        **settings.RETENTION_DAYS,
        "events_anonymise": 30,
        "events_accreditation": 100,
    }
    certified = RegistrationFactory(event=past_training, certificate_code="ABCDEFGHJK")

    services.privacy_sweep(now=past_training.ends_at + timedelta(days=99))
    certified.refresh_from_db()
    assert certified.anonymised_at is None

    services.privacy_sweep(now=past_training.ends_at + timedelta(days=101))
    certified.refresh_from_db()
    assert certified.anonymised_at is not None


def test_the_beat_schedule_runs_the_events_tasks(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "events.tasks.expire_holds_and_offers",
        "events.tasks.send_reminders",
        "events.tasks.send_surveys",
        "portal.tasks.run_retention",  # the privacy sweep, with every other term
    } <= tasks
