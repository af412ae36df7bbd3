"""Step G: the access census. Every casework URL, for every role and organisation:
who may read and write is exactly what the visibility rule says, everyone else gets
a redirect to sign in, 403 or 404, and no response body carries case data.

Roles come the way the admin gives them (``staff_user``) and the way the /partners/
invitation gives them (``invited_user``): after a second person's approval the
account has exactly what the role allows; while the approval is pending, nothing."""

import time
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from casework.models import (
    Attachment,
    BreakGlass,
    Case,
    CaseEvaluation,
    CaseShare,
    TimelineEntry,
)
from casework.roles import (
    FUNCTIONEEL_BEHEER,
    MANAGER,
    PRIVACY_OFFICER,
    PROCESONDERSTEUNER,
    PROCESREGISSEUR,
)
from tests.mfa import with_mfa

from .factories import (
    CaseFactory,
    OrganisationFactory,
    UserFactory,
    invited_user,
    partner_user,
    staff_user,
    survey_invitation,
)

pytestmark = pytest.mark.django_db

SECRETS = ["Testpersoon Jansen", "Synthetisch probleem", "Synthetisch risico", "Hulpverlening"]
WRITE_ACTIONS = {
    "status": {"to_status": "in_triage"},
    "notitie": {"body": "Census notitie"},
    "toewijzen": {},
    "bericht": {"body": "Census bericht"},
}

# role → (reads full case data, reads shared part, may write these actions)
EXPECTED = {
    "registering partner": ("full", {"bericht"}),
    "involved partner": ("shared", {"bericht"}),
    "uninvolved partner": (None, set()),
    "assigned regisseur": ("full", set(WRITE_ACTIONS)),
    "other regisseur": (None, set()),
    "procesondersteuner": (None, set()),
    "manager": ("full", set()),
    "privacy officer": (None, set()),
    "functioneel beheer": (None, set()),
    "superuser without role": (None, set()),
    "anonymous": (None, set()),
    "manager by approved invitation": ("full", set()),
    "privacy officer by approved invitation": (None, set()),
    "regisseur by approved invitation": (None, set()),
    "manager invitation pending": (None, set()),
    # Break-the-glass opens the case for reading only.
    "regisseur by break-the-glass": ("full", set()),
}
# Accounts made by invitation behave exactly as the account they are named after.
LIKE = {
    "manager by approved invitation": "manager",
    "privacy officer by approved invitation": "privacy officer",
    "regisseur by approved invitation": "other regisseur",
    "manager invitation pending": "superuser without role",
}


