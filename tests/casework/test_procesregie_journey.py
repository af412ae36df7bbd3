"""Journey (issue 18): a procesregisseur and two partners run a case from the first
case meeting to closure in the portal, through the real views.

The procesregisseur plans a casusoverleg; both partner organisations get a
content-free invitation with an .ics and see it on their own page; after the meeting
the minutes are recorded and the plan van aanpak is adopted with one action per
partner; one partner marks its action done, the other is reminded when its action is
overdue; the case closes with the evaluation pre-filled from the plan."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from casework import services
from casework.models import (
    CarePlan,
    CaseEvaluation,
    CaseMeeting,
    CaseShare,
    PlanAction,
    TriageOutcome,
)

from .factories import CaseFactory, OrganisationFactory, partner_user

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM)
SECRETS = ["Testpersoon Jansen", "Synthetisch probleem", "Gedeeld beeld Jansen", "Wonen"]


def sign_in(client, user):
    """A fresh signed-in session (after a jump in time the idle timeout ended the old one)."""
    client.logout()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()


def page(client, case):
    response = client.get(reverse("casework:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_runs_from_first_meeting_to_closure_without_a_side_channel(
    client, regisseur, django_capture_on_commit_callbacks
):
    housing, police = (
        OrganisationFactory(name="Woonbron Voorbeeld"),
        OrganisationFactory(name="Politie Voorbeeld"),
    )
    aanmelder, agent = partner_user(housing), partner_user(police)
    case = CaseFactory(
        organisation=housing,
        procesregisseur=regisseur,
        status="in_procesregie",
        triage_outcome=TriageOutcome.PROCESREGIE,
        direction_started_at=START - timedelta(days=10),
    )
    CaseShare.objects.create(case=case, organisation=police)  # scope: status only

    with time_machine.travel(START - timedelta(days=3), tick=False):
        # 1. The procesregisseur plans the casusoverleg; both organisations are invited.
        sign_in(client, regisseur)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("casework:meeting_plan", args=[case.public_id]),
                {
                    "date": "2026-11-02",
                    "start": "09:00",
                    "end": "10:30",
                    "location": "ZVH, vergaderzaal 2",
                    "agenda": "Gedeeld beeld Jansen; scenario's; acties",
                    "organisations": [housing.pk, police.pk],
                },
            )
        assert response.status_code == 302
        meeting = CaseMeeting.objects.get(case=case)
        assert {m.to[0] for m in mail.outbox} == {aanmelder.email, agent.email}
        for message in mail.outbox:
            name, ics, mimetype = message.attachments[0]
            ics = ics if isinstance(ics, str) else ics.decode()  # text/* comes back decoded
            assert name == "casusoverleg.ics" and mimetype.startswith("text/calendar")
            assert "SUMMARY:Casusoverleg ZVH" in ics
            for text in [message.subject, message.body, ics]:
                assert case.reference not in text
                assert "vergaderzaal" not in text
                for secret in SECRETS:
                    assert secret not in text

        # 2. Each partner sees the invitation on its own page.
        for partner in (aanmelder, agent):
            sign_in(client, partner)
            mine = client.get(reverse("casework:my_procesregie")).content.decode()
            assert case.reference in mine and "2 november 2026" in mine

    with time_machine.travel(START + timedelta(hours=2), tick=False):
        # 3. After the meeting: minutes and attendance, then the plan, adopted in it.
        sign_in(client, regisseur)
        invitees = {i.user_id: i.pk for i in meeting.invitees.all()}
        response = client.post(
            reverse("casework:meeting_minutes", args=[case.public_id, meeting.public_id]),
            {
                "minutes": "Gedeeld beeld Jansen besproken.",
                "decisions": "Wonen regelt begeleiding; politie houdt toezicht.",
                "attended": [invitees[aanmelder.pk], invitees[agent.pk]],
            },
        )
        assert response.status_code == 302
        plan_url = reverse("casework:plan_draft", args=[case.public_id])
        assert client.post(plan_url).status_code == 302
        response = client.post(
            plan_url,
            {
                "summary": "Gedeeld beeld Jansen: dreigende huisuitzetting.",
                "risks": "Escalatie bij de buren.",
                "protective_factors": "Zus is betrokken.",
                "content_goal": "Stabiel wonen zonder incidenten.",
                "scenarios": "Vrijwillig traject; anders drang via de woningcorporatie.",
                "case_direction": "Casusregisseur: Woonbron.",
                "communication": "Woonbron informeert betrokkene.",
            },
        )
        assert response.status_code == 302
        action_url = reverse("casework:plan_action_add", args=[case.public_id])
        for organisation, title, due in [
            (housing, "Wonen: begeleiding regelen", "2026-11-09"),
            (police, "Politie: wijkagent op huisbezoek", "2026-11-06"),
        ]:
            response = client.post(
                action_url, {"title": title, "organisation": organisation.pk, "due_date": due}
            )
            assert response.status_code == 302
        response = client.post(
            reverse("casework:plan_adopt", args=[case.public_id]), {"meeting": meeting.pk}
        )
        assert response.status_code == 302
        plan = CarePlan.objects.get(case=case)
        assert plan.status == CarePlan.Status.ADOPTED and plan.adopted_in == meeting

        # 4. The police (shared at status level) sees its own action and nothing else.
        sign_in(client, agent)
        seen = page(client, case)
        assert "Politie: wijkagent op huisbezoek" in seen
        assert "Wonen: begeleiding regelen" not in seen
        for secret in ["Gedeeld beeld Jansen", "Stabiel wonen", "Escalatie bij de buren"]:
            assert secret not in seen

        # 5. The housing corporation (registering, full access) marks its action done.
        sign_in(client, aanmelder)
        assert "Gedeeld beeld Jansen" in page(client, case)
        housing_action = plan.actions.get(organisation=housing)
        response = client.post(
            reverse("casework:action_update", args=[case.public_id, housing_action.public_id]),
            {"status": "gedaan", "progress": "Begeleider start maandag."},
        )
        assert response.status_code == 302
        housing_action.refresh_from_db()
        assert housing_action.status == PlanAction.Status.DONE

    # 6. The police's action passes its due date: one reminder, to the police only.
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 11, 8, 7, 0, tzinfo=AMSTERDAM), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.plan_action_reminders_send() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.plan_action_reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert "over de datum" in mail.outbox[0].subject
    assert case.reference not in mail.outbox[0].body

    # 7. Closure: the form shows what was agreed and suggests the process goals.
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=AMSTERDAM), tick=False):
        sign_in(client, regisseur)
        response = client.get(reverse("casework:case_detail", args=[case.public_id]))
        form = response.context["closure_form"]
        assert form.initial == {
            "process_goal_1": "volledig",
            "process_goal_2": "volledig",
            "process_goal_3": "deels",
        }
        body = response.content.decode()
        assert "Wonen: begeleiding regelen" in body and "Stabiel wonen zonder incidenten" in body
        response = client.post(
            reverse("casework:case_action", args=[case.public_id, "afsluiten"]),
            {
                "to_status": "afgesloten",
                "content_goal": "volledig",
                **form.initial,
                "closure_reason": "doel-bereikt",
            },
        )
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "afgesloten" and case.closed_at <= timezone.now()
    evaluation = CaseEvaluation.objects.get(case=case)
    assert (evaluation.process_goal_1, evaluation.process_goal_3) == ("volledig", "deels")
