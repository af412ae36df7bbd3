"""The GCOS import page in a real browser: functioneel beheer signs in with TOTP, checks
the sample export, confirms the import; every stage passes axe."""

from pathlib import Path

import pytest

from casework.models import Case, CaseSource
from casework.roles import FUNCTIONEEL_BEHEER
from portal.demo import load_reference_data
from tests.casework.factories import staff_user

from .conftest import axe_violations, describe, enter_totp_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gcos-voorbeeld.csv"


def assert_accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, f"casework-{name}")
    assert violations == [], f"{name}: {describe(violations)}"


def test_functioneel_beheer_imports_the_sample_export(page, live_server, settings, tmp_path):
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path
    load_reference_data()
    user = staff_user(FUNCTIONEEL_BEHEER)
    page.goto(f"{live_server.url}/accounts/login/?next=/partners/importeren/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "een-lang-wachtwoord-123")
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    enter_totp_code(page, user)
    page.wait_for_url("**/partners/importeren/")
    assert_accessible(page, "import")

    bad = tmp_path / "fout.csv"
    bad.write_text(EXAMPLE.read_text().replace(",Bladel,", ",Atlantis,"))
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_selector("text=onbekende gemeente ‘Atlantis’")
    assert page.get_by_role("button", name="Importeren").count() == 0
    assert_accessible(page, "import-fouten")

    page.set_input_files("input[name=file]", str(EXAMPLE))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_selector("text=Het bestand klopt. Nu importeren?")
    assert_accessible(page, "import-controle")
    assert not Case.objects.exists()

    page.get_by_role("button", name="Importeren").click()
    page.wait_for_selector("text=Import klaar: 9 casussen aangemaakt, 0 bijgewerkt.")
    assert Case.objects.filter(source=CaseSource.GCOS).count() == 9
