"""Closing a case: the procesregisseur's evaluation is required, checked against the
case (procesregie goals, PGA Jeugd results), stored, audited, and followed by survey
invitations to the aanmelder and the involved partners' contacts."""

from django.urls import reverse

import pytest

from casework import services
from casework.models import (
    AuditEntry,
    CaseEvaluation,
    CaseKind,
    CaseShare,
    SurveyInvitation,
    TimelineEntry,
)
from casework.roles import MANAGER

from .factories import (
    OrganisationFactory,
    PartnerKindFactory,
    closable_case,
    evaluation_data,
    partner_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


def close_url(case):
    return reverse("casework:case_action", args=[case.public_id, "afsluiten"])


def detail_url(case):
    return reverse("casework:case_detail", args=[case.public_id])


def form_data(**overrides):
    data = {
        "to_status": "afgesloten",
        "content_goal": "volledig",
        "process_goal_1": "volledig",
        "process_goal_2": "deels",
        "process_goal_3": "niet",
        "extra_expertise": "on",
        "closure_reason": "doel-bereikt",
        "note": "Afgerond na laatste overleg",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The rules (service) ---------------------------------------------------------------------


def test_a_case_cannot_be_closed_by_a_bare_status_change(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    for closed in ["afgesloten", "overgedragen"]:
        with pytest.raises(services.CaseworkError) as refused:
            services.case_transition(case=case, to_status=closed, actor=regisseur)
        assert "evaluatie" in str(refused.value)
    case.refresh_from_db()
    assert case.status == "monitoring" and case.closed_at is None
    assert not CaseEvaluation.objects.exists()


def test_closing_stores_the_evaluation_closes_audits_and_invites(regisseur, partner):
    police = PartnerKindFactory(code="politie", name="Politie")
    case = closable_case(regisseur=regisseur, registered_by=partner)
    closed = services.case_close(
        case=case,
        actor=regisseur,
        evaluation=evaluation_data(partners_involved=[police], policy_signal=True),
    )
    assert closed.status == "afgesloten" and closed.closed_at is not None
    evaluation = CaseEvaluation.objects.get(case=case)
    assert (evaluation.content_goal, evaluation.process_goal_2) == ("volledig", "deels")
    assert evaluation.extra_expertise and evaluation.policy_signal and not evaluation.escalated
    assert list(evaluation.partners_involved.all()) == [police]
    assert evaluation.evaluated_by == regisseur
    actions = list(
        AuditEntry.objects.filter(object_id=case.reference).values_list("action", flat=True)
    )
    assert {"case.transition", "case.close", "survey.invite"} <= set(actions)
    assert SurveyInvitation.objects.filter(case=case, user=partner, role="aanmelder").exists()


def test_a_case_in_procesregie_needs_the_content_goal_and_all_three_process_goals(
    regisseur, partner
):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    with pytest.raises(services.ClosureRefused) as refused:
        services.case_close(
            case=case,
            actor=regisseur,
            evaluation=evaluation_data(content_goal="", process_goal_1="", process_goal_3="x"),
        )
    assert set(refused.value.errors) == {"content_goal", "process_goal_1", "process_goal_3"}
    case.refresh_from_db()
    assert case.status == "monitoring"
    assert not CaseEvaluation.objects.exists() and not SurveyInvitation.objects.exists()


def test_a_case_never_in_procesregie_is_closed_without_goals_and_refuses_them(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner, in_procesregie=False)
    with pytest.raises(services.ClosureRefused) as refused:
        services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    assert set(refused.value.errors) == {
        "content_goal",
        "process_goal_1",
        "process_goal_2",
        "process_goal_3",
    }
    no_goals = dict.fromkeys(services.EVALUATION_GOALS, "")
    services.case_close(
        case=case,
        actor=regisseur,
        evaluation=evaluation_data(**no_goals, closure_reason="advies-gegeven"),
    )
    evaluation = CaseEvaluation.objects.get(case=case)
    assert evaluation.content_goal == "" and evaluation.closure_reason == "advies-gegeven"
    # Advice-only outcomes are surveyed too.
    assert SurveyInvitation.objects.filter(case=case, user=partner).count() == 1


def test_a_closure_reason_is_required(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    for reason in ["", "zomaar"]:
        with pytest.raises(services.ClosureRefused) as refused:
            services.case_close(
                case=case, actor=regisseur, evaluation=evaluation_data(closure_reason=reason)
            )
        assert set(refused.value.errors) == {"closure_reason"}


def test_pga_jeugd_needs_a_closure_result_of_the_annual_report(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner, kind=CaseKind.PGA_JEUGD)
    for result in ["", "iets-anders"]:
        with pytest.raises(services.ClosureRefused) as refused:
            services.case_close(
                case=case, actor=regisseur, evaluation=evaluation_data(jeugd_result=result)
            )
        assert "jeugd_result" in refused.value.errors
    services.case_close(
        case=case,
        actor=regisseur,
        evaluation=evaluation_data(jeugd_result="langdurige-detentie"),
    )
    assert CaseEvaluation.objects.get(case=case).jeugd_result == "langdurige-detentie"


def test_other_kinds_refuse_a_pga_jeugd_closure_result(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner, kind=CaseKind.MDA)
    with pytest.raises(services.ClosureRefused) as refused:
        services.case_close(
            case=case, actor=regisseur, evaluation=evaluation_data(jeugd_result="overleden")
        )
    assert set(refused.value.errors) == {"jeugd_result"}


def test_unknown_partner_kinds_are_refused(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    with pytest.raises(services.ClosureRefused) as refused:
        services.case_close(
            case=case, actor=regisseur, evaluation=evaluation_data(partners_involved=[999999])
        )
    assert set(refused.value.errors) == {"partners_involved"}


def test_handing_over_direction_is_a_closure_with_an_evaluation(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    services.case_close(
        case=case,
        actor=regisseur,
        to_status="overgedragen",
        evaluation=evaluation_data(closure_reason="overgedragen"),
    )
    case.refresh_from_db()
    assert case.status == "overgedragen" and case.closed_at is not None


def test_only_a_regisseur_who_may_see_the_case_closes_it(regisseur, other_regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    for actor in [other_regisseur, partner, staff_user(MANAGER)]:
        with pytest.raises(services.CaseworkError):
            services.case_close(case=case, actor=actor, evaluation=evaluation_data())
    case.refresh_from_db()
    assert case.status == "monitoring"


def test_a_case_cannot_be_closed_twice_or_from_triage(regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner, status="in_triage")
    with pytest.raises(services.CaseworkError):
        services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    case = closable_case(regisseur=regisseur, registered_by=partner)
    services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    with pytest.raises(services.CaseworkError):
        services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    assert SurveyInvitation.objects.filter(case=case).count() == 1


# --- Who is surveyed --------------------------------------------------------------------------


def test_the_aanmelder_and_the_partner_contacts_who_worked_on_the_case_are_invited(
    regisseur, partner
):
    involved = OrganisationFactory()
    silent = OrganisationFactory()
    casusregisseur = partner_user(involved)
    writer = partner_user(involved)
    reader = partner_user(involved)  # did nothing on the case
    silent_user = partner_user(silent)
    case = closable_case(regisseur=regisseur, registered_by=partner, casusregisseur=casusregisseur)
    CaseShare.objects.create(case=case, organisation=involved)
    CaseShare.objects.create(case=case, organisation=silent)
    services.message_send(case=case, author=writer, body="Update vanuit de partner")
    services.message_send(case=case, author=writer, body="Nog een update")
    services.message_send(case=case, author=partner, body="Van de aanmelder")
    services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    invited = {(i.user, i.role, i.organisation) for i in SurveyInvitation.objects.filter(case=case)}
    assert invited == {
        (partner, "aanmelder", partner.casework_membership.organisation),
        (casusregisseur, "partner", involved),
        (writer, "partner", involved),
    }
    assert reader not in {row[0] for row in invited}
    assert silent_user not in {row[0] for row in invited}


def test_inactive_users_staff_casusregisseurs_and_people_without_an_address_are_not_invited(
    regisseur, partner
):
    partner.is_active = False
    partner.save()
    case = closable_case(regisseur=regisseur, registered_by=partner, casusregisseur=regisseur)
    services.case_close(case=case, actor=regisseur, evaluation=evaluation_data())
    assert not SurveyInvitation.objects.filter(case=case).exists()


# --- The page -----------------------------------------------------------------------------------


def test_the_regisseur_sees_a_closure_form_instead_of_a_bare_closed_button(
    client, regisseur, partner
):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    page = client.get(detail_url(case)).content.decode()
    assert 'value="afgesloten"' in page and 'id="to-afgesloten"' not in page
    assert "Procesdoel 1: gemeenschappelijke beeldvorming en belang" in page
    assert (
        "Procesdoel 2: integraal plan van aanpak met scenario’s, interventies, taken, "
        "casusregie en communicatieafspraken" in page
    )
    assert (
        "Procesdoel 3: monitoren, sturen en coachen op uitvoering plan van aanpak en casusregie"
        in page
    )
    assert "Inhoudelijk doel" in page and "Reden van afsluiten" in page
    assert "PGA Jeugd" not in page


def test_a_case_never_in_procesregie_shows_no_goals_and_pga_jeugd_shows_the_results(
    client, regisseur, partner
):
    advice = closable_case(regisseur=regisseur, registered_by=partner, in_procesregie=False)
    jeugd = closable_case(regisseur=regisseur, registered_by=partner, kind=CaseKind.PGA_JEUGD)
    client.force_login(regisseur)
    page = client.get(detail_url(advice)).content.decode()
    assert "Reden van afsluiten" in page and "Procesdoel 1" not in page
    page = client.get(detail_url(jeugd)).content.decode()
    assert "Systeemaanpak heeft positief bijgedragen" in page


def test_a_bad_evaluation_through_the_view_is_a_400_that_keeps_what_was_typed(
    client, regisseur, partner
):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    response = client.post(close_url(case), form_data(process_goal_2=None, closure_reason=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Afgerond na laatste overleg" in body
    assert 'value="volledig" required id="id_content_goal_0" checked' in body
    assert "Reden van afsluiten: Dit is een verplicht veld." in body
    case.refresh_from_db()
    assert case.status == "monitoring"
    assert not CaseEvaluation.objects.exists()


def test_a_service_refusal_is_shown_on_the_field_with_the_values_kept(
    client, regisseur, partner, monkeypatch
):
    case = closable_case(regisseur=regisseur, registered_by=partner)

    def refuse(**kwargs):
        raise services.ClosureRefused({"closure_reason": "Kies een andere reden."})

    monkeypatch.setattr(services, "case_close", refuse)
    client.force_login(regisseur)
    response = client.post(close_url(case), form_data())
    assert response.status_code == 400
    assert "Kies een andere reden." in response.content.decode()
    assert "Afgerond na laatste overleg" in response.content.decode()


def test_closing_through_the_view_and_the_evaluation_on_the_closed_case(client, regisseur, partner):
    kind = PartnerKindFactory(code="ggz", name="GGZ")
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    response = client.post(close_url(case), form_data(partners_involved=[kind.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "afgesloten"
    note = case.timeline.filter(kind=TimelineEntry.Kind.STATUS).last()
    assert note.body == "Afgerond na laatste overleg"
    page = client.get(detail_url(case)).content.decode()
    assert "Evaluatie bij afsluiten" in page
    assert "Deels bereikt" in page and "GGZ" in page
    assert "Tevredenheidsonderzoek" in page and "0 van 1" in page
    assert "Casus afsluiten" not in page
    client.force_login(partner)
    page = client.get(detail_url(case)).content.decode()
    assert "Evaluatie bij afsluiten" not in page and "Procesdoel" not in page


def test_a_partner_cannot_close_a_case(client, regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(partner)
    assert client.post(close_url(case), form_data()).status_code == 403
    case.refresh_from_db()
    assert case.status == "monitoring"


def test_a_closure_stands_when_the_mail_server_is_down(
    client, regisseur, partner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.casework.test_notifications.MailServerDown"
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(close_url(case), form_data())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "afgesloten"
    # The invitation is kept: the reminder brings the link once mail works again.
    assert case.survey_invitations.get().email == partner.email
