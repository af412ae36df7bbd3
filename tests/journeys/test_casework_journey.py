"""Casework, end to end, on the embedded demo (SQLite, in-process tasks, mail outbox).

The journey, as the people involved live it:

1. The functioneel beheerder signs in (password + authenticator code) and invites a new
   partner user for a partner organisation. The invitation arrives in the outbox; the
   new partner opens its link, chooses a password, signs in, sets up the authenticator
   app (the secret shown on allauth's activation page) and lands in the partner area.
2. The partner files an aanmelding of every kind (COM, Advies, PGA-R, PGA Jeugd,
   PGA OG, MDA++), the COM one with a PDF attachment, and follows the link in the
   confirmation mail to the COM case to send the regisseurs a secure message.
3. The procesregisseur follows the link in the "new message" mail, signs in, takes the
   COM case through triage into procesregie and closes it with an evaluation.
4. The partner opens the satisfaction survey from the mail and answers it; the link
   works only once.
5. The manager opens the Jaarrapportage in the Wagtail admin and downloads the XLSX
   (after confirming the password); its figures are the ones `casework_report` prints.
6. The privacy officer looks the COM case up in the audit log and verifies the audit
   chain from the same page (and `manage.py verify_audit_chain` agrees).

Every mail link followed must point at the demo's own, non-default port. Only start
URLs are typed (the site's home page; the manager's admin address); everything else
is a click or a link from a mail. Each test depends on the ones before it and is
skipped when they did not get that far. Screenshots: test-artifacts/journeys/<test>/;
the accessibility findings of every page: test-artifacts/journeys/casework-axe.json.
"""

import json
import re
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings

from tests.mfa import totp_code

from . import conftest as harness
from .conftest import ARTIFACTS, axe_violations, describe, step

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("journeys")]

# Unique per run, so the journey also runs again on the same demo.
NEW_PARTNER_EMAIL = f"nieuwe.partner.{int(time.time())}@journey.example.org"
NEW_PARTNER_PASSWORD = "Journey-wachtwoord-2026!"  # noqa: S105 - a synthetic test account
CASE_PAGE = re.compile(r"/partners/casus/[0-9a-f-]{36}/$")
REFERENCE = re.compile(r"ZVH-\d{4}-\d{5}")

# (kind as labelled on the start page, short name, extra fields of the situation step)
KINDS = [
    ("Casus op maat (COM)", "com", {"ave": "AVE-3"}),
    ("Adviesvraag", "advies", {}),
    ("PGA Radicalisering – signaal", "pga-r", {"signal": True}),
    ("PGA Jeugd (HIC)", "pga-jeugd", {"entry": "Bluelist (risicoscreening)"}),
    ("PGA Onbegrepen gedrag", "pga-og", {}),
    ("MDA++", "mda", {"ave": "AVE-4"}),
]
# Pages whose accessibility this journey asserts; findings elsewhere (allauth's pages,
# the Wagtail admin) are reported in the axe file and printed, not asserted.
OWNED_PATHS = ("/partners/", "/enquete/")


# --- Shared state and people --------------------------------------------------------


class Journey:
    """What one step hands to the next (the tests run in file order on one server)."""

    def __init__(self):
        self.partner_secret: str | None = None
        self.partner_organisation: str | None = None
        self.municipality: str | None = None
        self.references: dict[str, str] = {}
        self.com_case_url: str | None = None
        self.message_link: str | None = None
        self.closed = False
        self.survey_answered = False
        self.axe: list[dict] = []
        self.last_code: dict[str, str] = {}

    def need(self, *names: str) -> None:
        for name in names:
            if not getattr(self, name):
                pytest.skip(f"an earlier step of the journey did not provide {name}")


@pytest.fixture(scope="module")
def journey():
    state = Journey()
    yield state
    # Every page's findings, owned or not, for the report.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "casework-axe.json").write_text(json.dumps(state.axe, indent=2))
    foreign = [entry for entry in state.axe if not entry["owned"] and entry["violations"]]
    for entry in foreign:
        print(
            f"axe (reported, not asserted) {entry['name']} {entry['path']}: {entry['violations']}"
        )


_people: list = []


@pytest.fixture(autouse=True)
def _close_people(request):
    """Other people's browsers: a screenshot when the test failed, then closed."""
    yield
    failed = request.node.nodeid in harness._failures
    while _people:
        page = _people.pop()
        try:
            if failed and not page.is_closed():
                step(page, "failure")
        finally:
            page.context.close()


