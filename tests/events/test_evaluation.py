"""The evaluation survey: editors define its questions per event, or per agenda as a
default set; results per question for staff, public only from five responses."""

import re

from django.utils import timezone

import pytest

from events import services
from events.models import AgendaEvaluationQuestion, EvaluationKind, SurveyResponse
from tests.mfa import with_mfa

from .factories import RegistrationFactory, create_event

pytestmark = pytest.mark.django_db

OWN_QUESTIONS = [
    (EvaluationKind.SCALE, "Hoe duidelijk was de trainer?", True),
    (EvaluationKind.YES_NO, "Zou u deze training aanraden?", True),
    (EvaluationKind.CHOICE, "Welk onderdeel was het nuttigst?", False, "Casuïstiek\nTheorie"),
    (EvaluationKind.TEXT, "Wat kan beter?", False),
]


@pytest.fixture
def past(agenda):
    return create_event(agenda, title="Afgelopen training", days=-3, evaluation=OWN_QUESTIONS)


def keys(event):
    return {q.label: q.key for q in services.evaluation_questions(event=event)}


def invited(event):
    return RegistrationFactory(event=event, survey_sent_at=timezone.now())


def survey_url(registration):
    return f"/agenda/evaluatie/{services.token_for(registration)}/"


def test_an_event_without_questions_asks_the_agendas_default_set_or_else_the_standard_one(
    agenda,
):
    event = create_event(agenda, days=-3)
    assert [q.key for q in services.evaluation_questions(event=event)] == [
        "rating",
        "useful",
        "comment",
    ]

    default = AgendaEvaluationQuestion.objects.create(
        page=agenda, kind=EvaluationKind.SCALE, label="Hoe was de locatie?", required=True
    )

    assert [(q.key, q.label) for q in services.evaluation_questions(event=event)] == [
        (f"a{default.pk}", "Hoe was de locatie?")
    ]


def test_the_survey_asks_the_events_own_questions_and_stores_them_by_question(client, past):
    registration = invited(past)
    key = keys(past)

    page = client.get(survey_url(registration)).content.decode()
    response = client.post(
        survey_url(registration),
        {
            key["Hoe duidelijk was de trainer?"]: "4",
            key["Zou u deze training aanraden?"]: "ja",
            key["Welk onderdeel was het nuttigst?"]: "Casuïstiek",
            key["Wat kan beter?"]: "  Meer pauzes  ",
        },
    )

    assert "Welk onderdeel was het nuttigst?" in page and "Casuïstiek" in page
    assert "Hoe beoordeelt" not in page and "Welk cijfer" not in page  # no standard questions
    assert response.status_code == 302
    stored = SurveyResponse.objects.get().answers
    assert stored[key["Hoe duidelijk was de trainer?"]] == {
        "label": "Hoe duidelijk was de trainer?",
        "kind": "scale",
        "value": 4,
    }
    assert stored[key["Wat kan beter?"]]["value"] == "Meer pauzes"


def test_a_missing_required_answer_is_a_dutch_400_that_keeps_the_other_answers(client, past):
    registration = invited(past)
    key = keys(past)

    response = client.post(
        survey_url(registration),
        {key["Hoe duidelijk was de trainer?"]: "5", key["Wat kan beter?"]: "Meer oefenen"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Dit is een verplicht veld." in html
    assert "Meer oefenen" in html
    assert re.search(r'value="5"[^>]*checked', html)
    assert not SurveyResponse.objects.exists()


def answer_all(event, n, *, scale, yes, choice, text=""):
    key = keys(event)
    for _ in range(n):
        services.survey_submit(
            registration=invited(event),
            answers={
                key["Hoe duidelijk was de trainer?"]: scale,
                key["Zou u deze training aanraden?"]: "ja" if yes else "nee",
                key["Welk onderdeel was het nuttigst?"]: choice,
                key["Wat kan beter?"]: text,
            },
        )


def test_results_per_question_with_averages_counts_and_open_answers(past):
    answer_all(past, 3, scale=4, yes=True, choice="Casuïstiek", text="Meer pauzes")
    answer_all(past, 1, scale=2, yes=False, choice="Theorie")

    summary = services.survey_summary(event=past)

    scale, yes_no, choice, text = summary.questions
    assert (summary.responses, summary.public) == (4, False)
    assert scale.average == 3.5 and scale.distribution[1] == ("2", 1)
    assert yes_no.distribution == [("Ja", 3), ("Nee", 1)]
    assert choice.distribution == [("Casuïstiek", 3), ("Theorie", 1)]
    assert text.texts == ["Meer pauzes"] * 3
    assert summary.public_questions == []


def test_the_event_page_shows_results_from_five_responses_but_never_open_answers(client, past):
    answer_all(past, 4, scale=5, yes=True, choice="Theorie", text="Geheim commentaar")
    assert "Zo beoordeelden deelnemers" not in client.get(past.url).content.decode()

    answer_all(past, 1, scale=3, yes=True, choice="Theorie", text="Geheim commentaar")

    html = client.get(past.url).content.decode()
    assert "Zo beoordeelden deelnemers" in html
    assert "Hoe duidelijk was de trainer?" in html and "4,6 van 5" in html
    assert "Ja: 5" in html and "Theorie: 5" in html
    assert "Geheim commentaar" not in html and "Wat kan beter?" not in html


def test_staff_see_every_question_with_the_open_answers(client, django_user_model, past):
    answer_all(past, 2, scale=4, yes=True, choice="Theorie", text="Meer pauzes")
    admin = django_user_model.objects.create_superuser(
        username="beheer", email="beheer@voorbeeld.example", password="x" * 16
    )
    client.force_login(with_mfa(admin))

    html = client.get(f"/admin/bijeenkomsten/{past.pk}/").content.decode()

    assert "niet openbaar: minder dan 5 antwoorden" in html
    assert "Hoe duidelijk was de trainer?" in html and "Gemiddelde: 4,0" in html
    assert "Meer pauzes" in html


def test_answers_to_a_question_removed_later_stay_in_the_staff_results(past):
    answer_all(past, 1, scale=4, yes=True, choice="Theorie")
    past.evaluation_questions.filter(kind=EvaluationKind.SCALE).delete()

    summary = services.survey_summary(event=past)

    assert summary.questions[-1].label == "Hoe duidelijk was de trainer?"
    assert summary.questions[-1].average == 4
