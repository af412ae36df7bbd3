"""Synthetic demo content for this app, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
Dates are relative to today, so the demo always has an upcoming and a past
programme. Every name and address here is invented.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from knowledge import selectors as knowledge_selectors
from portal.demo import rich
from portal.models import Basisteam, SectionPage

from .models import (
    AgendaPage,
    Attendance,
    EvaluationKind,
    EventEvaluationQuestion,
    EventPage,
    EventSession,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
    SurveyResponse,
)
from .services import evaluation_questions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SLUG = "trainingen-en-bijeenkomsten"

PEOPLE = [
    "Fenna Lindeboom",
    "Joris van Heesch",
    "Mirthe Kroonenberg",
    "Bas Verhoeven-Dommel",
    "Noor el Amrani",
    "Stijn Peelaerts",
    "Ilse van der Kempen",
    "Ruben Geldropper",
    "Yara Mierloo",
    "Thijs Bakelmans",
    "Lotte Strijpers",
    "Hamza Tongelroy",
    "Evi Someraar",
    "Milan Asterveld",
    "Sara Nuenenberg",
    "Daan Waalreman",
]

STANDARD_QUESTIONS = [
    (QuestionKind.ORGANISATION, "Organisatie", True, "", ""),
    (QuestionKind.FUNCTION, "Functie", False, "", ""),
    (QuestionKind.DIETARY, "Dieetwensen", False, "", ""),
    (QuestionKind.ACCESSIBILITY, "Toegankelijkheid: wat heeft u nodig?", False, "", ""),
]


def working_day(day: date) -> date:
    """``day``, or the Monday after when it falls on a Saturday or Sunday: the ZVH's
    trainings and meetings are on working days."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def at(days: int, start: str, end: str) -> tuple[datetime, datetime]:
    day = working_day(date.today() + timedelta(days=days))

    def moment(hhmm: str) -> datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        return datetime.combine(day, time(hours, minutes), tzinfo=AMSTERDAM)

    return moment(start), moment(end)