def person(journey_browser, journey_page):
    """Another person's own browser; its screenshots number on with the test's."""
    context = journey_browser.new_context(
        locale="nl-NL", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(20_000)
    if id(journey_page.context) in harness._steps:
        harness._steps[id(context)] = harness._steps[id(journey_page.context)]
    page = context.new_page()
    _people.append(page)
    return page


def check(page, journey: Journey, name: str, *, axe: bool = True) -> None:
    """A numbered screenshot, and axe-core over the page (asserted at the test's end)."""
    step(page, name)
    if not axe:
        return
    violations = axe_violations(page)
    path = urlsplit(page.url).path
    journey.axe.append(
        {
            "name": name,
            "path": re.sub(
                r"[0-9a-f-]{36}|(?<=/enquete/)[^/]+|(?<=/uitnodiging/)[^/]+", "<id>", path
            ),
            "owned": path.startswith(OWNED_PATHS),
            "violations": json.loads(describe(violations)),
        }
    )


def assert_no_owned_axe_violations(journey: Journey, names_from: int) -> None:
    failing = [
        entry for entry in journey.axe[names_from:] if entry["owned"] and entry["violations"]
    ]
    assert failing == [], f"WCAG 2.1 AA violations: {json.dumps(failing, indent=2)}"


def code_for(journey: Journey, secret: str) -> str:
    """The authenticator's current code, never one already used (allauth refuses a
    code twice), so a person signing in twice within 30 s waits for the next one."""
    code = totp_code(secret)
    while journey.last_code.get(secret) == code:
        period = mfa_settings.TOTP_PERIOD
        time.sleep(period - time.time() % period + 0.2)
        code = totp_code(secret)
    journey.last_code[secret] = code
    return code


def assert_on_demo(demo, link: str) -> None:
    """A link in a mail must lead to this demo, on its own (non-default) port."""
    assert urlsplit(demo.url).port != 8000, "the journey must run on a non-default port"
    assert link.startswith(demo.url + "/"), f"{link} does not point at {demo.url}"


def submit(page, field_selector: str) -> None:
    """Press the submit button of the form holding this field (not the header's search)."""
    page.locator(f"form:has({field_selector}) button[type=submit]").first.click()


def sign_in(page, journey: Journey, email: str, password: str, secret: str) -> None:
    """allauth's two steps: password, then the authenticator code."""
    page.wait_for_selector("input[name=password]")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page, "input[name=password]")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", code_for(journey, secret))
    submit(page, "input[name=code]")
    page.wait_for_load_state()


def sign_in_from_home(page, demo, journey: Journey, account: dict) -> None:
    """From the site's home page through *Voor partners* into the secure environment."""
    page.goto(demo.url + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Voor partners"
    ).click()
    page.get_by_role("link", name="Naar de beveiligde omgeving voor partners").click()
    sign_in(page, journey, account["email"], account["password"], account["totp_secret"])
    page.wait_for_url("**/partners/")


def regisseur_municipality(demo, regisseur_email: str) -> str:
    """A municipality whose new cases go to this procesregisseur (relatiebeheer), so that
    the partner's cases land on their desk without break-the-glass."""
    code = (
        "from portal.models import Municipality\n"
        "from casework.services import regisseur_default_for\n"
        "for m in Municipality.objects.order_by('name'):\n"
        "    r = regisseur_default_for(municipality=m)\n"
        f"    if r and r.email.lower() == {regisseur_email.lower()!r}:\n"
        "        print('MUNICIPALITY=' + m.name)\n"
        "        break\n"
    )
    output = demo.manage("shell", "-c", code)
    found = re.search(r"^MUNICIPALITY=(.+)$", output, re.MULTILINE)
    assert found, f"the demo gives {regisseur_email} no municipality (relatiebeheer)"
    return found.group(1).strip()


def small_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Verslag huisbezoek (synthetisch testdocument)")
    return bytes(pdf.output())


# --- 1. Invitation ---------------------------------------------------------------------


