"""Staff work in the Wagtail admin: registrations, attendance, exports, messages, cancelling."""

import csv
import io

import pytest
from openpyxl import load_workbook

from events import services
from events.models import Attendance, QuestionKind, Registration
from events.models import RegistrationStatus as Status
from tests.mfa import with_mfa

from .factories import STANDARD_QUESTIONS, create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        username="beheer", email="beheer@voorbeeld.example", password="x" * 16
    )
    client.force_login(with_mfa(admin))
    return client


@pytest.fixture
def training(bare_agenda, make_user):
    event = create_event(
        bare_agenda,
        title="Training export",
        capacity=2,
        sessions=2,
        questions=STANDARD_QUESTIONS,
        accreditation_register="BIG",
        accreditation_points=4,
        accreditation_course_id="C-1",
    )
    organisation = event.questions.get(kind=QuestionKind.ORGANISATION)
    for n in range(3):
        services.registration_create(
            event=event,
            user=make_user(first_name=f"Naam{n}"),
            answers={organisation.key: f"=Organisatie {n}" if n == 0 else f"Organisatie {n}"},
            register_number="12345678901",
        )
    return event


def base(event):
    return f"/admin/bijeenkomsten/{event.pk}/"


def test_staff_see_registrations_with_answers(staff_client, training):
    html = staff_client.get(base(training)).content.decode()

    assert "Organisatie 1" in html
    assert "2 van 2 plaatsen bezet." in html
    assert "Wachtlijst" in html


def test_the_index_lists_events_with_counts(staff_client, training):
    response = staff_client.get("/admin/bijeenkomsten/")

    assert response.status_code == 200
    assert "Training export" in response.content.decode()


def test_people_without_permission_are_refused(client, django_user_model, training):
    user = django_user_model.objects.create_user(username="x", email="x@voorbeeld.example")
    client.force_login(user)

    response = client.get(base(training))

    assert response.status_code in (302, 403)


def test_attendance_is_recorded_per_session(staff_client, training):
    registration = training.registrations.filter(status=Status.CONFIRMED).first()
    day_1, day_2 = training.ordered_sessions()

    staff_client.post(
        base(training) + "aanwezigheid/",
        {f"att-{registration.pk}-{day_1.pk}": "1", f"att-{registration.pk}-{day_2.pk}": "0"},
    )

    assert {(a.session_id, a.present) for a in Attendance.objects.all()} == {
        (day_1.pk, True),
        (day_2.pk, False),
    }
    assert not services.registration_meets_attendance_rule(registration=registration)


def test_the_csv_export_has_answers_and_defuses_formulas(staff_client, training):
    response = staff_client.get(base(training) + "export/aanmeldingen.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Naam", "E-mailadres", "Status", "Ingeschreven op"]
    assert "Organisatie" in rows[0]
    assert len(rows) == 4
    assert rows[1][rows[0].index("Organisatie")] == "'=Organisatie 0"


