"""Break-the-glass: a procesregisseur opens a case that is not theirs, for a reason of a
fixed category plus a stated reason. The access is read-only (the case page shows no
forms, and every casework write service refuses), and the privacy officers get a
content-free e-mail the moment the grant is saved."""

import datetime
from datetime import timedelta

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from casework import services
from casework.models import AdviceRequest, AuditEntry, BreakGlass, TimelineEntry
from casework.selectors import can_write_case, case_access, cases_visible_to
from portal.mail import absolute_url

pytestmark = pytest.mark.django_db

REASON = "Melding van acuut gevaar, regisseur niet bereikbaar"
READ_ONLY = "alleen inzien"


def open_glass(user, case, category="acute_danger"):
    return services.break_glass_open(user=user, case=case, category=category, reason=REASON)


def test_the_form_asks_a_category_and_a_reason(client, other_regisseur, case):
    client.force_login(other_regisseur)
    url = reverse("casework:case_break_glass", args=[case.public_id])
    page = client.get(url).content.decode()
    for value in BreakGlass.Category.values:
        assert f'value="{value}"' in page
    for label in ("Acuut gevaar voor een persoon", "Wettelijke verplichting", "Anders"):
        assert label in page
    assert "inzien, maar niet wijzigen" in page

    response = client.post(url, {"reason": REASON})
    assert response.status_code == 400
    response = client.post(url, {"category": "nieuwsgierig", "reason": REASON})
    assert response.status_code == 400
    assert not BreakGlass.objects.exists()

    response = client.post(url, {"category": "legal_obligation", "reason": REASON})
    assert response.status_code == 302
    grant = BreakGlass.objects.get()
    assert (grant.category, grant.reason) == ("legal_obligation", REASON)
    entry = AuditEntry.objects.get(action="case.break_glass")
    assert (entry.object_id, entry.purpose) == (case.reference, "legal_obligation")


def test_the_service_refuses_a_missing_or_unknown_category(other_regisseur, case):
    for category in ("", "nieuwsgierig"):
        with pytest.raises(services.CaseworkError):
            open_glass(other_regisseur, case, category=category)
    assert not BreakGlass.objects.exists()


def test_the_privacy_officers_are_told_at_once_without_case_content(
    other_regisseur, privacy_officer, regisseur, manager, case, django_capture_on_commit_callbacks
):
    from casework.roles import PRIVACY_OFFICER

    from .factories import staff_user

    second_officer = staff_user(PRIVACY_OFFICER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_glass(other_regisseur, case)
    assert mail.outbox == []  # nothing before the grant has committed
    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [privacy_officer.email, second_officer.email]
    )
    for message in mail.outbox:
        assert message.subject == "Noodtoegang tot een casus"
        assert "noodtoegang" in message.body
        assert message.body.rstrip().endswith(absolute_url(reverse("casework:audit")))
        for content in (
            case.reference,
            str(case.public_id),
            case.person_name,
            REASON,
            other_regisseur.email,
            "Acuut gevaar",
        ):
            assert content not in message.body
            assert content not in message.subject


