"""Procesregie as structured data: case meetings, the versioned plan van aanpak, the
actions partners own, reminders, what each share level sees, and the monitoring page."""

from datetime import date, timedelta

from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest

from casework import services
from casework.models import (
    AuditEntry,
    AveLevel,
    BreakGlass,
    CarePlan,
    CaseMeeting,
    CaseShare,
    MeetingInvitee,
    PlanAction,
    TriageOutcome,
)
from casework.procesregie_selectors import (
    closure_plan_summary,
    meetings_for,
    monitoring_for,
    plan_compare,
    plan_for,
)
from casework.roles import PROCESREGISSEUR
from casework.selectors import case_access

from .factories import CaseFactory, OrganisationFactory, partner_user, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def involved(db):
    return OrganisationFactory(name="Reclassering Voorbeeld")


@pytest.fixture
def regie_case(organisation, involved, regisseur):
    case = CaseFactory(
        organisation=organisation,
        procesregisseur=regisseur,
        status="in_procesregie",
        triage_outcome=TriageOutcome.PROCESREGIE,
        direction_started_at=timezone.now() - timedelta(weeks=2),
    )
    CaseShare.objects.create(case=case, organisation=involved)
    return case


def plan_meeting(case, regisseur, organisations, *, days=-1, **extra):
    start = timezone.now() + timedelta(days=days)
    values = {"location": "ZVH", "agenda": "Agenda Jansen"} | extra
    return services.meeting_plan(
        case=case,
        actor=regisseur,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        organisations=organisations,
        **values,
    )


def adopted_plan(case, regisseur, meeting, actions):
    draft = services.plan_draft_start(case=case, actor=regisseur)
    services.plan_draft_update(
        plan=draft,
        actor=regisseur,
        texts={"summary": "Beeld Jansen", "content_goal": "Doel Jansen", "risks": "Risico"},
    )
    for organisation, title, due in actions:
        services.plan_action_add(
            plan=draft, actor=regisseur, title=title, organisation=organisation, due_date=due
        )
    return services.plan_adopt(plan=draft, actor=regisseur, meeting=meeting)


def titled(plan, title):
    """Titles are encrypted: found in Python, not by a query."""
    return next(action for action in plan.actions.all() if action.title == title)


# --- Meetings ------------------------------------------------------------------------


def test_a_meeting_invites_whole_organisations_or_the_chosen_people(
    regie_case, regisseur, organisation, involved, partner
):
    colleague, officer = partner_user(organisation), partner_user(involved)
    meeting = plan_meeting(
        regie_case, regisseur, [organisation, involved], people=[partner], days=3
    )
    invited = set(meeting.invitees.values_list("user_id", flat=True))
    # The registering organisation: only the chosen person; the other: all its members.
    assert invited == {partner.pk, officer.pk} and colleague.pk not in invited
    assert AuditEntry.objects.filter(action="meeting.plan", object_id=regie_case.reference).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"location": "", "online_url": ""}, "plaats of een online link"),
        ({"organisations": "stranger"}, "niet betrokken"),
        ({"organisations": []}, "ten minste één"),
        ({"people": "stranger"}, "alleen mensen van de uitgenodigde"),
        ({"ends_before": True}, "eindigen na het begin"),
    ],
)
def test_planning_a_meeting_refuses_what_does_not_fit_the_case(
    regie_case, regisseur, organisation, change, message
):
    stranger = OrganisationFactory()
    change = dict(change)
    start = timezone.now() + timedelta(days=2)
    ends_before = change.pop("ends_before", False)
    values = {
        "case": regie_case,
        "actor": regisseur,
        "starts_at": start,
        "ends_at": start + timedelta(hours=-1 if ends_before else 1),
        "organisations": [organisation],
        "location": "ZVH",
    }
    if change.get("organisations") == "stranger":
        change["organisations"] = [stranger]
    if change.get("people") == "stranger":
        change["people"] = [partner_user(stranger)]
    with pytest.raises(services.CaseworkError, match=message):
        services.meeting_plan(**(values | change))
    assert not CaseMeeting.objects.exists()


