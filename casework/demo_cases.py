"""Synthetic demo cases for the embedded demo (``PORTAL_ENV=demo`` only).

Called by ``manage.py ensure_demo_accounts`` (never by ``portal.demo.load``, which the
test suite calls in many tests). Every case is made through the real services, as the
screens make them: the intake (draft → submit), status changes, closure with an
evaluation, case meetings, plans, secure messages, advice and survey answers; so the
timeline, the report dimensions and the audit log are what the portal itself writes.

- One case for every status each case kind can reach (``reachable_paths``), reached
  through the allowed transitions; registered alternately by the two demo partners.
- A few messages both ways, one attachment (a small synthetic PDF), closed cases with
  their evaluation, answered surveys (one strongly negative: a follow-up task for the
  manager) and one survey still open for the first partner.
- Afterwards each case's dates are spread over the past weeks (``_spread_in_time``), so
  the lists and the overdue page look like a working portal. The audit log keeps the
  real times: it records when the seeding happened.

Idempotent: an audit entry ``demo.seed`` marks that it ran; a second run does nothing.
All people, texts and dates are invented.
"""

from collections import deque
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from portal.models import Municipality

from . import attachments, audit, services, workflow
from .demo_accounts import BY_KEY, DemoAccountsError
from .models import (
    Achievement,
    AdviceRequest,
    Attachment,
    AuditEntry,
    AveLevel,
    CarePlan,
    Case,
    CaseEvaluation,
    CaseKind,
    CaseMeeting,
    ClosureReason,
    JeugdClosureResult,
    JeugdEntry,
    PartnerOrganisation,
    Relatiebeheer,
    SurveyInvitation,
    TimelineEntry,
    TriageOutcome,
    Urgency,
)

SEED_ACTION = "demo.seed"

# Municipalities the demo cases are about (created by ``manage.py load_demo``).
MUNICIPALITIES = ["Helmond", "Deurne", "Eindhoven", "Gemert-Bakel", "Geldrop-Mierlo"]

FIRST_NAMES = ["Kees", "Anouk", "Bram", "Yara", "Dirk", "Mila", "Sem", "Noa", "Luuk", "Fenna"]
LAST_NAMES = ["Voorbeeld", "Fictief", "Verzonnen", "Demo", "Proefpersoon"]

TEXTS: dict[str, dict[str, str]] = {
    CaseKind.COM: {
        "problem": "Meervoudige problematiek: schulden, dreigende huisuitzetting en verslaving; "
        "veel hulpverleners betrokken zonder gezamenlijk plan.",
        "safety_risk": "Dreigende uitspraken naar buren; escalatie bij huisuitzetting.",
        "tried": "Schuldhulpverlening en ambulante verslavingszorg, beide gestopt.",
        "question": "Graag procesregie om tot één integraal plan te komen.",
    },
    CaseKind.PGA_OG: {
        "problem": "Onbegrepen gedrag in de wijk: meerdere meldingen van verward gedrag.",
        "safety_risk": "Gevaar voor zichzelf en omwonenden bij nachtelijke incidenten.",
        "tried": "Bemoeizorg heeft contact gezocht; zorg wordt geweigerd.",
        "question": "Kan het ZVH de partners bijeenbrengen rond zorg en veiligheid?",
    },
    CaseKind.MDA: {
        "problem": "Langdurig huiselijk geweld in een gezin met twee jonge kinderen.",
        "safety_risk": "Herhaald geweld ondanks tijdelijk huisverbod.",
        "tried": "Veilig Thuis en jeugdhulp betrokken; patroon doorbreekt niet.",
        "question": "Graag een systeemgerichte aanpak (MDA++).",
    },
    CaseKind.PGA_R: {
        "problem": "Signaal van mogelijke radicalisering: contacten met een extremistische groep online.",
        "safety_risk": "Onduidelijk; uitspraken over geweld in berichten.",
        "tried": "",
        "question": "Graag bespreking aan de weegtafel.",
    },
    CaseKind.PGA_JEUGD: {
        "problem": "Jongere betrokken bij woninginbraken en drugshandel in de wijk.",
        "safety_risk": "Betrokkenheid bij geweld in een jeugdgroep.",
        "tried": "Jeugdreclassering en gesprekken op school.",
        "question": "Graag een persoonsgerichte aanpak met de partners.",
    },
    CaseKind.ADVIES: {
        "problem": "Vraag over informatiedeling met de woningcorporatie.",
        "safety_risk": "Geen acuut risico.",
        "tried": "",
        "question": "Welke gegevens mogen wij delen binnen het convenant?",
    },
}

