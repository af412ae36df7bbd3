"""Procesregie as a shared workspace (issue 18), end to end on the embedded demo
(SQLite, in-process jobs, the .eml outbox), by the procesregisseur and two partners.

1. The procesregisseur opens a demo case in procesregie that both partner
   organisations are involved in (or takes one into procesregie) and plans a casusoverleg inviting both; each partner
   gets a content-free invitation with an .ics (no reference, place or agenda).
2. The meeting (started a moment ago) gets its minutes and attendance; the plan van
   aanpak is drawn up with one action per partner and adopted in that meeting. The
   police's action was due yesterday.
3. Partner 1 follows the invitation's link, signs in and marks its action done.
4. The periodic reminder job runs (the Celery task the demo's scheduler ticks every
   hour): partner 2 gets one content-free "over de datum" mail for this case, partner 1
   none; its link shows partner 2 its own, overdue action.
5. The procesregisseur closes the case: the closure form shows the adopted plan's goal
   and actions and suggests the process goals from them.

Only the choice of the demo case is made with ``manage.py shell`` (which case fits);
everything else is a click, a typed field or a link from a mail. Screenshots:
test-artifacts/journeys/<test name>/.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import step

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("journeys")]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PLACE = "Zorg- en Veiligheidshuis, vergaderzaal 3"
AGENDA = "Gezamenlijk beeld; scenario's; wie doet wat"
CONTENT_GOAL = "Stabiel wonen zonder incidenten (journey)"
ACTION_1 = "Schuldhulp aanvragen (journey)"
ACTION_2 = "Huisbezoek met de wijkagent (journey)"
OVERDUE = "over de datum"
# The Celery task the demo's in-process scheduler ticks every hour ("casework-action-
# reminders" in CELERY_BEAT_SCHEDULE); eager in the demo, so it sends right away.
REMINDER_JOB = (
    "from casework.tasks import send_action_reminders\n"
    "print('REMINDERS=%s' % send_action_reminders.delay().get())"
)


def sign_in(page, demo, account: dict) -> None:
    """allauth's two steps on the page the portal sent us to: password, then the code."""
    page.wait_for_selector("input[name=password]")
    page.fill("input[name=login]", account["email"])
    page.fill("input[name=password]", account["password"])
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", demo.totp(account["email"]))
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_load_state()


def case_for_procesregie(demo, regisseur: dict, partners: list[dict]) -> tuple[str, str]:
    """A demo case of this regisseur involving both partners' organisations, with no
    meeting or plan yet: (reference, status). One in procesregie if there is one left,
    else a new or triaged one that the regisseur takes into procesregie (so the journey
    also runs again on the same demo).

    The same call runs the reminder job once, as its previous hourly run would have:
    the seeded cases' overdue actions are reminded now, so that every "over de datum"
    mail after this one is about the journey's own action."""
    code = (
        f"{REMINDER_JOB}\n"
        "from casework.models import Case, PartnerOrganisation\n"
        f"names = {[p['organisation'] for p in partners]!r}\n"
        "wanted = set(PartnerOrganisation.objects.filter(name__in=names).values_list('pk', flat=True))\n"
        "for status in ('in_procesregie', 'in_triage', 'aangemeld'):\n"
        "    cases = Case.objects.filter(status=status, meetings__isnull=True, plans__isnull=True,\n"
        f"        procesregisseur__email__iexact={regisseur['email']!r}).order_by('reference')\n"
        "    found = [c for c in cases if wanted <= {c.organisation_id,\n"
        "             *c.shares.values_list('organisation_id', flat=True)}]\n"
        "    if found:\n"
        "        print(f'CASE={found[0].reference} {status}')\n"
        "        break\n"
    )
    found = re.search(
        r"^CASE=(\S+) (\S+)$", demo.manage("shell", "--no-imports", "-c", code), re.MULTILINE
    )
    assert found, "the demo has no open case shared by both partner organisations"
    return found.group(1), found.group(2)