def test_partners_cannot_plan_meetings_or_record_minutes(client, regie_case, partner, organisation):
    client.force_login(partner)
    response = client.post(
        reverse("casework:meeting_plan", args=[regie_case.public_id]),
        {
            "date": "2026-12-01",
            "start": "09:00",
            "end": "10:00",
            "location": "x",
            "organisations": [organisation.pk],
        },
    )
    assert response.status_code == 403 and not CaseMeeting.objects.exists()


def test_minutes_wait_until_the_meeting_has_started_and_record_attendance(
    regie_case, regisseur, organisation, partner
):
    upcoming = plan_meeting(regie_case, regisseur, [organisation], days=2)
    with pytest.raises(services.CaseworkError, match="zodra het overleg is begonnen"):
        services.meeting_record_minutes(meeting=upcoming, actor=regisseur, minutes="Verslag")
    held = plan_meeting(regie_case, regisseur, [organisation])
    invitee = held.invitees.get(user=partner)
    services.meeting_record_minutes(
        meeting=held, actor=regisseur, minutes="Verslag", attended=[invitee.pk]
    )
    invitee.refresh_from_db()
    held.refresh_from_db()
    assert invitee.attended is True and held.minutes == "Verslag"


def test_minutes_and_plan_text_are_encrypted_at_rest(regie_case, regisseur, organisation):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    services.meeting_record_minutes(meeting=meeting, actor=regisseur, minutes="Verslag Jansen")
    adopted_plan(regie_case, regisseur, meeting, [(organisation, "Actie Jansen", date.today())])
    with connection.cursor() as cursor:
        cursor.execute("SELECT minutes, agenda FROM casework_casemeeting")
        minutes, agenda = cursor.fetchone()
        cursor.execute("SELECT summary FROM casework_careplan")
        (summary,) = cursor.fetchone()
        cursor.execute("SELECT title FROM casework_planaction")
        (title,) = cursor.fetchone()
    for raw in (minutes, agenda, summary, title):
        assert "Jansen" not in raw and raw.startswith("gAAAA")


# --- What each share level sees ------------------------------------------------------


@pytest.mark.parametrize("scope", ["status", "summary"])
def test_an_involved_partner_sees_meetings_and_the_plan_as_far_as_its_share_allows(
    regie_case, regisseur, organisation, involved, scope
):
    CaseShare.objects.filter(case=regie_case, organisation=involved).update(scope=scope)
    officer = partner_user(involved)
    meeting = plan_meeting(regie_case, regisseur, [organisation, involved])
    plan_meeting(regie_case, regisseur, [organisation], days=5)  # the officer is not invited
    services.meeting_record_minutes(meeting=meeting, actor=regisseur, minutes="Verslag")
    adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (organisation, "Actie gemeente", date.today()),
            (involved, "Actie reclassering", date.today()),
        ],
    )
    access = case_access(officer, regie_case)
    meetings = meetings_for(officer, regie_case, access)
    plan = plan_for(officer, regie_case, access)
    assert [view.meeting for view in meetings] == [meeting]
    assert meetings[0].minutes is meetings[0].details is (scope == "summary")  # the agenda
    assert [action.title for action in plan.actions] == ["Actie reclassering"]
    assert not plan.full and plan.goal is (scope == "summary") and not plan.versions


def test_the_registering_organisation_sees_the_whole_plan_but_never_a_draft(
    regie_case, regisseur, organisation, partner
):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    adopted_plan(regie_case, regisseur, meeting, [(organisation, "Actie", date.today())])
    services.plan_draft_start(case=regie_case, actor=regisseur)
    plan = plan_for(partner, regie_case, case_access(partner, regie_case))
    assert plan.full and plan.adopted.version == 1 and plan.draft is None
    assert [version.version for version in plan.versions] == [1]
    assert plan_for(regisseur, regie_case, case_access(regisseur, regie_case)).draft.version == 2