EVENTS = [
    {
        "slug": "training-procesregie-complexe-casuistiek",
        "title": "Training procesregie bij complexe casuïstiek",
        "kind": "training",
        "introduction": "Tweedaagse training voor procesregisseurs en casusregisseurs: van signaal tot integraal plan van aanpak.",
        "body": "In twee dagen oefent u met de werkwijze van het Zorg- en Veiligheidshuis: een casus ontvangen via het AVE-model, partners bijeenbrengen, een gezamenlijk beeld vormen en de uitvoering bewaken. Met casuïstiek uit de praktijk (geanonimiseerd).",
        "sessions": [
            ("Dag 1: de basis", 21, "09:30", "16:30"),
            ("Dag 2: regie in de praktijk", 28, "09:30", "16:30"),
        ],
        "themes": ["com-ave-model"],
        "region": "Peelland",
        "venue": "Zorg- en Veiligheidshuis, zaal De Peel",
        "address": "Voorbeeldstraat 1, 5700 AA Helmond",
        "route_url": "https://www.openstreetmap.org/search?query=Helmond",
        "audience": "Procesregisseurs, casusregisseurs en ketenpartners in het sociaal domein",
        "trainer_experts": ["marieke-van-dongen", "liesbeth-hoeks"],
        "capacity": 20,
        "accreditation": ("SKJ", 12, "ZVH-PR-01"),
        "questions": [
            *STANDARD_QUESTIONS,
            (QuestionKind.REGISTER_NUMBER, "SKJ-registratienummer", False, "", "SKJ"),
        ],
        "registrants": 7,
    },
    {
        "slug": "netwerkbijeenkomst-onbegrepen-gedrag",
        "title": "Netwerkbijeenkomst Oost-Brabant: onbegrepen gedrag",
        "kind": "netwerkbijeenkomst",
        "introduction": "Partners uit zorg, politie en gemeenten delen ervaringen met de aanpak van mensen met onbegrepen gedrag.",
        "body": "Een middag om elkaar te leren kennen en van elkaar te leren. Met een korte inleiding over de meldketen onbegrepen gedrag, daarna gesprekken aan thematafels.",
        "sessions": [("", 12, "13:30", "17:00")],
        "themes": ["onbegrepen-gedrag"],
        "region": "Eindhoven-Noord",
        "venue": "Wijkcentrum De Ontmoeting",
        "address": "Ontmoetingsplein 10, 5611 AA Eindhoven",
        "route_url": "https://www.openstreetmap.org/search?query=Eindhoven",
        "audience": "Professionals van convenantpartners",
        "trainer_experts": ["ayse-demir"],
        "capacity": 12,
        "questions": [STANDARD_QUESTIONS[0], STANDARD_QUESTIONS[2]],
        # Full: every seat taken and three people waiting.
        "registrants": 12,
        "waiting": 3,
    },
    {
        "slug": "webinar-gegevens-delen-convenant",
        "title": "Webinar: gegevens delen binnen het convenant",
        "kind": "webinar",
        "introduction": "Wat mag u delen in het casusoverleg, en hoe? Een uur over het privacyprotocol en de nieuwe wet.",
        "body": "De privacyfunctionaris van het ZVH legt uit hoe het convenant, het privacyprotocol en de Wet gegevensverwerking door samenwerkingsverbanden samenhangen. Met ruimte voor vragen.",
        "sessions": [("", 35, "12:00", "13:00")],
        "themes": ["privacy-informatiedeling"],
        "online_url": "https://meet.zvh-bzo.example/webinar-privacy",
        "audience": "Iedereen die deelneemt aan casusoverleggen",
        "trainer_experts": ["joost-aarts"],
        "capacity": 200,
        "questions": [STANDARD_QUESTIONS[0], STANDARD_QUESTIONS[1]],
        "registrants": 4,
    },
    {
        "slug": "intervisie-procesregisseurs-peelland",
        "title": "Intervisie procesregisseurs",
        "kind": "intervisie",
        "introduction": "Intervisie voor procesregisseurs van gemeenten en partners, in een vaste kleine groep.",
        "body": "We bespreken aan de hand van de incidentmethode eigen vraagstukken uit de regiepraktijk.",
        "sessions": [("", 45, "14:00", "16:30")],
        "themes": ["com-ave-model"],
        "region": "Peelland",
        "venue": "Gemeentehuis, vergaderzaal 2",
        "address": "Markt 1, 5751 AA Deurne",
        "route_url": "https://www.openstreetmap.org/search?query=Deurne",
        "capacity": 8,
        "partners_only": True,
        "questions": [STANDARD_QUESTIONS[0]],
        "registrants": 3,
    },
    {
        "slug": "bewustwording-signalen-radicalisering",
        "title": "Bewustwordingssessie: signalen van radicalisering",
        "kind": "training",
        "introduction": "Hoe herkent u signalen van radicalisering, en wat doet u ermee? Voor onderwijs, jeugdhulp en wijkteams.",
        "body": "Een interactieve sessie over signalen, duiding en de route naar de weegtafel radicalisering.",
        "trainer_experts": ["wouter-de-bruijn"],
        # No expert profile: an external trainer stays free text.
        "trainers": "Een ervaringsdeskundige van Stichting Voorbeeld (extern)",
        "sessions": [("", 60, "09:00", "12:30")],
        "themes": ["radicalisering", "jeugd-hic"],
        "region": "De Kempen",
        "venue": "Cultureel centrum",
        "address": "Kempenlaan 5, 5504 AA Veldhoven",
        "route_url": "https://www.openstreetmap.org/search?query=Veldhoven",
        "capacity": 25,
        "accreditation": ("SKJ", 3, "ZVH-RAD-02"),
        "questions": [*STANDARD_QUESTIONS[:3]],
        "registrants": 5,
    },
    {
        "slug": "training-mda-systeemgericht-werken",
        "title": "Training MDA++: systeemgericht werken",
        "kind": "training",
        "introduction": "Werken met het hele systeem bij ernstig en langdurig huiselijk geweld en kindermishandeling.",
        "body": "Inschrijven kan vanaf volgende week.",
        "trainer_experts": ["tom-verhagen", "sanne-kuijpers"],
        "sessions": [("", 80, "09:30", "16:00")],
        "themes": ["hgkm-mda"],
        "region": "Dommelstroom",
        "venue": "Vergadercentrum",
        "address": "Stationsplein 2, 5591 AA Heeze",
        "capacity": 24,
        "opens_in_days": 7,
        "questions": [*STANDARD_QUESTIONS[:2]],
        "registrants": 0,
    },
    {
        "slug": "netwerkbijeenkomst-mensenhandel",
        "title": "Netwerkbijeenkomst: signalen van mensenhandel",
        "kind": "netwerkbijeenkomst",
        "introduction": "Arbeidsuitbuiting, seksuele en criminele uitbuiting: wat zien partners in de regio?",
        "body": "Terugblik: een goed bezochte middag met partners uit de hele regio.",
        "trainer_experts": ["fleur-swinkels"],
        "sessions": [("", -30, "13:30", "17:00")],
        "themes": ["mensenhandel"],
        "region": "Eindhoven-Zuid",
        "venue": "Stadskantoor",
        "address": "Stadhuisplein 1, 5611 AA Eindhoven",
        "capacity": 40,
        "questions": [STANDARD_QUESTIONS[0]],
        "registrants": 9,
    },
    {
        "slug": "training-weegtafel-radicalisering",
        "title": "Training: de weegtafel radicalisering",
        "kind": "training",
        "introduction": "Hoe werkt de weegtafel, wie zitten eraan en wat betekent dat voor uw melding?",
        "body": "Terugblik: training voor partners van de persoonsgerichte aanpak radicalisering.",
        "trainer_experts": ["marieke-van-dongen"],
        "sessions": [("", -60, "09:30", "12:30")],
        "themes": ["radicalisering"],
        "region": "Dommelstroom",
        "venue": "Vergadercentrum",
        "address": "Stationsplein 2, 5591 AA Heeze",
        "capacity": 20,
        "accreditation": ("SKJ", 3, "ZVH-RAD-01"),
        "questions": [STANDARD_QUESTIONS[0]],
        "registrants": 6,
        # Its own evaluation questions, and enough answers to show the results publicly.
        "evaluation": [
            (EvaluationKind.SCALE, "Hoe duidelijk is nu hoe de weegtafel werkt?", True, ""),
            (EvaluationKind.YES_NO, "Zou u deze training aanraden aan collega's?", True, ""),
            (
                EvaluationKind.CHOICE,
                "Welk onderdeel was voor u het nuttigst?",
                False,
                "Casusbespreking\nUitleg over de weegtafel\nGesprek met de procesregisseur",
            ),
            (EvaluationKind.TEXT, "Wat kunnen we verbeteren?", False, ""),
        ],
        "survey": [
            (5, "ja", "Casusbespreking", "Meer tijd voor casussen."),
            (4, "ja", "Uitleg over de weegtafel", ""),
            (4, "ja", "Casusbespreking", ""),
            (3, "nee", "Gesprek met de procesregisseur", "De zaal was te warm."),
            (5, "ja", "Casusbespreking", ""),
        ],
    },
]