@pytest.fixture
def world(db, regisseur, tmp_path, settings):
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path
    registering = OrganisationFactory()
    involved = OrganisationFactory()
    case = CaseFactory(organisation=registering, procesregisseur=regisseur)
    CaseShare.objects.create(case=case, organisation=involved)
    from casework import attachments

    storage_name, digest = attachments.store(b"%PDF-1.4 census")
    attachment = Attachment.objects.create(
        case=case,
        original_name="census.pdf",
        content_type="application/pdf",
        size=15,
        sha256=digest,
        storage_name=storage_name,
    )
    users = {
        "registering partner": partner_user(registering),
        "involved partner": partner_user(involved),
        "uninvolved partner": partner_user(OrganisationFactory()),
        "assigned regisseur": regisseur,
        "other regisseur": staff_user("Procesregisseur"),
        "procesondersteuner": staff_user(PROCESONDERSTEUNER),
        "manager": staff_user(MANAGER),
        "privacy officer": staff_user(PRIVACY_OFFICER),
        "functioneel beheer": staff_user(FUNCTIONEEL_BEHEER),
        "superuser without role": with_mfa(UserFactory(is_superuser=True, is_staff=True)),
        "anonymous": None,
    }
    beheerder, manager = users["functioneel beheer"], users["manager"]
    for name, role in [
        ("manager by approved invitation", MANAGER),
        ("privacy officer by approved invitation", PRIVACY_OFFICER),
        ("regisseur by approved invitation", PROCESREGISSEUR),
    ]:
        users[name] = invited_user([role], inviter=beheerder, approver=manager)
    users["manager invitation pending"] = invited_user([MANAGER], inviter=beheerder)
    users["regisseur by break-the-glass"] = glass = staff_user(PROCESREGISSEUR)
    BreakGlass.objects.create(
        user=glass,
        case=case,
        category=BreakGlass.Category.ACUTE_DANGER,
        reason="Census: acuut gevaar",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return case, attachment, users


def sign_in(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session.save()


def assert_no_case_data(response, where):
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, f"{where} leaked {secret!r}"


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_casework_url_gives_each_role_exactly_its_access(client, world, role):
    case, attachment, users = world
    reads, writes = EXPECTED[role]
    like = LIKE.get(role, role)
    sign_in(client, users[role])
    refused = {302, 403, 404}

    detail = client.get(reverse("casework:case_detail", args=[case.public_id]))
    if reads == "full":
        assert detail.status_code == 200 and "Testpersoon Jansen" in detail.content.decode()
    elif reads == "shared":
        assert detail.status_code == 200
        assert_no_case_data(detail, "shared detail")
    else:
        assert detail.status_code in refused
        assert_no_case_data(detail, "detail")

    home = client.get(reverse("casework:home"))
    assert_no_case_data(home, "home")
    assert (case.reference in home.content.decode()) == (reads is not None)

    for url_name in [
        "overdue",
        "advice",
        "invite",
        "audit",
        "retention",
        "intake_start",
        "case_import",
        "follow_up",
        "role_requests",
    ]:
        response = client.get(reverse(f"casework:{url_name}"))
        assert_no_case_data(response, url_name)
    verify = client.post(reverse("casework:audit_verify"))
    verified = verify.status_code == 302 and verify.url == reverse("casework:audit")
    assert verified == (like == "privacy officer"), f"{role} verifying the audit chain"

    for action, data in WRITE_ACTIONS.items():
        if action == "toewijzen":
            data = {"casusregisseur": users["registering partner"].pk}
        if action == "bericht":
            data = {**data, "to_organisation": case.organisation_id}
        before = TimelineEntry.objects.filter(case=case).count()
        response = client.post(reverse("casework:case_action", args=[case.public_id, action]), data)
        after = TimelineEntry.objects.filter(case=case).count()
        if action in writes:
            assert response.status_code == 302 and after == before + 1, f"{role} could not {action}"
        else:
            assert after == before, f"{role} wrote {action}"
            assert response.status_code in refused | {400}
            assert_no_case_data(response, action)

    export = client.get(reverse("casework:case_export", args=[case.public_id]))
    download = client.get(
        reverse("casework:case_attachment_download", args=[case.public_id, attachment.public_id])
    )
    break_glass = client.get(reverse("casework:case_break_glass", args=[case.public_id]))
    for name, response in [
        ("export", export),
        ("download", download),
        ("break_glass", break_glass),
    ]:
        if not (reads == "full" and name in ("export", "download")):
            assert_no_case_data(response, name)
    if reads == "full" and like != "registering partner":
        assert export.status_code == 200
    else:
        assert export.status_code in refused
    assert (download.status_code == 200) == (reads == "full")
    assert break_glass.status_code in refused | {200}
    if break_glass.status_code == 200:
        assert like == "other regisseur"


@pytest.mark.parametrize("role", list(EXPECTED))
def test_closure_follow_up_and_survey_urls_give_each_role_exactly_its_access(client, world, role):
    """Only the assigned regisseur closes; only the manager sees follow-up tasks; the
    public survey shows the reference alone to whoever holds the link; the signed-in
    survey route only to the invited person."""
    case, _attachment, users = world
    like = LIKE.get(role, role)
    Case.objects.filter(pk=case.pk).update(status="advies_gegeven", triage_outcome="advies")
    invitation, token = survey_invitation(case, users["registering partner"])
    sign_in(client, users[role])
    refused = {302, 403, 404}

    close = client.post(
        reverse("casework:case_action", args=[case.public_id, "afsluiten"]),
        {"to_status": "afgesloten", "closure_reason": "advies-gegeven"},
    )
    case.refresh_from_db()
    if like == "assigned regisseur":
        assert close.status_code == 302 and case.status == "afgesloten"
    else:
        assert close.status_code in refused | {400}
        assert case.status == "advies_gegeven" and not CaseEvaluation.objects.exists()
        assert_no_case_data(close, "afsluiten")

    follow_up = client.get(reverse("casework:follow_up"))
    assert (follow_up.status_code == 200) == (like == "manager")
    if like != "manager":
        assert follow_up.status_code in refused
    assert_no_case_data(follow_up, "follow_up")

    public = client.get(reverse("casework_survey:survey", args=[token]))
    assert public.status_code == 200 and case.reference in public.content.decode()
    assert_no_case_data(public, "survey")

    signed_in = client.get(reverse("casework:survey_signed_in", args=[invitation.public_id]))
    if like == "registering partner":
        assert signed_in.status_code == 200
    else:
        assert signed_in.status_code in refused
    assert_no_case_data(signed_in, "survey_signed_in")


# --- Procesregie (issue 18): meetings, the plan van aanpak, actions, monitoring --------

REGIE_SECRETS = ["Census verslag geheim", "Census beeld geheim", "Census actie aanmelder"]
ACTION_OWNERS = {
    "Census actie aanmelder": "registering partner",
    "Census actie betrokkene": "involved partner",
}


@pytest.fixture
def regie_world(world):
    """The census case in procesregie: a held meeting with minutes (both organisations
    invited), an adopted plan with one action per organisation."""
    from casework import services

    case, attachment, users = world
    regisseur = users["assigned regisseur"]
    Case.objects.filter(pk=case.pk).update(
        status="in_procesregie", direction_started_at=timezone.now() - timedelta(weeks=60)
    )
    case.refresh_from_db()
    involved = case.shares.get().organisation
    start = timezone.now() - timedelta(days=1)
    meeting = services.meeting_plan(
        case=case,
        actor=regisseur,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        organisations=[case.organisation, involved],
        location="Census plaats",
    )
    services.meeting_record_minutes(
        meeting=meeting, actor=regisseur, minutes="Census verslag geheim"
    )
    draft = services.plan_draft_start(case=case, actor=regisseur)
    services.plan_draft_update(
        plan=draft,
        actor=regisseur,
        texts={"summary": "Census beeld geheim", "content_goal": "Census doel"},
    )
    for organisation, title in [
        (case.organisation, "Census actie aanmelder"),
        (involved, "Census actie betrokkene"),
    ]:
        services.plan_action_add(
            plan=draft,
            actor=regisseur,
            title=title,
            organisation=organisation,
            due_date=timezone.localdate() - timedelta(days=1),
        )
    services.plan_adopt(plan=draft, actor=regisseur, meeting=meeting)
    return case, meeting, draft, users


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_procesregie_url_gives_each_role_exactly_its_access(client, regie_world, role):
    from casework.models import CarePlan, CaseMeeting, PlanAction

    case, meeting, plan, users = regie_world
    reads, _writes = EXPECTED[role]
    like = LIKE.get(role, role)
    sign_in(client, users[role])
    refused = {302, 403, 404}
    actions = {action.title: action for action in plan.actions.all()}

    body = client.get(reverse("casework:case_detail", args=[case.public_id])).content.decode()
    if reads == "full":
        for secret in REGIE_SECRETS:
            assert secret in body, f"{role} misses {secret!r}"
    else:
        # Status share: its own action only; never the minutes, the picture, others' actions.
        for secret in REGIE_SECRETS:
            assert secret not in body, f"{role} sees {secret!r}"
        assert ("Census actie betrokkene" in body) == (reads == "shared")

    ics = client.get(reverse("casework:meeting_ics", args=[case.public_id, meeting.public_id]))
    assert (ics.status_code == 200) == (reads is not None)
    version = client.get(reverse("casework:plan_version", args=[case.public_id, 1]))
    assert (version.status_code == 200) == (reads == "full")
    if reads != "full":
        assert version.status_code in refused
    for name, response in [("ics", ics), ("version", version)]:
        if reads != "full":
            assert_no_case_data(response, name)
            for secret in REGIE_SECRETS:
                assert secret not in response.content.decode()

    monitoring = client.get(reverse("casework:monitoring"))
    may_monitor = like in (
        "assigned regisseur",
        "other regisseur",
        "manager",
        "regisseur by break-the-glass",
    )
    assert (monitoring.status_code == 200) == may_monitor
    # Break-the-glass reads a case, it does not make it one's own to monitor.
    assert (case.reference in monitoring.content.decode()) == (
        like in ("assigned regisseur", "manager")
    )
    mine = client.get(reverse("casework:my_procesregie"))
    assert (mine.status_code == 200) == like.endswith(" partner")
    assert (case.reference in mine.content.decode()) == (
        reads is not None and like.endswith(" partner")
    )
    # The lists never show minutes or the picture; a partner's page only its own actions.
    for response in (monitoring, mine):
        assert_no_case_data(response, "procesregie lists")
        for secret in REGIE_SECRETS[:2]:
            assert secret not in response.content.decode()
    listed = {title for title in ACTION_OWNERS if title in mine.content.decode()}
    assert listed == {t for t, owner in ACTION_OWNERS.items() if owner == like and reads}

    # Writes: only the assigned regisseur plans, records and drafts; a partner updates
    # only the action its organisation owns.
    def state():
        return (
            CaseMeeting.objects.count(),
            CarePlan.objects.count(),
            PlanAction.objects.count(),
            CaseMeeting.objects.get(pk=meeting.pk).minutes,
            sorted(PlanAction.objects.values_list("status", flat=True)),
        )

    staff_posts = [
        (
            reverse("casework:meeting_plan", args=[case.public_id]),
            {
                "date": "2027-01-05",
                "start": "09:00",
                "end": "10:00",
                "location": "x",
                "organisations": [case.organisation_id],
            },
        ),
        (
            reverse("casework:meeting_minutes", args=[case.public_id, meeting.public_id]),
            {"minutes": "Overschreven"},
        ),
        (reverse("casework:plan_draft", args=[case.public_id]), {}),
    ]
    for url, data in staff_posts:
        before = state()
        response = client.post(url, data)
        if like == "assigned regisseur":
            assert response.status_code == 302, url
            assert state() != before, url
        else:
            assert response.status_code in refused | {400}, f"{role} posted {url}"
            assert state() == before, f"{role} wrote {url}"
            assert_no_case_data(response, url)
    may_update = {
        "registering partner": {"Census actie aanmelder"},
        "involved partner": {"Census actie betrokkene"},
        "assigned regisseur": set(actions),
    }.get(like, set())
    for title, action in actions.items():
        url = reverse("casework:action_update", args=[case.public_id, action.public_id])
        response = client.post(url, {"status": "bezig", "progress": "Census"})
        action.refresh_from_db()
        if title in may_update:
            assert response.status_code == 302 and action.status == "bezig", role
        else:
            assert action.status == "open", f"{role} updated {title!r}"
            assert response.status_code in refused | {400}
            assert_no_case_data(response, "action_update")