def test_the_meeting_ics_is_content_free_and_only_for_those_who_see_the_meeting(
    client, regie_case, regisseur, organisation, involved
):
    officer = partner_user(involved)
    meeting = plan_meeting(regie_case, regisseur, [organisation], days=3, location="Kantoor Jansen")
    url = reverse("casework:meeting_ics", args=[regie_case.public_id, meeting.public_id])
    client.force_login(officer)  # involved, but not invited
    assert client.get(url).status_code == 404
    client.force_login(regisseur)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "SUMMARY:Casusoverleg ZVH" in body
    assert regie_case.reference not in body and "Jansen" not in body


# --- The plan van aanpak -------------------------------------------------------------


def test_a_plan_is_adopted_only_in_a_held_meeting_with_a_goal_and_actions(
    regie_case, regisseur, organisation
):
    upcoming = plan_meeting(regie_case, regisseur, [organisation], days=3)
    held = plan_meeting(regie_case, regisseur, [organisation])
    draft = services.plan_draft_start(case=regie_case, actor=regisseur)
    with pytest.raises(services.CaseworkError, match="Vul in"):
        services.plan_adopt(plan=draft, actor=regisseur, meeting=held)
    services.plan_draft_update(
        plan=draft, actor=regisseur, texts={"summary": "Beeld", "content_goal": "Doel"}
    )
    with pytest.raises(services.CaseworkError, match="ten minste één actie"):
        services.plan_adopt(plan=draft, actor=regisseur, meeting=held)
    services.plan_action_add(
        plan=draft, actor=regisseur, title="Actie", organisation=None, due_date=date.today()
    )
    with pytest.raises(services.CaseworkError, match="plaatsgevonden"):
        services.plan_adopt(plan=draft, actor=regisseur, meeting=upcoming)
    services.plan_adopt(plan=draft, actor=regisseur, meeting=held)
    with pytest.raises(services.CaseworkError, match="niet meer worden gewijzigd"):
        services.plan_draft_update(plan=draft, actor=regisseur, texts={"summary": "Anders"})


def test_a_new_version_starts_from_the_adopted_one_and_the_old_one_stays_readable(
    client, regie_case, regisseur, organisation, involved, partner
):
    meeting = plan_meeting(regie_case, regisseur, [organisation, involved])
    first = adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (organisation, "Schuldhulp starten", date(2026, 12, 1)),
            (involved, "Toezicht", date(2026, 12, 2)),
        ],
    )
    draft = services.plan_draft_start(case=regie_case, actor=regisseur)
    assert set(draft.actions.values_list("lineage", flat=True)) == set(
        first.actions.values_list("lineage", flat=True)
    )
    services.plan_draft_update(
        plan=draft, actor=regisseur, texts={"content_goal": "Doel Jansen\nEn werk vinden"}
    )
    dropped = titled(draft, "Toezicht")
    services.plan_action_remove(action=dropped, actor=regisseur)
    services.plan_action_add(
        plan=draft,
        actor=regisseur,
        title="Werkcoach",
        organisation=organisation,
        due_date=date(2027, 1, 5),
    )
    second = services.plan_adopt(plan=draft, actor=regisseur, meeting=meeting)
    first.refresh_from_db()
    assert first.status == CarePlan.Status.SUPERSEDED and second.status == CarePlan.Status.ADOPTED
    comparison = plan_compare(first, second)
    assert [change.added for change in comparison.texts] == [["En werk vinden"]]
    assert [a.title for a in comparison.added] == ["Werkcoach"]
    assert [a.title for a in comparison.removed] == ["Toezicht"]

    client.force_login(partner)  # the registering organisation: full access
    response = client.get(reverse("casework:plan_version", args=[regie_case.public_id, 2]))
    body = response.content.decode()
    assert response.status_code == 200 and "En werk vinden" in body and "Toezicht" in body
    assert (
        client.get(reverse("casework:plan_version", args=[regie_case.public_id, 1])).status_code
        == 200
    )
    client.force_login(partner_user(involved))  # status share: no versions
    assert (
        client.get(reverse("casework:plan_version", args=[regie_case.public_id, 2])).status_code
        == 404
    )