def test_1_a_new_partner_is_invited_sets_a_password_and_an_authenticator(
    embedded_demo, journey_browser, journey_page, journey
):
    demo, start = embedded_demo, len(journey.axe)
    beheerder = demo.account("functioneel")
    partner = demo.account("partner")
    journey.partner_organisation = partner["organisation"]

    # The functioneel beheerder invites the new colleague of a partner organisation.
    page = journey_page
    sign_in_from_home(page, demo, journey, beheerder)
    check(page, journey, "beheerder-casussen")
    page.get_by_role("link", name="Gebruiker uitnodigen").click()
    check(page, journey, "uitnodigen")
    page.get_by_label(re.compile(r"^E-mailadres")).fill(NEW_PARTNER_EMAIL)
    page.get_by_label(re.compile(r"^Partnerorganisatie")).select_option(
        label=journey.partner_organisation
    )
    page.get_by_role("button", name="Uitnodiging versturen").click()
    page.get_by_text("De uitnodiging is verstuurd.").wait_for()
    check(page, journey, "uitnodiging-verstuurd")

    # The invitation mail: one link, to this demo, that works once.
    mail = demo.wait_for_mail(NEW_PARTNER_EMAIL, subject_contains="Uitnodiging")
    links = demo.links(mail)
    assert len(links) == 1, links
    assert_on_demo(demo, links[0])

    # The new partner, in their own browser, follows it and chooses a password.
    newcomer = person(journey_browser, journey_page)
    newcomer.goto(links[0])
    assert NEW_PARTNER_EMAIL in newcomer.get_by_role("main").inner_text()
    check(newcomer, journey, "account-aanmaken")
    newcomer.get_by_label(re.compile(r"^Wachtwoord:?$")).fill(NEW_PARTNER_PASSWORD)
    newcomer.get_by_label(re.compile(r"^Wachtwoord nogmaals")).fill(NEW_PARTNER_PASSWORD)
    newcomer.get_by_role("button", name="Account aanmaken").click()

    # Signing in with the password alone leads to the authenticator set-up, nothing else.
    newcomer.wait_for_selector("input[name=password]")
    check(newcomer, journey, "inloggen-na-uitnodiging")
    newcomer.fill("input[name=login]", NEW_PARTNER_EMAIL)
    newcomer.fill("input[name=password]", NEW_PARTNER_PASSWORD)
    submit(newcomer, "input[name=password]")
    # allauth asks for the password once more before an authenticator may be added
    # (only an explicit re-authentication counts, see docs/security-casework.md).
    newcomer.wait_for_selector("#authenticator_secret, input[name=password]")
    if newcomer.locator("input[name=password]").count():
        check(newcomer, journey, "wachtwoord-bevestigen")
        newcomer.fill("input[name=password]", NEW_PARTNER_PASSWORD)
        submit(newcomer, "input[name=password]")
    newcomer.wait_for_selector("#authenticator_secret")
    check(newcomer, journey, "authenticator-instellen")
    secret = newcomer.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    newcomer.fill("input[name=code]", code_for(journey, secret))
    submit(newcomer, "input[name=code]")
    newcomer.wait_for_load_state()
    check(newcomer, journey, "authenticator-actief")
    journey.partner_secret = secret

    # Into the partner area, as a person would: signed in, the account pages wear the
    # secure area's header, whose name links to the secure environment.
    if not urlsplit(newcomer.url).path.startswith("/partners/"):
        newcomer.get_by_role("banner").get_by_role(
            "link", name=re.compile("Beveiligde omgeving")
        ).click()
    newcomer.wait_for_url("**/partners/")
    assert newcomer.get_by_role("heading", level=1).inner_text() == "Mijn aanmeldingen"
    assert journey.partner_organisation in newcomer.get_by_role("main").inner_text()
    check(newcomer, journey, "mijn-aanmeldingen-leeg")

    # The invitation link was for one use only.
    newcomer.context.clear_cookies()
    response = newcomer.goto(links[0])
    assert response.status == 404
    check(newcomer, journey, "uitnodiging-al-gebruikt")
    assert_no_owned_axe_violations(journey, start)


# --- 2. Six aanmeldingen and a message ---------------------------------------------------