def test_the_presence_list_xlsx_has_register_numbers_and_points(staff_client, training):
    registration = training.registrations.filter(status=Status.CONFIRMED).first()
    for session in training.sessions.all():
        services.attendance_record(registration=registration, session=session, present=True)

    response = staff_client.get(base(training) + "export/presentielijst.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][4:8] == ("Register", "Registratienummer", "Cursuscode", "Punten")
    assert len(rows) == 3  # confirmed registrants only
    meets = [row for row in rows[1:] if row[-1] == "ja"]
    assert len(meets) == 1 and meets[0][5] == "12345678901" and meets[0][7] == 4


def test_a_message_reaches_every_confirmed_registrant(
    staff_client, training, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            base(training) + "bericht/", {"subject": "Parkeren", "body": "Parkeer bij P2."}
        )

    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == "Parkeren"
    assert "Parkeer bij P2." in mailoutbox[0].body


def test_cancelling_the_event_needs_the_tick_and_then_tells_everyone(
    staff_client, training, mailoutbox, django_capture_on_commit_callbacks
):
    staff_client.post(base(training) + "annuleren/")
    training.refresh_from_db()
    assert not training.is_cancelled

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(base(training) + "annuleren/", {"confirm": "ja"})

    training.refresh_from_db()
    assert training.is_cancelled
    assert len(mailoutbox) == 3
    assert all(m.attachments[0][2] == "text/calendar; method=CANCEL" for m in mailoutbox)


def test_staff_can_cancel_one_registration_and_the_seat_is_offered(staff_client, training):
    confirmed = training.registrations.filter(status=Status.CONFIRMED).first()

    staff_client.post(f"/admin/bijeenkomsten/aanmelding/{confirmed.pk}/annuleren/")

    assert Registration.objects.get(pk=confirmed.pk).status == Status.CANCELLED
    assert training.registrations.filter(status=Status.OFFERED).count() == 1


def test_the_event_edit_page_links_to_its_registrations(staff_client, training):
    html = staff_client.get(f"/admin/pages/{training.pk}/edit/").content.decode()

    assert base(training) in html


def test_editors_find_trainers_and_evaluation_questions_on_the_edit_pages(staff_client, training):
    event_form = staff_client.get(f"/admin/pages/{training.pk}/edit/").content.decode()
    agenda_form = staff_client.get(f"/admin/pages/{training.get_parent().pk}/edit/")

    assert "trainers (expertprofielen)" in event_form.lower()
    assert "Evaluatievragen" in event_form
    assert agenda_form.status_code == 200
    assert "Standaard evaluatievragen" in agenda_form.content.decode()


def _edit_form_data(html: str) -> dict:
    """The Wagtail edit form as the browser would post it, unchanged."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self._textarea, self._select = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
                if attrs.get("type") in {"checkbox", "radio"}:
                    if "checked" in attrs:
                        self.data.setdefault(name, []).append(attrs.get("value", "on"))
                else:
                    self.data[name] = [attrs.get("value", "")]
            elif tag == "textarea" and name:
                self._textarea = name
                self.data[name] = [""]
            elif tag == "select" and name:
                self._select = name
                self.data.setdefault(name, [])
            elif tag == "option" and self._select and "selected" in attrs:
                self.data[self._select].append(attrs.get("value", ""))

        def handle_endtag(self, tag):
            if tag == "textarea":
                self._textarea = None
            elif tag == "select":
                self._select = None

        def handle_data(self, data):
            if self._textarea:
                self.data[self._textarea][0] += data

    parser = Fields()
    parser.feed(html)
    # The StreamField editor is built by JavaScript; post the description as empty.
    parser.data.setdefault("body-count", ["0"])
    return parser.data


def test_a_session_with_recorded_attendance_cannot_be_removed(staff_client, training):
    registration = training.registrations.filter(status=Status.CONFIRMED).first()
    first, second = training.sessions.order_by("starts_at")
    services.attendance_record(registration=registration, session=first, present=True)
    url = f"/admin/pages/{training.pk}/edit/"
    data = _edit_form_data(staff_client.get(url).content.decode())
    index = next(
        k
        for k, v in data.items()
        if k.startswith("sessions-") and k.endswith("-id") and v == [str(first.pk)]
    )
    data[index.replace("-id", "-DELETE")] = ["1"]

    response = staff_client.post(url, data)

    assert response.status_code == 200  # the form again, with the reason
    assert "heeft geregistreerde aanwezigheid" in response.content.decode()
    assert training.sessions.filter(pk=first.pk).exists()
    assert Attendance.objects.filter(session=first).exists()


def test_a_session_without_attendance_can_still_be_removed(staff_client, training):
    first, second = training.sessions.order_by("starts_at")
    url = f"/admin/pages/{training.pk}/edit/"
    data = _edit_form_data(staff_client.get(url).content.decode())
    index = next(
        k
        for k, v in data.items()
        if k.startswith("sessions-") and k.endswith("-id") and v == [str(second.pk)]
    )
    data[index.replace("-id", "-DELETE")] = ["1"]
    data["action-publish"] = ["action-publish"]

    response = staff_client.post(url, data)

    assert response.status_code == 302
    training.refresh_from_db()
    assert list(training.sessions.values_list("pk", flat=True)) == [first.pk]