# The statuses after which the partner asks something and the regisseur answers.
MESSAGE_STATUSES = {"in_triage", "weegtafel", "in_behandeling", "monitoring"}

# The synthetic attachment goes on the first case that reaches this status.
ATTACHMENT_STATUS = "in_procesregie"


def reachable_paths(kind: str) -> dict[str, list[str]]:
    """For every status ``kind`` can reach: the shortest path of statuses to it (the
    initial status excluded), found breadth first in the order ``workflow`` lists them."""
    start = workflow.INITIAL_STATUS[kind]
    paths: dict[str, list[str]] = {start: []}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        for target in workflow.TRANSITIONS[kind].get(status, []):
            if target not in paths:
                paths[target] = [*paths[status], target]
                queue.append(target)
    return paths


def every_demo_pair() -> list[tuple[str, str]]:
    """Every (kind, status) pair a demo case is made for."""
    return [(kind, status) for kind in CaseKind for status in reachable_paths(kind)]


def already_seeded() -> bool:
    return AuditEntry.objects.filter(action=SEED_ACTION).exists()


def _users():
    User = get_user_model()
    found = {}
    for key in ("partner-1", "partner-2", "procesregisseur"):
        user = User.objects.filter(email__iexact=BY_KEY[key].email).first()
        if user is None:
            raise DemoAccountsError("The demo accounts are missing: create them first.")
        found[key] = user
    return found


def _municipalities() -> list[Municipality]:
    found = list(Municipality.objects.filter(name__in=MUNICIPALITIES).order_by("name"))
    if not found:
        raise DemoAccountsError("No municipalities: run `manage.py load_demo` first.")
    return found


def _hold_municipalities(regisseur, municipalities) -> None:
    """The demo procesregisseur holds the demo municipalities (relatiemanagement), so new
    cases reach her; a municipality someone already gave to another regisseur stays his."""
    for municipality in municipalities:
        if not Relatiebeheer.objects.filter(municipality=municipality).exists():
            Relatiebeheer.objects.create(regisseur=regisseur, municipality=municipality)


def _cleaned(kind: str, path: list[str], number: int, municipality, shares) -> dict:
    texts = TEXTS[kind]
    youth = kind == CaseKind.PGA_JEUGD
    if youth:
        birth = date(2008 + number % 3, 1 + number % 12, 1 + number % 28)
    else:
        birth = date(1965 + number % 35, 1 + number % 12, 1 + number % 28)
    jeugd_entry = ""
    if youth:
        jeugd_entry = JeugdEntry.REST if "driehoeksbesluit" in path else JeugdEntry.BLUELIST
    return {
        "person_name": f"{FIRST_NAMES[number % len(FIRST_NAMES)]} "
        f"{LAST_NAMES[number % len(LAST_NAMES)]}",
        "person_birth_date": birth,
        "other_persons": "Partner en twee kinderen (fictief)" if kind == CaseKind.MDA else "",
        "municipality": municipality,
        "problem": texts["problem"],
        "safety_risk": texts["safety_risk"],
        "ave_level": AveLevel.AVE3 if kind in (CaseKind.COM, CaseKind.MDA) else "",
        "jeugd_entry": jeugd_entry,
        "tried": texts["tried"],
        "partners": shares,
        "question": texts["question"],
        "urgency": [Urgency.NORMAL, Urgency.HIGH, Urgency.URGENT][number % 3],
    }


def _evaluation(case: Case, to_status: str) -> dict:
    in_regie = services.case_was_in_procesregie(case)
    if to_status == "overgedragen":
        reason = ClosureReason.HANDED_OVER
    elif in_regie:
        reason = ClosureReason.GOAL_REACHED
    elif case.triage_outcome == TriageOutcome.NIET_OPGEPAKT:
        reason = ClosureReason.NOT_TAKEN_UP
    elif case.triage_outcome == TriageOutcome.ADVIES:
        reason = ClosureReason.ADVICE_GIVEN
    else:
        reason = ClosureReason.OTHER
    result = ""
    if case.kind == CaseKind.PGA_JEUGD:
        result = JeugdClosureResult.POSITIVE if in_regie else JeugdClosureResult.NEVER
    kinds = PartnerOrganisation.objects.filter(
        pk__in=[case.organisation_id, *case.shares.values_list("organisation_id", flat=True)]
    ).values_list("kind_id", flat=True)
    goals = {}
    if in_regie:
        goals = {
            "content_goal": Achievement.FULLY,
            "process_goal_1": Achievement.FULLY,
            "process_goal_2": Achievement.PARTLY,
            "process_goal_3": Achievement.FULLY,
        }
    return {
        **goals,
        "extra_expertise": in_regie,
        "escalated": False,
        "policy_signal": case.kind == CaseKind.PGA_OG,
        "partners_involved": list(kinds),
        "closure_reason": reason,
        "jeugd_result": result,
    }