def file_aanmelding(page, journey, kind_label, short, extra, *, municipality, attachment=None):
    """The four intake steps; returns the new case's reference (from the case page).
    axe runs on every page of the COM intake, and for the other kinds on the steps whose
    fields differ by kind (the same templates otherwise)."""
    every = short == "com"
    page.get_by_role("link", name="Casus aanmelden").click()
    page.get_by_label(kind_label, exact=True).check()
    check(page, journey, f"{short}-soort", axe=every)
    page.get_by_role("button", name="Beginnen").click()

    page.get_by_label(re.compile(r"^Naam van de betrokkene")).fill(f"Testpersoon {short.upper()}")
    page.get_by_label(re.compile(r"^Geboortedatum")).fill("12-03-1985")
    page.get_by_label(re.compile(r"^Gemeente")).select_option(label=municipality)
    check(page, journey, f"{short}-stap-1")
    page.get_by_role("button", name="Volgende stap").click()

    problem = "Wat is het signaal?" if extra.get("signal") else "Wat is het probleem?"
    page.get_by_label(re.compile("^" + re.escape(problem))).fill(
        "Synthetisch: aanhoudende zorgen in de buurt"
    )
    page.get_by_label(re.compile(r"^Wat is het veiligheidsrisico\?")).fill(
        "Synthetisch: buren voelen zich bedreigd"
    )
    if "ave" in extra:
        page.get_by_label(re.compile(r"^AVE-niveau")).select_option(label=extra["ave"])
    if "entry" in extra:
        page.get_by_label(re.compile(r"^Instroom")).select_option(label=extra["entry"])
    page.get_by_label(re.compile(r"^Wat is er al geprobeerd\?")).fill("Wijkteam en huisarts")
    check(page, journey, f"{short}-stap-2")
    page.get_by_role("button", name="Volgende stap").click()

    page.get_by_label(re.compile(r"^Uw vraag aan het ZVH")).fill("Graag een casusoverleg")
    if attachment is not None:
        page.get_by_label(re.compile(r"^Bijlage \(optioneel\)")).set_input_files(attachment)
    check(page, journey, f"{short}-stap-3", axe=every)
    page.get_by_role("button", name="Volgende stap").click()

    page.wait_for_url("**/controle/")
    assert f"Testpersoon {short.upper()}" in page.get_by_role("main").inner_text()
    page.get_by_label("Ik heb de gegevens gecontroleerd en ze kloppen.").check()
    check(page, journey, f"{short}-controle")
    page.get_by_role("button", name="Aanmelding versturen").click()

    page.wait_for_url(CASE_PAGE)
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = REFERENCE.search(heading).group(0)
    assert reference in page.get_by_role("main").inner_text()
    check(page, journey, f"{short}-casus", axe=every)
    return reference


def test_2_the_partner_files_every_kind_of_aanmelding_and_sends_a_message(
    embedded_demo, journey_page, journey, tmp_path
):
    journey.need("partner_secret")
    demo, start = embedded_demo, len(journey.axe)
    regisseur = demo.account("procesregisseur")
    journey.municipality = regisseur_municipality(demo, regisseur["email"])
    pdf = tmp_path / "verslag-huisbezoek.pdf"
    pdf.write_bytes(small_pdf())

    page = journey_page
    sign_in_from_home(
        page,
        demo,
        journey,
        {
            "email": NEW_PARTNER_EMAIL,
            "password": NEW_PARTNER_PASSWORD,
            "totp_secret": journey.partner_secret,
        },
    )
    for kind_label, short, extra in KINDS:
        reference = file_aanmelding(
            page,
            journey,
            kind_label,
            short,
            extra,
            municipality=journey.municipality,
            attachment=pdf if short == "com" else None,
        )
        journey.references[short] = reference
        if short == "com":
            # Scanned by the demo's clamd, stored, and listed on the case.
            assert page.get_by_role("link", name="verslag-huisbezoek.pdf").is_visible()
        # The breadcrumb's link (the header's logo link names the secure area too).
        page.get_by_role("link", name="Beveiligde omgeving", exact=True).click()

    check(page, journey, "mijn-aanmeldingen-zes")
    listed = page.get_by_role("main").inner_text()
    for reference in journey.references.values():
        assert reference in listed

    # Each aanmelding is confirmed by mail, with the reference and a link to the case.
    for short, reference in journey.references.items():
        mail = demo.wait_for_mail(NEW_PARTNER_EMAIL, subject_contains=reference)
        (link,) = demo.links(mail)
        assert_on_demo(demo, link)
        if short == "com":
            journey.com_case_url = link

    # The partner follows the COM confirmation and writes to the regisseurs.
    news = "Nieuw bericht"
    before = len([m for m in demo.mails(regisseur["email"]) if news in str(m["Subject"])])
    page.goto(journey.com_case_url)
    assert journey.references["com"] in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label(re.compile(r"^Bericht")).fill(
        "Synthetisch: de situatie is verslechterd, graag snel overleg."
    )
    page.get_by_role("button", name="Versturen", exact=True).click()
    page.get_by_text("Uw bericht is verstuurd.").wait_for()
    check(page, journey, "com-bericht-verstuurd")

    # The regisseur hears that there is news, with a link to the case and nothing else.
    mail = demo.wait_for_mail(regisseur["email"], subject_contains=news, min_count=before + 1)
    assert demo.links(mail) == [journey.com_case_url]
    assert "verslechterd" not in mail.get_body(preferencelist=("plain",)).get_content()
    journey.message_link = journey.com_case_url
    assert_no_owned_axe_violations(journey, start)


