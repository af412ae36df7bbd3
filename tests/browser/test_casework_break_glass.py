"""Break-the-glass in a real browser: a procesregisseur opens a case that is not
theirs, states a reason category and a reason, and reads the case without any form to
change it; the privacy officer gets a mail. Both pages pass axe, under the strict CSP."""

from django.core import mail

import pytest

from casework.models import BreakGlass
from casework.roles import PRIVACY_OFFICER, PROCESREGISSEUR
from tests.casework.factories import CaseFactory, OrganisationFactory, staff_user

from .conftest import axe_violations, describe, enter_totp_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "een-lang-wachtwoord-123"


def test_a_regisseur_breaks_the_glass_and_reads_the_case_without_changing_it(page, live_server):
    assigned = staff_user(PROCESREGISSEUR)
    colleague = staff_user(PROCESREGISSEUR)
    officer = staff_user(PRIVACY_OFFICER)
    case = CaseFactory(organisation=OrganisationFactory(), procesregisseur=assigned)

    page.goto(f"{live_server.url}/accounts/login/?next=/partners/casus/{case.public_id}/")
    page.fill("input[name=login]", colleague.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    enter_totp_code(page, colleague)
    page.wait_for_url(f"**/partners/casus/{case.public_id}/inzage/")

    assert "inzien, maar niet wijzigen" in page.locator("main").inner_text()
    violations = axe_violations(page)
    screenshot(page, "casework-break-glass-form")
    assert violations == [], describe(violations)

    page.get_by_label("Acuut gevaar voor een persoon").check()
    page.get_by_label("Waarom hebt u toegang tot deze casus nodig?").fill(
        "Melding van acuut gevaar, de regisseur is niet bereikbaar"
    )
    page.get_by_role("button", name="Casus openen").click()
    page.wait_for_url(f"**/partners/casus/{case.public_id}/")

    main = page.locator("main")
    assert "via noodtoegang" in main.inner_text()
    assert "Testpersoon Jansen" in main.inner_text()
    assert main.locator("form").count() == 0
    violations = axe_violations(page)
    screenshot(page, "casework-break-glass-read-only")
    assert violations == [], describe(violations)

    assert BreakGlass.objects.get(user=colleague, case=case).category == "acute_danger"
    assert [message.to for message in mail.outbox] == [[officer.email]]