def _pdf() -> bytes:
    """A one-page PDF with one line of text; we make it, nobody uploads it."""
    text = b"Voorbeeldbijlage: gespreksverslag (synthetische demogegevens)"
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _add_attachment(case: Case, user, stored: list[str]) -> Attachment:
    """The same storage and audit entry as ``services.attachment_add``, without its
    upload checks: those guard against what outsiders send (size, type by content,
    clamd's virus scan, image metadata), and this file is generated right here. The
    demo runs without clamd, so the scan could not be asked anyway."""
    data = _pdf()
    storage_name, digest = attachments.store(data)
    stored.append(storage_name)
    attachment = Attachment.objects.create(
        case=case,
        original_name="gespreksverslag-voorbeeld.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=digest,
        storage_name=storage_name,
        uploaded_by=user,
    )
    audit.record(action="attachment.upload", user=user, obj=case, object_type="attachment")
    return attachment


def _step(case: Case, to_status: str, regisseur) -> Case:
    if to_status in workflow.CLOSED_STATUSES:
        return services.case_close(
            case=case,
            actor=regisseur,
            evaluation=_evaluation(case, to_status),
            to_status=to_status,
            note="Afgesloten na evaluatie met de partners.",
        )
    case = services.case_transition(
        case=case,
        to_status=to_status,
        actor=regisseur,
        note=f"Status bijgewerkt: {workflow.status_label(to_status).lower()}.",
    )
    if to_status == "in_procesregie":
        services.case_add_meeting(
            case=case,
            actor=regisseur,
            meeting_date=timezone.localdate(),
            participants="Aanmelder, procesregisseur, wijkagent, GGZ (fictief)",
            agreements="Gezamenlijk beeld gemaakt; de procesregisseur stelt een plan van aanpak op.",
        )
    elif to_status == "plan_van_aanpak":
        services.case_add_plan(
            case=case,
            actor=regisseur,
            body="1. Eén contactpersoon voor de betrokkene.\n2. Schulden in beeld.\n"
            "3. Evaluatie over zes weken.",
        )
    elif to_status == "advies_gegeven" and case.kind == CaseKind.ADVIES:
        services.advice_answer(
            advice_request=AdviceRequest.objects.get(case=case),
            actor=regisseur,
            advice="Deel alleen wat nodig is voor het doel, op grond van het privacyprotocol.",
        )
    return case


def _messages(case: Case, partner, regisseur) -> None:
    services.message_send(
        case=case,
        author=partner,
        body="Is er al bekend wanneer het casusoverleg plaatsvindt?",
    )
    services.message_send(
        case=case,
        author=regisseur,
        to_organisation=case.organisation,
        body="Dank voor uw vraag. Ik nodig u deze week uit voor het overleg.",
    )


def _spread_in_time(case: Case, age_days: int) -> None:
    """Place the case's history in the past: registered ``age_days`` ago, each timeline
    entry a few days after the previous one, and the dates the reports count moved with
    it. The audit log is not touched (it is append-only and records the seeding)."""
    now = timezone.now()
    # Stay in the year of the reference (ZVH-<year>-...).
    start_of_year = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    start = min(now, max(now - timedelta(days=age_days), start_of_year + timedelta(hours=9)))
    entries = list(case.timeline.order_by("pk"))
    gap = min(timedelta(days=4), (now - start) / (len(entries) + 1))
    moments = {}
    for index, entry in enumerate(entries):
        moment = start + gap * index
        moments[entry.pk] = moment
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=moment)
        if entry.kind == TimelineEntry.Kind.MEETING:
            TimelineEntry.objects.filter(pk=entry.pk).update(meeting_date=moment.date())
    statuses = [entry for entry in entries if entry.kind == TimelineEntry.Kind.STATUS]

    def first_reaching(targets) -> object:
        entry = next((entry for entry in statuses if entry.to_status in targets), None)
        return moments[entry.pk] if entry else None

    last = moments[statuses[-1].pk]
    changes: dict[str, object] = {"submitted_at": start, "status_changed_at": last}
    if case.closed_at:
        changes["closed_at"] = last
        CaseEvaluation.objects.filter(case=case).update(evaluated_at=last)
    if case.triaged_at:
        changes["triaged_at"] = first_reaching(workflow.TRIAGE_OUTCOME_BY_STATUS)
    if case.direction_started_at:
        changes["direction_started_at"] = first_reaching({"in_procesregie"})
    Case.objects.filter(pk=case.pk).update(**changes)
    case.attachments.update(uploaded_at=start + gap)
    advice = AdviceRequest.objects.filter(case=case)
    advice.update(asked_at=start)
    if advice.filter(advised_at__isnull=False).exists():
        advice.update(advised_at=first_reaching({"advies_gegeven"}) or last)


