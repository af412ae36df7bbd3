"""Factories for events: pages go through Wagtail's tree and a real publish."""

from datetime import timedelta

from django.utils import timezone

import factory

from events.models import (
    AgendaPage,
    EventEvaluationQuestion,
    EventPage,
    EventSession,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)

_counter = iter(range(1, 1_000_000))


def create_agenda(home) -> AgendaPage:
    existing = AgendaPage.objects.first()
    if existing:
        return existing
    agenda = home.add_child(instance=AgendaPage(title="Agenda", slug="agenda-test"))
    agenda.save_revision().publish()
    return agenda


def create_event(
    agenda: AgendaPage,
    *,
    days: float = 10,
    sessions: int = 1,
    questions: list[tuple] = (),
    evaluation: list[tuple] = (),
    themes=(),
    **fields,
) -> EventPage:
    """An event ``days`` from now with ``sessions`` sessions (one a week apart), published."""
    number = next(_counter)
    start = timezone.now() + timedelta(days=days)
    session_objects = [
        EventSession(
            title=f"Dag {n + 1}" if sessions > 1 else "",
            starts_at=start + timedelta(days=7 * n),
            ends_at=start + timedelta(days=7 * n, hours=3),
        )
        for n in range(sessions)
    ]
    question_objects = [
        RegistrationQuestion(
            kind=q[0],
            label=q[1],
            required=q[2] if len(q) > 2 else False,
            choices=q[3] if len(q) > 3 else "",
            register=q[4] if len(q) > 4 else "",
        )
        for q in questions
    ]
    evaluation_objects = [
        EventEvaluationQuestion(
            kind=q[0],
            label=q[1],
            required=q[2] if len(q) > 2 else False,
            choices=q[3] if len(q) > 3 else "",
        )
        for q in evaluation
    ]
    defaults = {
        "title": f"Training {number}",
        "slug": f"training-{number}",
        "kind": "training",
        "capacity": 10,
        "venue": "Zaal 1",
        "address": "Voorbeeldstraat 1, Helmond",
    }
    defaults.update(fields)
    event = agenda.add_child(
        instance=EventPage(
            **defaults,
            sessions=session_objects,
            questions=question_objects,
            evaluation_questions=evaluation_objects,
        )
    )
    if themes:
        event.themes.set(themes)
    event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


STANDARD_QUESTIONS = [
    (QuestionKind.ORGANISATION, "Organisatie", True),
    (QuestionKind.DIETARY, "Dieetwensen"),
    (QuestionKind.REGISTER_NUMBER, "BIG-nummer", False, "", "BIG"),
    (QuestionKind.CHOICE, "Workshop", False, "Ochtend\nMiddag"),
]


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    name = factory.Sequence(lambda n: f"Deelnemer {n}")
    email = factory.Sequence(lambda n: f"deelnemer{n}@voorbeeld.example")
    status = RegistrationStatus.CONFIRMED
    email_confirmed_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    class Params:
        waitlisted = factory.Trait(
            status=RegistrationStatus.WAITLISTED,
            confirmed_at=None,
            waitlisted_at=factory.LazyFunction(timezone.now),
        )
