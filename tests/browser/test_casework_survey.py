"""Closure and the closing-satisfaction survey in a real browser: a regisseur closes a
case with the evaluation form, the aanmelder answers the survey from the e-mailed link
without signing in, the manager sees the follow-up task. Every page passes axe."""

import re

from django.core import mail
from django.utils import timezone

import pytest

from casework.models import Case, CaseEvaluation, FollowUpTask, PartnerOrganisation
from portal.models import Municipality
from tests.casework.factories import partner_user, staff_user, survey_invitation

from .conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_regisseur_closes_a_case_and_the_aanmelder_answers_the_survey(browser, demo_server):
    organisation = PartnerOrganisation.objects.get(name="Gemeente Helmond – sociaal domein")
    partner = partner_user(organisation)
    regisseur = staff_user("Procesregisseur")
    manager = staff_user("Manager")
    case = Case.objects.create(
        kind="com",
        status="monitoring",
        organisation=organisation,
        registered_by=partner,
        procesregisseur=regisseur,
        municipality=Municipality.objects.get(name="Helmond"),
        urgency="normaal",
        person_name="Testpersoon",
        problem="x",
        safety_risk="y",
        question="z",
        reference="ZVH-2026-99998",
        triage_outcome="procesregie",
        direction_started_at=timezone.now(),
    )
    mail.outbox.clear()

    context, page = new_page(browser)
    sign_in(page, demo_server, regisseur, next_path=f"/partners/casus/{case.public_id}/")
    assert page.get_by_role("heading", name="Casus afsluiten").is_visible()
    assert_accessible(page, "casus-afsluitformulier")
    # Without a closure reason: a 400 that keeps the answers and explains in Dutch. (The
    # browser's own check of required fields is switched off to reach the server's.)
    page.evaluate("document.querySelector('form[action$=\"/afsluiten/\"]').noValidate = true")
    assert page.get_by_label("Afgesloten", exact=True).is_checked()
    # On the case page each form has its own ids (the closure form's start "afsluiten-").
    page.locator("#afsluiten-content_goal_0").check()
    page.locator("#afsluiten-process_goal_1_0").check()
    page.locator("#afsluiten-process_goal_2_1").check()
    page.locator("#afsluiten-process_goal_3_1").check()
    page.get_by_label("Er is extra expertise ingezet").check()
    page.get_by_role("button", name="Casus afsluiten").click()
    page.wait_for_selector("text=Niet opgeslagen")
    # Every problem in the focused error summary, and the title says there is an error.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Fout:")
    assert page.locator("#id_process_goal_2_1").is_checked()
    assert_accessible(page, "casus-afsluiten-fout")
    page.get_by_label("Afgesloten", exact=True).check()
    page.get_by_label("Reden van afsluiten").select_option("doel-bereikt")
    page.get_by_role("button", name="Opnieuw proberen").click()
    page.wait_for_selector("text=De casus is afgesloten")
    assert CaseEvaluation.objects.get(case=case).process_goal_2 == "deels"
    assert page.get_by_role("heading", name="Evaluatie bij afsluiten").is_visible()
    assert_accessible(page, "casus-afgesloten")
    context.close()

    (message,) = [m for m in mail.outbox if partner.email in m.to]
    path = re.search(r"https?://[^/\s]+(/enquete/[A-Za-z0-9_-]+/)", message.body).group(1)
    context, page = new_page(browser)
    page.goto(demo_server.url + path)
    assert case.reference in page.locator("main").inner_text()
    assert_accessible(page, "enquete")
    page.locator("#id_overall_0").check()
    page.locator("#id_process_1").check()
    page.locator("#id_grade_2").check()
    page.get_by_label("Nee", exact=True).check()  # "optioneel" holds "nee" too
    page.get_by_label("Wat kan beter?").fill("Eerder terugkoppelen")
    page.get_by_label("Het ZVH mag contact met mij opnemen over mijn antwoorden.").check()
    page.get_by_role("button", name="Antwoorden versturen").click()
    page.wait_for_url("**/enquete/bedankt/")
    assert_accessible(page, "enquete-bedankt")
    page.goto(demo_server.url + path)
    assert "al ingevuld" in page.locator("main").inner_text()
    assert case.reference not in page.locator("main").inner_text()
    assert_accessible(page, "enquete-niet-beschikbaar")
    context.close()
    assert FollowUpTask.objects.filter(case=case).exists()

    context, page = new_page(browser)
    sign_in(page, demo_server, manager, next_path="/partners/opvolging/")
    assert "Eerder terugkoppelen" in page.locator("main").inner_text()
    assert_accessible(page, "opvolging")
    context.close()

    # A survey still waiting for the partner shows on "mijn aanmeldingen".
    other = Case.objects.create(
        kind="advies",
        status="afgesloten",
        organisation=organisation,
        registered_by=partner,
        municipality=case.municipality,
        urgency="normaal",
        reference="ZVH-2026-99997",
    )
    survey_invitation(other, partner)
    context, page = new_page(browser)
    sign_in(page, demo_server, partner)
    assert page.get_by_role("heading", name="Enquêtes die op u wachten").is_visible()
    assert_accessible(page, "mijn-aanmeldingen-enquete")
    page.get_by_role("link", name="Enquête over casus ZVH-2026-99997").click()
    assert_accessible(page, "enquete-ingelogd")
    screenshot(page, "casework-enquete-ingelogd")
    context.close()
