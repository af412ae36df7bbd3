"""Casework in a real browser: a partner files a COM aanmelding, a regisseur triages it
into procesregie; both sign in through allauth with a TOTP code. Every page passes axe."""

from django.contrib.auth import get_user_model

import pytest

from casework import services
from casework.models import Case, PartnerOrganisation, Relatiebeheer
from portal.models import Municipality
from tests.casework.clamd import clamd_socket, scanner  # noqa: F401 - fixtures
from tests.casework.factories import partner_user, staff_user

from .conftest import (
    assert_accessible,
    sign_in,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(demo_server):
    organisation = PartnerOrganisation.objects.get(name="Gemeente Helmond – sociaal domein")
    partner = partner_user(organisation)
    regisseur = staff_user("Procesregisseur")
    Relatiebeheer.objects.create(
        regisseur=regisseur, municipality=Municipality.objects.get(name="Helmond")
    )
    return partner, regisseur


@pytest.mark.usefixtures("scanner")
def test_a_partner_files_a_com_aanmelding_and_a_regisseur_takes_it_into_procesregie(
    browser, demo_server, people
):
    partner, regisseur = people
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, demo_server, partner)
    assert_accessible(page, "mijn-aanmeldingen-leeg")

    page.get_by_role("link", name="Casus aanmelden").click()
    assert_accessible(page, "aanmelden-soort")
    page.get_by_label("Casus op maat (COM)").check()
    page.get_by_role("button", name="Beginnen").click()

    page.get_by_label("Naam van de betrokkene").fill("Testpersoon Van Dijk")
    page.get_by_label("Geboortedatum").fill("12-03-1985")
    page.get_by_label("Gemeente").select_option(label="Helmond")
    assert_accessible(page, "aanmelden-stap-1")
    page.get_by_role("button", name="Volgende stap").click()

    # A missing answer keeps what was typed and explains in Dutch.
    page.get_by_label("Wat is het probleem?").fill(
        "Aanhoudende overlast en dreigingen (synthetisch)"
    )
    page.get_by_role("button", name="Volgende stap").click()
    assert page.get_by_role("alert").is_visible()
    assert (
        page.get_by_label("Wat is het probleem?").input_value().startswith("Aanhoudende overlast")
    )
    assert_accessible(page, "aanmelden-stap-2-fout")
    page.get_by_label("Wat is het veiligheidsrisico?").fill("Buren voelen zich bedreigd")
    page.get_by_label("AVE-niveau").select_option("ave-3")
    page.get_by_label("Wat is er al geprobeerd?").fill("Wijkteam en woningcorporatie")
    page.get_by_role("button", name="Volgende stap").click()

    page.get_by_label("Uw vraag aan het ZVH").fill("Graag procesregie en een casusoverleg")
    page.get_by_label("Hoog: binnen een week").check()
    page.get_by_label("Bijlage (optioneel)").set_input_files(
        files=[{"name": "verslag.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    assert_accessible(page, "aanmelden-stap-3")
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_url("**/controle/")

    assert page.get_by_text("Testpersoon Van Dijk").is_visible()
    page.get_by_label("Ik heb de gegevens gecontroleerd en ze kloppen.").check()
    assert_accessible(page, "aanmelden-controle")
    page.get_by_role("button", name="Aanmelding versturen").click()

    case = Case.objects.get()
    page.wait_for_url(f"**/partners/casus/{case.public_id}/")
    assert case.reference in page.get_by_role("heading", level=1).inner_text()
    assert case.procesregisseur == regisseur
    assert case.attachments.get().original_name == "verslag.pdf"
    assert page.get_by_role("link", name="verslag.pdf").is_visible()
    assert_accessible(page, "casus-partner")
    context.close()

    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, demo_server, regisseur)
    assert_accessible(page, "casussen-regisseur")
    page.get_by_role("link", name=case.reference).click()
    assert_accessible(page, "casus-regisseur")
    page.get_by_label("In triage").check()
    page.get_by_role("button", name="Status wijzigen").click()
    page.get_by_label("In procesregie").check()
    page.get_by_label("Toelichting (optioneel)").fill("Casusoverleg volgende week")
    page.get_by_role("button", name="Status wijzigen").click()
    page.wait_for_selector("text=De status is gewijzigd.")
    case.refresh_from_db()
    assert case.status == "in_procesregie"
    assert_accessible(page, "casus-in-procesregie")
    context.close()


def test_every_staff_casework_page_passes_axe(browser, demo_server, people):
    partner, regisseur = people
    case = Case.objects.create(
        kind="com",
        status="aangemeld",
        organisation=partner.casework_membership.organisation,
        municipality=Municipality.objects.get(name="Helmond"),
        urgency="normaal",
        person_name="Testpersoon",
        problem="x",
        safety_risk="y",
        question="z",
        reference="ZVH-2026-99999",
    )
    officer = staff_user("Privacy officer")
    other = staff_user("Procesregisseur")
    other.groups.add(*officer.groups.all())
    ondersteuner = staff_user("Procesondersteuner")
    services.advice_log(actor=ondersteuner, channel="telefoon", question="Synthetische vraag")
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, demo_server, other)
    for path, name in [
        ("/partners/te-laat/", "te-laat"),
        ("/partners/advies/", "advies"),
        ("/partners/audit/", "audit"),
        ("/partners/bewaartermijn/", "bewaartermijn"),
        (f"/partners/casus/{case.public_id}/inzage/", "inzage"),
    ]:
        page.goto(demo_server.url + path)
        assert_accessible(page, name)
    context.close()
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, demo_server, ondersteuner)
    page.goto(demo_server.url + "/partners/uitnodigen/")
    assert_accessible(page, "uitnodigen")
    _invitation, token = services.invitation_create(
        email="nieuw@example.org",
        organisation=partner.casework_membership.organisation,
        group_names=[],
        invited_by=ondersteuner,
    )
    context.close()
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{demo_server.url}/partners/uitnodiging/{token}/")
    assert_accessible(page, "uitnodiging")
    # The browser really posts the form (its Origin header must pass the CSRF check).
    page.locator("input[name=password1]").fill("een-lang-uitnodigingswachtwoord-42")
    page.locator("input[name=password2]").fill("een-lang-uitnodigingswachtwoord-42")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert get_user_model().objects.filter(email="nieuw@example.org").exists(), page.content()[:500]
    page.goto(demo_server.url + "/voor-partners/")
    page.get_by_role("link", name="Naar de beveiligde omgeving voor partners").click()
    page.wait_for_url("**/accounts/login/**")
    context.close()