def _answer_surveys(cases: list[Case], partner_1) -> None:
    """Answer every survey of the demo cases but one of the first partner's; the answer
    on the first handed-over case is strongly negative, with consent to be contacted."""
    invitations = list(
        SurveyInvitation.objects.filter(case__in=cases, used_at__isnull=True)
        .select_related("case", "user")
        .order_by("pk")
    )
    left_open = next((row for row in invitations if row.user_id == partner_1.pk), None)
    negative_done = False
    for number, invitation in enumerate(invitations):
        if invitation is left_open or invitation.user is None:
            continue
        negative = not negative_done and invitation.case.status == "overgedragen"
        negative_done = negative_done or negative
        answers = {
            "overall": 2 if negative else 4 + number % 2,
            "process": 2 if negative else 4,
            "grade": 4 if negative else 7 + number % 3,
            "would_involve_again": not negative,
            "went_well": "" if negative else "Snel een casusoverleg met alle partners.",
            "could_improve": "De overdracht ging te snel; wij misten een warme overdracht."
            if negative
            else "",
            "contact_consent": negative,
        }
        services.survey_submit(invitation=invitation, answers=answers, user=invitation.user)


def _log_advice(regisseur, partner_2, municipality) -> None:
    """Two questions phoned in, one of them answered: the advice page has both kinds."""
    organisation = partner_2.casework_membership.organisation
    services.advice_log(
        actor=regisseur,
        channel=AdviceRequest.Channel.PHONE,
        question="Mag de wijkagent aansluiten bij een casusoverleg over een minderjarige?",
        advice="Ja, als de ouders zijn geïnformeerd en het doel van het overleg dat vraagt.",
        organisation=organisation,
        municipality=municipality,
    )
    services.advice_log(
        actor=regisseur,
        channel=AdviceRequest.Channel.EMAIL,
        question="Wanneer is een casus geschikt voor het AVE-model?",
        organisation=organisation,
        municipality=municipality,
    )