# --- 3. Triage, procesregie, closure ---------------------------------------------------------


def test_3_the_procesregisseur_takes_the_case_into_procesregie_and_closes_it(
    embedded_demo, journey_page, journey
):
    journey.need("message_link")
    demo, start = embedded_demo, len(journey.axe)
    regisseur = demo.account("procesregisseur")
    reference = journey.references["com"]

    # The "new message" mail leads to the case; signing in is asked on the way.
    link = journey.message_link
    page = journey_page
    page.goto(link)
    sign_in(page, journey, regisseur["email"], regisseur["password"], regisseur["totp_secret"])
    page.wait_for_url(link)
    assert reference in page.get_by_role("heading", level=1).inner_text()
    assert "de situatie is verslechterd" in page.get_by_role("main").inner_text()
    check(page, journey, "regisseur-casus")

    page.get_by_label("In triage", exact=True).check()
    page.get_by_role("button", name="Status wijzigen").click()
    page.get_by_text("De status is gewijzigd.").wait_for()
    check(page, journey, "regisseur-in-triage")
    page.get_by_label("In procesregie", exact=True).check()
    page.get_by_label(re.compile(r"^Toelichting \(optioneel\)")).first.fill(
        "Casusoverleg volgende week"
    )
    page.get_by_role("button", name="Status wijzigen").click()
    page.get_by_text("De status is gewijzigd.").wait_for()
    check(page, journey, "regisseur-in-procesregie")

    # The closure form: the evaluation of the goals, the reason, then closed.
    closure = page.locator("form:has(select[name=closure_reason])")
    closure.get_by_label("Afgesloten", exact=True).check()
    for goal in ("Inhoudelijk doel", "Procesdoel 1", "Procesdoel 2", "Procesdoel 3"):
        closure.get_by_role("group", name=re.compile("^" + re.escape(goal))).get_by_label(
            "Volledig bereikt"
        ).check()
    closure.get_by_label(re.compile(r"^Reden van afsluiten")).select_option(label="Doel bereikt")
    check(page, journey, "regisseur-afsluitformulier")
    closure.get_by_role("button", name="Casus afsluiten").click()
    page.get_by_text("De casus is afgesloten en de tevredenheidsenquête is verstuurd.").wait_for()
    check(page, journey, "regisseur-afgesloten")
    journey.closed = True
    assert_no_owned_axe_violations(journey, start)


# --- 4. The satisfaction survey --------------------------------------------------------------


def test_4_the_partner_answers_the_satisfaction_survey_from_the_mail(
    embedded_demo, journey_page, journey
):
    journey.need("closed")
    demo, start = embedded_demo, len(journey.axe)
    reference = journey.references["com"]
    mail = demo.wait_for_mail(
        NEW_PARTNER_EMAIL, subject_contains=f"Hoe tevreden bent u? Casus {reference}"
    )
    (link,) = demo.links(mail)
    assert_on_demo(demo, link)

    # No sign-in: the link is the key. The page names the case reference only.
    page = journey_page
    page.goto(link)
    assert reference in page.get_by_role("main").inner_text()
    check(page, journey, "enquete")
    answers = [
        ("Hoe tevreden bent u in het algemeen", "4"),
        ("Hoe tevreden bent u over de procesregie", "5"),
        ("Welk rapportcijfer", "8"),
        ("Zou u het ZVH", "Ja"),
    ]
    for question, answer in answers:
        page.get_by_role("group", name=re.compile("^" + re.escape(question))).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_label(re.compile(r"^Wat ging goed\?")).fill("Snel en duidelijk overleg.")
    check(page, journey, "enquete-ingevuld")
    page.get_by_role("button", name="Antwoorden versturen").click()
    page.get_by_role("heading", name="Bedankt").wait_for()
    check(page, journey, "enquete-bedankt")
    journey.survey_answered = True

    # Once only: the same link now says the survey is no longer open.
    response = page.goto(link)
    assert response.status == 410
    assert reference not in page.get_by_role("main").inner_text()
    check(page, journey, "enquete-al-beantwoord")
    assert_no_owned_axe_violations(journey, start)