def change_status(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Status wijzigen").click()
    page.get_by_text("De status is gewijzigd.").wait_for()


def mails_about(demo, to: str, subject: str, case_url: str) -> list:
    """Mails to this person with this subject whose link leads to this case."""
    return [
        message
        for message in demo.mails(to)
        if subject in str(message["Subject"]) and case_url in demo.links(message)
    ]


def wait_for_mail_about(demo, to: str, subject: str, case_url: str):
    demo.wait_for_mail(to, subject_contains=subject)
    found = mails_about(demo, to, subject, case_url)
    assert len(found) == 1, f"{len(found)} mails to {to} about {case_url}"
    return found[0]


def overdue_mails(demo, to: str) -> list:
    return [m for m in demo.mails(to) if OVERDUE in str(m["Subject"])]


def assert_content_free(message, *secrets: str) -> None:
    bodies = [message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    texts = [str(message["Subject"])] + [body.get_content() for body in bodies if body]
    texts += [part.get_content() for part in message.iter_attachments()]
    for text in texts:
        text = text if isinstance(text, str) else text.decode()
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {message['Subject']!r}"


def test_a_regisseur_and_two_partners_run_a_case_from_meeting_to_closure(
    embedded_demo, journey_page_factory
):
    demo = embedded_demo
    regisseur = demo.account("procesregisseur")
    partners = [a for a in demo.accounts if a["key"] in ("partner-1", "partner-2")]
    partner_1, partner_2 = sorted(partners, key=lambda account: account["key"])
    reference, status = case_for_procesregie(demo, regisseur, [partner_1, partner_2])
    # Counted before the journey's actions exist: the scheduler's own hourly run may
    # remind partner 2 before our explicit run below does (each action is claimed once),
    # and a count taken after adoption would then miss that mail (seen in CI).
    before = {p["key"]: len(overdue_mails(demo, p["email"])) for p in (partner_1, partner_2)}

    # --- 1. The procesregisseur plans the casusoverleg and invites both partners. ----
    page = journey_page_factory()
    page.goto(demo.url + "/partners/")
    sign_in(page, demo, regisseur)
    page.get_by_role("link", name=reference, exact=True).click()
    assert reference in page.get_by_role("heading", level=1).inner_text()
    case_url = page.url.split("#")[0]
    if status == "aangemeld":
        change_status(page, "In triage")
    if status != "in_procesregie":
        change_status(page, "In procesregie")

    # The meeting began two minutes ago (at most 23:00, so it ends the same day): its
    # minutes can be recorded right away instead of after a wait.
    now = datetime.now(AMSTERDAM).replace(second=0, microsecond=0) - timedelta(minutes=2)
    start = min(now, now.replace(hour=23, minute=0))
    planning = page.locator("form[action$='/overleg/nieuw/']")
    page.get_by_text("Casusoverleg plannen", exact=True).click()
    planning.get_by_label("Datum").fill(start.strftime("%Y-%m-%d"))
    planning.get_by_label("Begintijd").fill(start.strftime("%H:%M"))
    planning.get_by_label("Eindtijd").fill((start + timedelta(minutes=45)).strftime("%H:%M"))
    planning.get_by_label("Plaats").fill(PLACE)
    planning.get_by_label("Agenda").fill(AGENDA)
    for partner in (partner_1, partner_2):
        planning.get_by_label(partner["organisation"], exact=True).check()
    step(page, "regisseur-plant-overleg")
    planning.get_by_role("button", name="Plannen en uitnodigen").click()
    page.get_by_text("Het casusoverleg is gepland en de uitnodigingen zijn verstuurd.").wait_for()

    invitations = {}
    for partner in (partner_1, partner_2):
        mail = wait_for_mail_about(demo, partner["email"], "Uitnodiging: casusoverleg", case_url)
        (ics,) = [a for a in mail.iter_attachments() if a.get_filename() == "casusoverleg.ics"]
        assert ics.get_content_type() == "text/calendar"
        assert "BEGIN:VEVENT" in ics.get_content()
        assert_content_free(mail, reference, PLACE, AGENDA)
        invitations[partner["key"]] = mail

    # --- 2. Minutes, attendance, the plan with one action per partner, adopted. -------
    page.reload()
    meeting = page.locator("#overleggen ~ ol > li").filter(has_text=PLACE)
    meeting.get_by_text("Verslag vastleggen", exact=True).click()
    minutes = meeting.locator("form[action*='/verslag/']")
    minutes.get_by_label("Verslag", exact=True).fill("Gezamenlijk beeld besproken (fictief).")
    minutes.get_by_label("Besluiten").fill("Gemeente regelt schuldhulp; politie gaat langs.")
    for partner in (partner_1, partner_2):
        present = minutes.get_by_label(re.compile(re.escape(partner["email"])))
        present.check()
    minutes.get_by_role("button", name="Verslag opslaan").click()
    page.get_by_text("Het verslag is opgeslagen.").wait_for()

    page.get_by_role("button", name="Plan van aanpak opstellen").click()
    draft = page.locator("form[action$='/plan/concept/']")
    draft.get_by_label("Gemeenschappelijk beeld").fill("Dreigende huisuitzetting (fictief).")
    draft.get_by_label("Inhoudelijk doel").fill(CONTENT_GOAL)
    draft.get_by_label("Scenario’s").fill("Vrijwillig traject; anders drang.")
    draft.get_by_label("Casusregie").fill("Casusregisseur: het wijkteam.")
    draft.get_by_label("Communicatieafspraken").fill("Het wijkteam informeert de betrokkene.")
    draft.get_by_role("button", name="Concept opslaan").click()
    page.get_by_text("Het concept van het plan van aanpak is opgeslagen.").wait_for()

    today = datetime.now(AMSTERDAM).date()
    for partner, title, due in [
        (partner_1, ACTION_1, today + timedelta(days=14)),
        (partner_2, ACTION_2, today - timedelta(days=1)),
    ]:
        page.get_by_text("Actie toevoegen", exact=True).click()
        adding = page.locator("form[action$='/plan/actie/']")
        adding.get_by_label("Actie", exact=True).fill(title)
        adding.get_by_label("Eigenaar").select_option(label=partner["organisation"])
        adding.get_by_label("Uiterste datum").fill(due.strftime("%Y-%m-%d"))
        adding.get_by_role("button", name="Toevoegen").click()
        page.get_by_text("De actie is aan het concept toegevoegd.").wait_for()
    step(page, "regisseur-concept-met-acties")

    page.get_by_text("Deze versie vaststellen", exact=True).click()
    adopt = page.locator("form[action$='/plan/vaststellen/']")
    adopt.get_by_label("Vastgesteld in het casusoverleg van").select_option(
        label=start.strftime("%d-%m-%Y %H:%M")
    )
    adopt.get_by_role("button", name="Vaststellen").click()
    page.get_by_text("Het plan van aanpak is vastgesteld.").wait_for()
    plan = page.locator("section[aria-labelledby=plan]")
    assert CONTENT_GOAL in plan.inner_text()
    assert plan.locator("tr", has_text=ACTION_2).get_by_text(OVERDUE).is_visible()
    step(page, "regisseur-plan-vastgesteld")

    # --- 3. Partner 1 follows its invitation and marks its action done. ---------------
    gemeente = journey_page_factory()
    gemeente.goto(demo.link(invitations["partner-1"], "/partners/casus/"))
    sign_in(gemeente, demo, partner_1)
    gemeente.wait_for_url(case_url)
    row = gemeente.locator("tr", has_text=ACTION_1)
    row.get_by_text("Bijwerken", exact=True).click()
    row.get_by_label("Status").select_option(label="Afgerond")
    row.get_by_label("Voortgang").fill("Aanvraag is ingediend.")
    row.get_by_role("button", name="Opslaan").click()
    gemeente.get_by_text("De actie is bijgewerkt.").wait_for()
    assert "Afgerond" in gemeente.locator("tr", has_text=ACTION_1).inner_text()
    step(gemeente, "partner-1-actie-afgerond")

    # --- 4. The hourly reminder job: partner 2 is told, content-free, partner 1 not. --
    # Content-free mails cannot say which case they are about: count the new ones
    # since the journey began (`before`).
    demo.manage("shell", "--no-imports", "-c", REMINDER_JOB)
    demo.wait_for_mail(partner_2["email"], OVERDUE, min_count=before["partner-2"] + 1)
    new = overdue_mails(demo, partner_2["email"])[before["partner-2"] :]
    assert len(new) == 1, [str(m["Subject"]) for m in new]
    assert len(overdue_mails(demo, partner_1["email"])) == before["partner-1"]
    reminder = new[0]
    assert_content_free(reminder, reference, ACTION_2, CONTENT_GOAL)

    # Its one link: partner 2's own meetings and actions, where this one is overdue.
    politie = journey_page_factory()
    politie.goto(demo.link(reminder, "/partners/"))
    sign_in(politie, demo, partner_2)
    own = politie.locator("tr", has_text=ACTION_2).filter(has_text=reference)
    assert OVERDUE in own.inner_text()
    step(politie, "partner-2-herinnering-geopend")
    own.get_by_role("link", name=reference).click()
    politie.wait_for_url(re.compile(re.escape(case_url)))
    assert OVERDUE in politie.locator("tr", has_text=ACTION_2).inner_text()
    step(politie, "partner-2-eigen-actie")

    # --- 5. The procesregisseur closes the case; the evaluation starts from the plan. --
    page.reload()
    agreed = page.locator(".casework-closure-plan").first
    agreed_text = agreed.inner_text()
    for text in (CONTENT_GOAL, ACTION_1, ACTION_2, "1 van de 2"):
        assert text in agreed_text, f"{text!r} not in the closure summary"
    closure = page.locator("form:has(select[name=closure_reason])")
    for goal in ("Procesdoel 1", "Procesdoel 2"):
        group = closure.get_by_role("group", name=re.compile("^" + goal))
        assert group.get_by_label("Volledig bereikt").is_checked(), goal
    assert (
        closure.get_by_role("group", name=re.compile("^Procesdoel 3"))
        .get_by_label("Deels bereikt")
        .is_checked()
    )
    closure.get_by_label("Afgesloten", exact=True).check()
    closure.get_by_role("group", name=re.compile("^Inhoudelijk doel")).get_by_label(
        "Deels bereikt"
    ).check()
    closure.get_by_label(re.compile(r"^Reden van afsluiten")).select_option(label="Doel bereikt")
    step(page, "regisseur-afsluitformulier")
    closure.get_by_role("button", name="Casus afsluiten").click()
    page.get_by_text("De casus is afgesloten").first.wait_for()
    step(page, "regisseur-afgesloten")