def _procesregie_case(partners, municipality, number: int) -> Case:
    """A COM case in procesregie recorded the structured way: a casusoverleg held three
    weeks ago with minutes, an adopted plan van aanpak with an action for each partner
    organisation (the involved one overdue), and the next meeting planned."""
    aanmelder, involved = partners
    other = involved.casework_membership.organisation
    draft = services.draft_start(user=aanmelder, kind=CaseKind.COM)
    path = ["in_triage", "in_procesregie", "plan_van_aanpak", "monitoring"]
    case = services.case_submit(
        draft=draft,
        cleaned=_cleaned(CaseKind.COM, path, number, municipality, [other]),
        user=aanmelder,
    )
    regisseur = case.procesregisseur
    if regisseur is None:
        raise DemoAccountsError(f"No procesregisseur holds {municipality}.")
    for to_status in path:
        case = services.case_transition(case=case, to_status=to_status, actor=regisseur)
    _spread_in_time(case, 35)
    organisations = [case.organisation, other]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    held_at = now - timedelta(days=21)
    meeting = services.meeting_plan(
        case=case,
        actor=regisseur,
        starts_at=held_at.replace(hour=9),
        ends_at=held_at.replace(hour=10, minute=30),
        organisations=organisations,
        location="Zorg- en Veiligheidshuis, Helmond, vergaderzaal 2",
        agenda="1. Gezamenlijk beeld\n2. Scenario's\n3. Wie doet wat",
    )
    services.meeting_record_minutes(
        meeting=meeting,
        actor=regisseur,
        minutes="De partners delen hun informatie; het beeld is gezamenlijk vastgesteld (fictief).",
        decisions="Woningcorporatie en wijkteam starten samen een vrijwillig traject; "
        "de politie houdt toezicht.",
        attended=list(meeting.invitees.values_list("pk", flat=True)),
    )
    plan = services.plan_draft_start(case=case, actor=regisseur)
    services.plan_draft_update(
        plan=plan,
        actor=regisseur,
        texts={
            "summary": "Dreigende huisuitzetting, oplopende spanning met de buren (fictief).",
            "risks": "Escalatie bij een ontruiming.",
            "protective_factors": "Een zus die contact houdt; werk in deeltijd.",
            "content_goal": "Stabiel wonen zonder nieuwe incidenten binnen zes maanden.",
            "scenarios": "Vrijwillig traject met schuldhulp; lukt dat niet, dan drang via de "
            "woningcorporatie en het OM (ZSM-advies).",
            "case_direction": "Casusregisseur: het wijkteam.",
            "communication": "Het wijkteam informeert de betrokkene; partners melden "
            "incidenten binnen een werkdag aan de procesregisseur.",
        },
    )
    today = timezone.localdate()
    for organisation, title, due in [
        (organisations[0], "Schuldhulpverlening aanvragen", today + timedelta(days=5)),
        (organisations[1], "Huisbezoek met de wijkagent", today - timedelta(days=3)),
        (None, "Evaluatie plannen met alle partners", today + timedelta(days=30)),
    ]:
        services.plan_action_add(
            plan=plan, actor=regisseur, title=title, organisation=organisation, due_date=due
        )
    services.plan_adopt(plan=plan, actor=regisseur, meeting=meeting)
    # Recorded and adopted on the day of the meeting, as it would have been.
    CaseMeeting.objects.filter(pk=meeting.pk).update(minutes_recorded_at=meeting.ends_at)
    CarePlan.objects.filter(pk=plan.pk).update(adopted_at=meeting.ends_at)
    first = next(a for a in plan.actions.all() if a.organisation_id == organisations[0].pk)
    services.plan_action_update(
        action=first, actor=aanmelder, status="bezig", progress="Aanvraag ligt klaar."
    )
    upcoming = now + timedelta(days=9)
    services.meeting_plan(
        case=case,
        actor=regisseur,
        starts_at=upcoming.replace(hour=14),
        ends_at=upcoming.replace(hour=15),
        organisations=organisations,
        online_url="https://vergaderen.example/zvh-casusoverleg",
        agenda="Voortgang van de acties; evaluatie.",
    )
    return case


def load_cases() -> int:
    """Create the demo cases once; returns how many were created (0 on a later run)."""
    if not settings.DEMO:
        raise DemoAccountsError("Demo cases exist only in demo mode (PORTAL_ENV=demo).")
    if already_seeded():
        return 0
    stored: list[str] = []
    try:
        # The seeding runs the real services, and they notify people: about 140 mails
        # that would bury the demo outbox before a newcomer has sent anything. Nobody
        # is waiting for them (every account is ours), so they go nowhere.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            count = _load_cases(stored)
    except BaseException:
        for name in stored:
            attachments.remove(name)
        raise
    return count


def _load_cases(stored: list[str]) -> int:
    users = _users()
    partners = [users["partner-1"], users["partner-2"]]
    regisseur = users["procesregisseur"]
    municipalities = _municipalities()
    _hold_municipalities(regisseur, municipalities)
    organisations = [partner.casework_membership.organisation for partner in partners]
    attachment_done = False
    made = []
    for number, (kind, status) in enumerate(every_demo_pair()):
        path = reachable_paths(kind)[status]
        partner = partners[number % 2]
        other = organisations[(number + 1) % 2]
        municipality = municipalities[number % len(municipalities)]
        draft = services.draft_start(user=partner, kind=kind)
        case = services.case_submit(
            draft=draft,
            cleaned=_cleaned(kind, path, number, municipality, [other] if number % 3 == 0 else []),
            user=partner,
        )
        if case.procesregisseur_id is None:
            raise DemoAccountsError(f"No procesregisseur holds {municipality}.")
        actor = case.procesregisseur
        for to_status in path:
            case = _step(case, to_status, actor)
            if to_status in MESSAGE_STATUSES and to_status == status:
                _messages(case, partner, actor)
            if to_status == ATTACHMENT_STATUS and not attachment_done:
                _add_attachment(case, partner, stored)
                attachment_done = True
        made.append((case, 3 + (number * 7) % 75))
    _procesregie_case(partners, municipalities[0], len(made))
    _answer_surveys([case for case, _age in made], partners[0])
    _log_advice(regisseur, partners[1], municipalities[0])
    for case, age_days in made:
        _spread_in_time(case, age_days)
    audit.record(
        action=SEED_ACTION,
        object_type="case",
        object_id=str(len(made)),
        purpose="synthetic demo cases",
    )
    return len(made)