# --- Actions ------------------------------------------------------------------------


def test_a_partner_updates_only_its_own_organisations_actions(
    client, regie_case, regisseur, organisation, involved, partner
):
    officer = partner_user(involved)
    meeting = plan_meeting(regie_case, regisseur, [organisation, involved])
    plan = adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (organisation, "Actie gemeente", date.today()),
            (involved, "Actie reclassering", date.today()),
        ],
    )
    own, other = (
        plan.actions.get(organisation=involved),
        plan.actions.get(organisation=organisation),
    )
    client.force_login(officer)
    for action, expected in [(own, 302), (other, 404)]:
        response = client.post(
            reverse("casework:action_update", args=[regie_case.public_id, action.public_id]),
            {"status": "gedaan", "progress": "Klaar"},
        )
        assert response.status_code == expected
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == "gedaan" and own.done_at is not None and other.status == "open"
    with pytest.raises(services.CaseworkError):
        services.plan_action_update(action=other, actor=officer, status="gedaan", progress="")


def test_break_the_glass_reads_actions_but_cannot_update_them(regie_case, regisseur, organisation):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    plan = adopted_plan(regie_case, regisseur, meeting, [(organisation, "Actie", date.today())])
    glass = staff_user(PROCESREGISSEUR)
    BreakGlass.objects.create(
        user=glass,
        case=regie_case,
        reason="Acuut gevaar",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    with pytest.raises(services.CaseworkError):
        services.plan_action_update(
            action=plan.actions.get(), actor=glass, status="gedaan", progress=""
        )


def test_reminders_go_once_before_and_once_after_the_due_date(
    regie_case, regisseur, organisation, involved, partner, django_capture_on_commit_callbacks
):
    officer = partner_user(involved)
    meeting = plan_meeting(regie_case, regisseur, [organisation, involved])
    today = timezone.localdate()
    plan = adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (involved, "Binnenkort", today + timedelta(days=2)),
            (organisation, "Al klaar", today - timedelta(days=1)),
            (None, "ZVH zelf", today - timedelta(days=1)),
        ],
    )
    services.plan_action_update(
        action=titled(plan, "Al klaar"), actor=partner, status="gedaan", progress=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.plan_action_reminders_send(today=today) == 2  # soon; ZVH's overdue
        assert services.plan_action_reminders_send(today=today) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, regisseur.email])
    # A new version carries the reminder marks along: nothing is sent twice.
    draft = services.plan_draft_start(case=regie_case, actor=regisseur)
    services.plan_adopt(plan=draft, actor=regisseur, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.plan_action_reminders_send(today=today) == 0
        assert services.plan_action_reminders_send(today=today + timedelta(days=3)) == 1
    assert [m.to[0] for m in mail.outbox] == [officer.email]
    for message in mail.outbox:
        assert regie_case.reference not in message.body and "Binnenkort" not in message.body


def test_a_closed_case_gets_no_reminders_and_no_updates(
    regie_case, regisseur, organisation, partner
):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    plan = adopted_plan(regie_case, regisseur, meeting, [(organisation, "Actie", date.today())])
    type(regie_case).objects.filter(pk=regie_case.pk).update(status="afgesloten")
    assert services.plan_action_reminders_send(today=date.today() + timedelta(days=9)) == 0
    with pytest.raises(services.CaseworkError):
        services.plan_action_update(
            action=plan.actions.get(), actor=partner, status="gedaan", progress=""
        )


# --- Monitoring and closure -----------------------------------------------------------


def test_monitoring_shows_what_is_stuck_for_the_regisseur_and_across_the_team(
    client, regie_case, regisseur, other_regisseur, manager, organisation, settings
):
    settings.CASEWORK_PLAN_WEEKS = 1
    settings.CASEWORK_THROUGHPUT_NORM_WEEKS = 1
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    upcoming = plan_meeting(regie_case, regisseur, [organisation], days=4)
    escalated = CaseFactory(
        procesregisseur=other_regisseur,
        status="in_procesregie",
        ave_level=AveLevel.AVE4,
        direction_started_at=timezone.now() - timedelta(weeks=3),
    )
    adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [(organisation, "Te laat", date.today() - timedelta(days=2))],
    )
    own = monitoring_for(regisseur)
    assert own.upcoming == [upcoming] and own.without_minutes == [meeting]
    assert [(row["case"], row["owner"], row["count"]) for row in own.overdue] == [
        (regie_case, organisation, 1)
    ]
    assert own.without_plan == [] and own.past_norm == [regie_case] and own.escalations == {}
    team = monitoring_for(manager)
    assert team.without_plan == [escalated] and list(team.escalations.values()) == [[escalated]]
    client.force_login(manager)
    body = client.get(reverse("casework:monitoring")).content.decode()
    assert escalated.reference in body and regie_case.reference in body
    assert "Testpersoon Jansen" not in body