def ensure_agenda(home) -> AgendaPage:
    existing = home.get_children().filter(slug=SLUG).first()
    if existing and isinstance(existing.specific, AgendaPage):
        return existing.specific
    if existing and isinstance(existing.specific, SectionPage) and not existing.get_children():
        # The walking skeleton's placeholder section page: replaced by the agenda.
        existing.delete()
    agenda = home.add_child(
        instance=AgendaPage(
            title="Trainingen & bijeenkomsten",
            slug=SLUG,
            introduction="Trainingen, netwerkbijeenkomsten Oost-Brabant, intervisie en webinars voor professionals.",
            body=rich(
                "We organiseren trainingen over procesregie en de weegtafel radicalisering, netwerkbijeenkomsten met partners "
                "en bewustwordingssessies voor het sociaal domein, het onderwijs en de GGZ. Deelname is meestal gratis."
            ),
            show_in_menus=True,
        )
    )
    agenda.save_revision().publish()
    return agenda


def _event(agenda: AgendaPage, spec: dict) -> EventPage:
    existing = EventPage.objects.child_of(agenda).filter(slug=spec["slug"]).first()
    if existing:
        return existing
    themes = list(knowledge_selectors.themes_with_slugs(spec.get("themes", [])))
    region = Basisteam.objects.filter(name=spec.get("region", "")).first()
    register, points, course = spec.get("accreditation", ("", None, ""))
    sessions = []
    for title, days, start, end in spec["sessions"]:
        starts_at, ends_at = at(days, start, end)
        sessions.append(EventSession(title=title, starts_at=starts_at, ends_at=ends_at))
    questions = [
        RegistrationQuestion(
            kind=kind, label=label, required=required, choices=choices, register=reg
        )
        for kind, label, required, choices, reg in spec.get("questions", [])
    ]
    evaluation = [
        EventEvaluationQuestion(kind=kind, label=label, required=required, choices=choices)
        for kind, label, required, choices in spec.get("evaluation", [])
    ]
    opens = spec.get("opens_in_days")
    event = agenda.add_child(
        instance=EventPage(
            title=spec["title"],
            slug=spec["slug"],
            kind=spec["kind"],
            introduction=spec["introduction"],
            body=rich(spec["body"]),
            region=region,
            venue=spec.get("venue", ""),
            address=spec.get("address", ""),
            route_url=spec.get("route_url", ""),
            online_url=spec.get("online_url", ""),
            audience=spec.get("audience", ""),
            trainers=spec.get("trainers", ""),
            capacity=spec["capacity"],
            partners_only=spec.get("partners_only", False),
            accreditation_register=register,
            accreditation_points=points,
            accreditation_course_id=course,
            registration_opens_at=timezone.now() + timedelta(days=opens) if opens else None,
            sessions=sessions,
            questions=questions,
            evaluation_questions=evaluation,
        )
    )
    event.themes.set(themes)
    # Trainers with a demo expert profile (knowledge.demo loads the experts first).
    event.trainer_experts.set(
        knowledge_selectors.experts_with_slugs(spec.get("trainer_experts", []))
    )
    event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def _registrations(event: EventPage, spec: dict) -> None:
    if event.registrations.exists():
        return
    # Rows are written directly (not through services) so loading the demo
    # sends no e-mail and can fill events that lie in the past.
    now = timezone.now()
    organisation_key = event.questions.first().key if event.questions.exists() else None
    confirmed = spec.get("registrants", 0)
    waiting = spec.get("waiting", 0)
    sessions = list(event.sessions.all())
    for number in range(confirmed + waiting):
        name = PEOPLE[number % len(PEOPLE)]
        if number >= len(PEOPLE):
            name = f"{name} ({number // len(PEOPLE) + 1})"
        email = f"deelnemer{number + 1}.{event.pk}@voorbeeld.example"
        created = now - timedelta(days=20, minutes=-number)
        on_list = number >= confirmed
        registration = Registration.objects.create(
            event=event,
            name=name,
            email=email,
            status=RegistrationStatus.WAITLISTED if on_list else RegistrationStatus.CONFIRMED,
            answers={organisation_key: "Gemeente Voorbeeld"} if organisation_key else {},
            created_at=created,
            email_confirmed_at=created,
            confirmed_at=None if on_list else created,
            waitlisted_at=created if on_list else None,
        )
        if event.is_past and not on_list:
            for session in sessions:
                # One in five did not show up: the presence list is realistic.
                Attendance.objects.create(
                    registration=registration, session=session, present=number % 5 != 4
                )


def _survey(event: EventPage, spec: dict) -> None:
    if not spec.get("survey") or event.survey_responses.exists():
        return
    questions = evaluation_questions(event=event)
    for values in spec["survey"]:
        SurveyResponse.objects.create(
            event=event,
            answers={
                q.key: {"label": q.label, "kind": q.kind, "value": value}
                for q, value in zip(questions, values, strict=True)
                if value != ""
            },
        )


def load(home) -> None:
    agenda = ensure_agenda(home)
    for spec in EVENTS:
        event = _event(agenda, spec)
        _registrations(event, spec)
        _survey(event, spec)