def test_a_mail_server_outage_does_not_undo_the_grant(
    other_regisseur, privacy_officer, case, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.casework.test_break_glass.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        grant = open_glass(other_regisseur, case)
    assert BreakGlass.objects.filter(pk=grant.pk).exists()
    assert cases_visible_to(other_regisseur).filter(pk=case.pk).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_break_the_glass_reads_everything_but_may_write_nothing(other_regisseur, case):
    open_glass(other_regisseur, case)
    assert case_access(other_regisseur, case) == "full"
    assert not can_write_case(other_regisseur, case)


def _writes(case, actor, organisation):
    advice = AdviceRequest.objects.create(case=case, channel="portal", question="Vraag")
    return {
        "transition": lambda: services.case_transition(
            case=case, to_status="in_triage", actor=actor
        ),
        "note": lambda: services.case_add_note(case=case, actor=actor, body="Notitie"),
        "meeting": lambda: services.case_add_meeting(
            case=case,
            actor=actor,
            meeting_date=datetime.date(2026, 11, 1),
            participants="p",
            agreements="a",
        ),
        "plan": lambda: services.case_add_plan(case=case, actor=actor, body="Plan"),
        "assign": lambda: services.case_assign(case=case, actor=actor, casusregisseur=actor),
        "close": lambda: services.case_close(case=case, actor=actor, evaluation={}),
        "message": lambda: services.message_send(
            case=case, author=actor, body="Bericht", to_organisation=organisation
        ),
        "attachment": lambda: services.attachment_add(
            upload=SimpleUploadedFile("verslag.pdf", b"%PDF-1.4\n%%EOF\n"), user=actor, case=case
        ),
        "advice": lambda: services.advice_answer(
            advice_request=advice, actor=actor, advice="Advies"
        ),
    }


WRITES = [
    "transition",
    "note",
    "meeting",
    "plan",
    "assign",
    "close",
    "message",
    "attachment",
    "advice",
]


@pytest.mark.parametrize("write", WRITES)
def test_every_casework_write_service_refuses_break_the_glass_access(
    write, other_regisseur, case, organisation
):
    open_glass(other_regisseur, case)
    before = (TimelineEntry.objects.count(), case.status, case.casusregisseur_id)
    with pytest.raises(services.CaseworkError) as refused:
        _writes(case, other_regisseur, organisation)[write]()
    assert READ_ONLY in str(refused.value)
    case.refresh_from_db()
    assert (TimelineEntry.objects.count(), case.status, case.casusregisseur_id) == before
    assert not case.attachments.exists()
    assert not AdviceRequest.objects.filter(advised_at__isnull=False).exists()


def test_the_rule_is_about_break_the_glass_alone(other_regisseur, case):
    """A regisseur who also directs the case writes as before."""
    open_glass(other_regisseur, case)
    case.casusregisseur = other_regisseur
    case.save(update_fields=["casusregisseur"])
    services.case_add_note(case=case, actor=other_regisseur, body="Notitie")
    assert can_write_case(other_regisseur, case)


def test_the_case_page_shows_no_forms_under_break_the_glass(client, other_regisseur, case):
    open_glass(other_regisseur, case)
    client.force_login(other_regisseur)
    response = client.get(reverse("casework:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert case.person_name in page  # it is read in full
    assert "via noodtoegang" in page and "niets in wijzigen" in page
    main = page[page.index("<main") : page.index("</main>")]
    assert 'method="post"' not in main
    for action in ("status", "notitie", "toewijzen", "bericht", "afsluiten"):
        assert reverse("casework:case_action", args=[case.public_id, action]) not in main
    assert reverse("casework:case_attachment_upload", args=[case.public_id]) not in main


def test_the_assigned_regisseur_still_sees_the_forms(client, regisseur, case):
    client.force_login(regisseur)
    page = client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    assert "via noodtoegang" not in page
    assert reverse("casework:case_action", args=[case.public_id, "notitie"]) in page
    assert reverse("casework:case_attachment_upload", args=[case.public_id]) in page


@pytest.mark.parametrize(
    "action, data",
    [
        ("notitie", {"body": "Notitie via noodtoegang"}),
        ("status", {"to_status": "in_triage"}),
        ("toewijzen", {}),
    ],
)
def test_posting_a_form_anyway_is_refused(client, other_regisseur, case, action, data):
    open_glass(other_regisseur, case)
    client.force_login(other_regisseur)
    response = client.post(reverse("casework:case_action", args=[case.public_id, action]), data)
    assert response.status_code == 400
    assert READ_ONLY in response.content.decode()
    assert not TimelineEntry.objects.filter(case=case).exists()


def test_after_expiry_neither_reading_nor_writing(other_regisseur, case):
    grant = open_glass(other_regisseur, case)
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not cases_visible_to(other_regisseur).filter(pk=case.pk).exists()
    with pytest.raises(services.CaseworkError) as refused:
        services.case_add_note(case=case, actor=other_regisseur, body="Notitie")
    assert READ_ONLY not in str(refused.value)