def test_partners_have_no_monitoring_page_and_staff_no_partner_page(client, partner, regisseur):
    client.force_login(partner)
    assert client.get(reverse("casework:monitoring")).status_code == 403
    assert client.get(reverse("casework:my_procesregie")).status_code == 200
    client.force_login(regisseur)
    assert client.get(reverse("casework:my_procesregie")).status_code == 403


def test_the_closure_summary_suggests_process_goals_from_the_record(
    regie_case, regisseur, organisation, partner
):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    plan = adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (organisation, "Een", date.today() + timedelta(days=1)),
            (organisation, "Twee", date.today()),
        ],
    )
    services.plan_action_update(
        action=titled(plan, "Een"), actor=partner, status="gedaan", progress=""
    )
    summary = closure_plan_summary(regie_case)
    # No minutes yet (picture not shown to be shared), scenarios empty, half done.
    assert summary["suggested"] == {
        "process_goal_1": "deels",
        "process_goal_2": "deels",
        "process_goal_3": "deels",
    }
    assert (summary["done"], summary["on_time"], summary["relevant"]) == (1, 1, 2)


def test_meetings_plans_and_actions_go_with_the_case(regie_case, regisseur, organisation):
    meeting = plan_meeting(regie_case, regisseur, [organisation])
    adopted_plan(regie_case, regisseur, meeting, [(organisation, "Actie", date.today())])
    regie_case.delete()  # what destruction does, after the case's retention term
    assert not CaseMeeting.objects.exists() and not MeetingInvitee.objects.exists()
    assert not CarePlan.objects.exists() and not PlanAction.objects.exists()


def test_the_annual_report_counts_weeks_to_the_first_meeting_and_plan_and_actions_on_time(
    regie_case, regisseur, organisation, partner
):
    from casework import reports

    started = timezone.now() - timedelta(days=30)
    type(regie_case).objects.filter(pk=regie_case.pk).update(direction_started_at=started)
    meeting = plan_meeting(regie_case, regisseur, [organisation], days=-20)  # week 1
    plan = adopted_plan(
        regie_case,
        regisseur,
        meeting,
        [
            (organisation, "Op tijd", timezone.localdate()),
            (organisation, "Te laat", timezone.localdate() - timedelta(days=2)),
            (organisation, "Open", timezone.localdate() - timedelta(days=1)),
        ],
    )
    for title in ("Op tijd", "Te laat"):
        services.plan_action_update(
            action=titled(plan, title), actor=partner, status="gedaan", progress=""
        )
    CarePlan.objects.filter(pk=plan.pk).update(adopted_at=started + timedelta(days=22))  # week 3
    figures = reports.annual_report(
        start=timezone.localdate() - timedelta(days=60), end=timezone.localdate()
    )["procesregie"]
    assert figures["started"] == 1
    assert figures["to_first_meeting"] == {"cases": 1, "median_weeks": 1, "by_weeks": {"1": 1}}
    assert figures["to_adopted_plan"]["median_weeks"] == 3
    assert figures["actions"] == {
        "due": 3,
        "done": 2,
        "on_time": 1,
        "percent_done": 66.7,
        "percent_on_time": 33.3,
    }
