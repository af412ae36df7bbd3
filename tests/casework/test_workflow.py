"""Step D: status machine, timeline, assignment, advice, messages and overdue lists."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from casework import services, workflow
from casework.models import AdviceRequest, Case, CaseKind, CaseShare, TimelineEntry

from .factories import CaseFactory, evaluation_data, partner_user, staff_user

pytestmark = pytest.mark.django_db


def action_url(case, action):
    return reverse("casework:case_action", args=[case.public_id, action])


def test_every_status_in_the_machines_has_a_label_and_a_next_step():
    for status in workflow.every_status():
        assert status in workflow.STATUS_LABELS
        assert status in workflow.NEXT_STEP


def test_a_com_case_runs_from_registration_to_closure(regisseur, case):
    for status in ["in_triage", "in_procesregie", "plan_van_aanpak", "monitoring"]:
        case = services.case_transition(case=case, to_status=status, actor=regisseur)
    # Closing takes the evaluation (tests/casework/test_closure.py).
    case = services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    assert case.status == "afgesloten"
    assert case.closed_at is not None
    assert case.timeline.filter(kind=TimelineEntry.Kind.STATUS).count() == 5


def test_an_illegal_transition_is_refused_with_a_clear_message(regisseur, case):
    with pytest.raises(services.CaseworkError) as refused:
        services.case_transition(case=case, to_status="monitoring", actor=regisseur)
    assert "Aangemeld" in str(refused.value) and "Monitoring" in str(refused.value)
    case.refresh_from_db()
    assert case.status == "aangemeld"


def test_the_weegtafel_decides_on_a_radicalisation_signal(regisseur, organisation):
    case = CaseFactory(
        kind=CaseKind.PGA_R, status="signaal", organisation=organisation, procesregisseur=regisseur
    )
    for status in [
        "weegtafel",
        "opnieuw_agenderen",
        "weegtafel",
        "opgepakt",
        "driehoeksbesluit",
        "in_procesregie",
    ]:
        case = services.case_transition(case=case, to_status=status, actor=regisseur)
    assert case.status == "in_procesregie"
    assert not workflow.is_allowed(CaseKind.PGA_R, "signaal", "in_procesregie")


def test_a_partner_cannot_change_the_status(client, partner, case):
    client.force_login(partner)
    response = client.post(action_url(case, "status"), {"to_status": "in_triage"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "aangemeld"


def test_an_illegal_transition_through_the_view_is_a_400_with_the_message(client, regisseur, case):
    client.force_login(regisseur)
    response = client.post(action_url(case, "status"), {"to_status": "afgesloten"})
    assert response.status_code == 400
    assert "Afgesloten" in response.content.decode()


def test_the_regisseur_triages_into_procesregie_through_the_view(client, regisseur, case):
    client.force_login(regisseur)
    assert client.post(action_url(case, "status"), {"to_status": "in_triage"}).status_code == 302
    assert (
        client.post(
            action_url(case, "status"),
            {"to_status": "in_procesregie", "note": "Casusoverleg plannen"},
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "in_procesregie"


def test_meetings_and_plans_are_no_longer_recorded_as_free_text(client, regisseur, case):
    # A casusoverleg is planned and a plan van aanpak drafted as structured data
    # (tests/casework/test_procesregie.py); the old free-text forms are gone, so
    # there is one way to record each. Old free-text entries stay on the timeline.
    client.force_login(regisseur)
    for slug, data in {
        "overleg": {"meeting_date": "2026-11-20", "participants": "p", "agreements": "a"},
        "plan": {"body": "Versie een"},
    }.items():
        response = client.post(action_url(case, slug), data)
        assert response.status_code == 404
    assert not case.timeline.filter(kind__in=["meeting", "plan"]).exists()


def test_plan_van_aanpak_versions_are_numbered(regisseur, case):
    services.case_add_plan(case=case, actor=regisseur, body="Versie een")
    second = services.case_add_plan(case=case, actor=regisseur, body="Versie twee")
    assert second.version == 2


def test_staff_assign_procesregisseur_and_casusregisseur(client, regisseur, case, organisation):
    colleague = staff_user("Procesregisseur")
    casusregisseur = partner_user(organisation)
    client.force_login(regisseur)
    response = client.post(
        action_url(case, "toewijzen"),
        {"procesregisseur": colleague.pk, "casusregisseur": casusregisseur.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.procesregisseur == colleague
    assert case.casusregisseur == casusregisseur
    assert case.timeline.filter(kind=TimelineEntry.Kind.ASSIGNMENT).exists()


def test_a_partner_user_of_an_uninvolved_organisation_cannot_become_casusregisseur(
    client, regisseur, case
):
    outsider = partner_user()
    client.force_login(regisseur)
    assert (
        client.post(action_url(case, "toewijzen"), {"casusregisseur": outsider.pk}).status_code
        == 400
    )


def test_a_message_from_a_partner_notifies_the_regisseur_without_content(
    partner, regisseur, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(case=case, author=partner, body="Er is iets nieuws over Testpersoon")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [regisseur.email]
    assert "Testpersoon" not in mail.outbox[0].body
    assert case.reference not in mail.outbox[0].body


def test_a_message_from_the_regisseur_reaches_the_partner_organisation(
    partner, regisseur, case, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(
            case=case, author=regisseur, body="Wilt u bellen?", to_organisation=organisation
        )
    assert [m.to for m in mail.outbox] == [[partner.email]]


def test_staff_cannot_message_an_uninvolved_organisation(regisseur, case, other_organisation):
    with pytest.raises(services.CaseworkError):
        services.message_send(
            case=case, author=regisseur, body="x", to_organisation=other_organisation
        )


def test_an_involved_partner_sees_only_its_own_messages_and_status(
    client, regisseur, case, organisation, other_organisation, other_partner
):
    CaseShare.objects.create(case=case, organisation=other_organisation)
    services.message_send(
        case=case, author=regisseur, body="Alleen voor de gemeente", to_organisation=organisation
    )
    services.message_send(
        case=case,
        author=regisseur,
        body="Alleen voor de politie",
        to_organisation=other_organisation,
    )
    services.case_add_note(case=case, actor=regisseur, body="Interne notitie")
    client.force_login(other_partner)
    page = client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    assert "Alleen voor de politie" in page
    assert "Alleen voor de gemeente" not in page
    assert "Interne notitie" not in page
    assert "Testpersoon" not in page and "Synthetisch probleem" not in page


def test_partners_never_see_internal_notes(client, partner, regisseur, case):
    services.case_add_note(case=case, actor=regisseur, body="Interne notitie")
    client.force_login(partner)
    assert (
        "Interne notitie"
        not in client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    )


def test_mijn_aanmeldingen_shows_status_and_next_step(client, partner, case):
    client.force_login(partner)
    page = client.get(reverse("casework:home")).content.decode()
    assert case.reference in page
    assert str(workflow.NEXT_STEP["aangemeld"]) in page


def test_overdue_lists_cases_past_their_target_time(client, regisseur, case):
    Case.objects.filter(pk=case.pk).update(status_changed_at=timezone.now() - timedelta(days=30))
    fresh = CaseFactory(procesregisseur=regisseur)
    client.force_login(regisseur)
    page = client.get(reverse("casework:overdue")).content.decode()
    assert case.reference in page
    assert fresh.reference not in page


def test_partners_have_no_overdue_list(client, partner):
    client.force_login(partner)
    assert client.get(reverse("casework:overdue")).status_code == 403


def test_staff_log_a_phoned_in_advice_request_and_answer_it(client, ondersteuner):
    client.force_login(ondersteuner)
    response = client.post(
        reverse("casework:advice"), {"channel": "telefoon", "question": "Hoe pakken we dit aan?"}
    )
    assert response.status_code == 302
    advice_request = AdviceRequest.objects.get()
    assert advice_request.logged_by == ondersteuner
    client.post(
        reverse("casework:advice_answer", args=[advice_request.pk]), {"advice": "Bel het wijkteam"}
    )
    advice_request.refresh_from_db()
    assert advice_request.advice == "Bel het wijkteam" and advice_request.advised_at


def test_an_advice_registration_becomes_an_advice_request(client, partner):
    from .factories import MunicipalityFactory
    from .test_intake import fill_all, start

    client.force_login(partner)
    fill_all(client, start(client, "advies"), MunicipalityFactory())
    case = Case.objects.get()
    assert case.status == "aangemeld"
    assert AdviceRequest.objects.get(case=case).channel == "portal"
