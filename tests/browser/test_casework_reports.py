"""The Jaarrapportage in a real browser: the manager signs in (password + TOTP) and sees
the tables and bar charts, without any Content Security Policy violation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from casework.models import CaseKind, TriageOutcome
from casework.roles import MANAGER
from tests.casework.factories import (
    CaseFactory,
    EvaluationFactory,
    MunicipalityFactory,
    PartnerKindFactory,
    PrognosisFactory,
    staff_user,
)

from .conftest import AXE_JS, WCAG_21_AA, describe, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMS = ZoneInfo("Europe/Amsterdam")


def test_the_manager_reads_the_annual_report_with_charts(page, live_server):
    politie = PartnerKindFactory(code="politie", name="Politie")
    for number, (name, kind) in enumerate(
        [("Helmond", CaseKind.COM), ("Deurne", CaseKind.COM), ("Asten", CaseKind.PGA_JEUGD)] * 3
    ):
        case = CaseFactory(
            kind=kind,
            municipality=MunicipalityFactory(name=name),
            organisation=None,
            registering_kind=politie,
            submitted_at=datetime(2019, 1 + number, 3, 10, tzinfo=AMS),
            triage_outcome=TriageOutcome.PROCESREGIE,
            direction_started_at=datetime(2019, 1 + number, 10, tzinfo=AMS),
            closed_at=datetime(2019, 12, 1, tzinfo=AMS) if number % 2 else None,
        )
        if number % 2:
            EvaluationFactory(case=case, content_goal="volledig", partners=[politie])
    PrognosisFactory(year=2019, kind=CaseKind.COM, expected=8)
    manager = staff_user(MANAGER)
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server, manager, next_path="/admin/jaarrapportage/?year=2019")
    page.wait_for_selector("h1:has-text('Jaarrapportage')")
    assert page.locator("svg.casework-report__chart").count() >= 5
    assert page.locator("table.listing").count() >= 10
    screenshot(page, "casework-jaarrapportage")
    # The admin scrolls inside its main column: one more picture per chart area.
    for number, index in enumerate((0, 3, -1)):
        page.locator("svg.casework-report__chart").nth(index).scroll_into_view_if_needed()
        screenshot(page, f"casework-jaarrapportage-{number + 2}")
    assert problems == []
    # Wagtail's own admin chrome is not ours to fix: axe checks the report's part.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "tags => axe.run({include: [['.casework-report']]},"
        " {runOnly: {type: 'tag', values: tags}})",
        WCAG_21_AA,
    )
    assert result["violations"] == [], describe(result["violations"])