# --- 5. The annual report ----------------------------------------------------------------------


def xlsx_registrations(workbook) -> dict[str, object]:
    """The table "Aanmeldingen per soort en uitkomst van de triage": label -> count."""
    sheet = workbook["Aanmeldingen"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(
        i
        for i, row in enumerate(rows)
        if row and row[0] == "Aanmeldingen per soort en uitkomst van de triage"
    )
    table = {}
    for row in rows[start + 2 :]:
        if not row or row[0] in (None, ""):
            break
        table[row[0]] = row[1]
    return table


def test_5_the_manager_downloads_the_annual_report_as_xlsx(embedded_demo, journey_page, journey):
    journey.need("references")
    from openpyxl import load_workbook

    demo, start = embedded_demo, len(journey.axe)
    manager = demo.account("manager")
    page = journey_page
    # The manager's bookmark: the admin. Signing in is asked on the way.
    page.goto(demo.url + "/admin/")
    sign_in(page, journey, manager["email"], manager["password"], manager["totp_secret"])
    page.wait_for_url("**/admin/")
    check(page, journey, "beheer-dashboard")
    page.get_by_role("link", name="Jaarrapportage").first.click()
    page.get_by_role("heading", name="Jaarrapportage", level=1).wait_for()
    check(page, journey, "jaarrapportage")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporteren als XLSX").click()
        # allauth asks for the password again (even right after signing in).
        page.wait_for_selector("input[name=password], input[name=code]")
        check(page, journey, "jaarrapportage-opnieuw-bevestigen")
        if page.locator("input[name=password]").count():
            page.fill("input[name=password]", manager["password"])
            submit(page, "input[name=password]")
        else:
            page.fill("input[name=code]", code_for(journey, manager["totp_secret"]))
            submit(page, "input[name=code]")
    download = download_info.value
    assert re.fullmatch(
        r"jaarrapportage-\d{4}-01-01-\d{4}-12-31\.xlsx", download.suggested_filename
    )
    content = Path(download.path()).read_bytes()
    workbook = load_workbook(BytesIO(content), read_only=True)
    assert "Aanmeldingen" in workbook.sheetnames
    year = download.suggested_filename.split("-")[1]

    # The same figures as the command line prints, including our six new aanmeldingen.
    report = json.loads(demo.manage("casework_report", "--year", year))
    registrations = xlsx_registrations(workbook)
    assert registrations["Totaal"] == report["registrations"]["total"]
    assert report["registrations"]["total"] >= len(KINDS)
    labels = {
        "com": "Casus op maat (COM)",
        "advies": "Adviesvraag",
        "pga-r": "PGA Radicalisering – signaal",
        "pga-jeugd": "PGA Jeugd (HIC)",
        "pga-og": "PGA Onbegrepen gedrag",
        "mda": "MDA++",
    }
    for kind, label in labels.items():
        assert registrations[label] == report["registrations"]["by_kind"][kind] >= 1, kind
    assert report["closed"]["by_kind"]["com"] >= 1
    assert_no_owned_axe_violations(journey, start)


# --- 6. The audit trail -------------------------------------------------------------------------


def test_6_the_privacy_officer_checks_the_audit_trail_and_the_chain_holds(
    embedded_demo, journey_page, journey
):
    journey.need("references")
    demo, start = embedded_demo, len(journey.axe)
    officer = demo.account("privacy")
    reference = journey.references["com"]

    page = journey_page
    sign_in_from_home(page, demo, journey, officer)
    page.get_by_role("link", name="Auditlog").click()
    check(page, journey, "auditlog")
    page.get_by_label(re.compile(r"^Kenmerk van de casus")).fill(reference)
    page.get_by_role("main").get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**reference=*")
    check(page, journey, "auditlog-casus")
    table = page.get_by_role("table").last.inner_text()
    expected = {"case.create", "case.read", "message.send", "case.transition", "case.close"}
    if journey.survey_answered:
        expected.add("survey.answer")
    missing = {action for action in expected if action not in table}
    assert not missing, f"audit entries missing for {reference}: {missing}"

    page.get_by_role("button", name="Auditketen controleren").click()
    check(page, journey, "auditketen-gecontroleerd")
    assert "De auditketen is intact" in page.get_by_role("status").inner_text()
    # The operator's command agrees with the page.
    output = demo.manage("verify_audit_chain")
    assert "audit chain intact" in output, output
    assert_no_owned_axe_violations(journey, start)
