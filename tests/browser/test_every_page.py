"""Every page type of the portal, public, partner and staff, at 1366 px and 375 px wide:
axe-core finds nothing (WCAG 2.0-2.2 A and AA and axe's best practices), and each
page and width leaves a screenshot in test-artifacts/pages/<width>/<name>.png for review.

One browser, one live demo (the demo content plus the demo accounts and demo cases,
as `make demo` has them), one sign-in per account. Every violation of every page is
collected first and reported together, so one run shows all there is to fix.
"""

from pathlib import Path

from django.test import override_settings
from django.urls import reverse

import pytest

from casework import demo_accounts, demo_cases
from casework.forms import STEP_SLUGS
from casework.models import Case, CaseDraft, SurveyInvitation
from events.models import AgendaPage, EventPage
from knowledge.models import (
    Expert,
    ExpertiseArticlePage,
    KnowledgeIndexPage,
    PublicationPage,
    ThemePage,
)
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from portal.models import AccessibilityStatementPage, SectionPage, StandardPage
from tests.chromium import AXE_JS, describe
from tests.mfa import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.pages, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pages"
WIDTHS = {"1366": {"width": 1366, "height": 900}, "375": {"width": 375, "height": 800}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def demo(demo_server, settings, tmp_path):
    """The demo accounts and cases of `make demo`, made by the same code."""
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "casework-private"
    with override_settings(DEMO=True, VAR_DIR=tmp_path):
        accounts = {entry["key"]: entry for entry in demo_accounts.ensure_accounts()}
        demo_cases.load_cases()
    return demo_server, accounts


class Walk:
    """Visits pages at both widths and keeps what axe says about each."""

    def __init__(self, browser, server):
        self.browser = browser
        self.server = server
        self.problems: list[str] = []
        self.visited: list[str] = []

    def session(self, account: dict | None = None):
        context = self.browser.new_context(locale="nl-NL", viewport=WIDTHS["1366"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        if account is not None:
            self._sign_in(page, account)
        return page

    def _sign_in(self, page, account: dict) -> None:
        page.goto(f"{self.server.url}/accounts/login/?next=/partners/")
        page.fill("input[name=login]", account["email"])
        page.fill("input[name=password]", account["password"])
        page.locator("form:has(input[name=password]) button[type=submit]").first.click()
        page.wait_for_selector("input[name=code]")
        page.fill("input[name=code]", totp_code(account["totp_secret"]))
        page.locator("form:has(input[name=code]) button[type=submit]").first.click()
        page.wait_for_url("**/partners/")

    def check(self, page, name: str, path: str | None = None) -> None:
        """Open ``path`` at 1366 px and again at 375 px (scripts see the width they
        load at), or check the page as it is at both widths."""
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            if path is not None:
                response = page.goto(self.server.url + path)
                status = response.status if response is not None else 0
                expected_error = name.startswith("fout-")  # the 404 page itself
                if status == 0 or (status >= 400 and not expected_error):
                    self.problems.append(f"{name} ({path}): HTTP {status}")
            violations = _axe(page)
            target = ARTIFACTS / width / f"{name}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
            if violations:
                self.problems.append(f"{name} at {width} px ({page.url}): {describe(violations)}")
        page.set_viewport_size(WIDTHS["1366"])
        self.visited.append(name)


def _axe(page) -> list[dict]:
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return result["violations"]


def _url(model) -> str:
    found = model.objects.live().public().order_by("path").first()
    assert found is not None, f"the demo has no {model.__name__}"
    return found.url


def _public_pages() -> list[tuple[str, str]]:
    event = EventPage.objects.live().public().filter(is_cancelled=False).order_by("path").first()
    return [
        ("home", "/"),
        ("sectie", _url(SectionPage)),
        ("standaardpagina", _url(StandardPage)),
        ("toegankelijkheid", _url(AccessibilityStatementPage)),
        ("kennisbank", _url(KnowledgeIndexPage)),
        ("thema", _url(ThemePage)),
        ("artikel", _url(ExpertiseArticlePage)),
        ("publicatie", _url(PublicationPage)),
        ("experts", reverse("knowledge:experts")),
        ("expert", reverse("knowledge:expert", args=[Expert.objects.order_by("pk").first().slug])),
        ("agenda", _url(AgendaPage)),
        ("evenement", event.url),
        ("nieuwsbrief-archief", _url(NewsletterIndexPage)),
        ("nieuwsbrief-editie", _url(NewsletterIssuePage)),
        ("nieuwsbrief-aanmelden", reverse("newsletter:subscribe")),
        ("zoeken", "/zoeken/?q=huiselijk+geweld"),
        ("inloggen", reverse("account_login")),
        ("wachtwoord-vergeten", reverse("account_reset_password")),
        ("fout-404", "/deze-pagina-bestaat-niet/"),
    ]


def _case_of(email: str, *, closed: bool | None = None) -> Case:
    cases = Case.objects.filter(registered_by__email__iexact=email).order_by("pk")
    if closed is True:
        cases = cases.filter(status="afgesloten")
    elif closed is False:
        cases = cases.exclude(status__in=["afgesloten", "overgedragen"])
    return cases.first()


@pytest.mark.timeout(1800)  # some hundred pages at two widths: minutes, not a hang
def test_every_page_passes_axe_at_both_widths(browser, demo):
    server, accounts = demo
    walk = Walk(browser, server)

    page = walk.session()
    for name, path in _public_pages():
        walk.check(page, name, path)
    # A form sent back with errors: the summary takes focus and the title says so.
    page.goto(server.url + reverse("account_login"))
    page.fill("input[name=login]", "niemand@example.org")
    page.fill("input[name=password]", "verkeerd-wachtwoord")
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_selector(".error-summary, .field-error")
    walk.check(page, "inloggen-fout")
    page.context.close()

    partner_email = accounts["partner-1"]["email"]
    page = walk.session(accounts["partner-1"])
    walk.check(page, "partner-start", "/partners/")
    walk.check(page, "partner-aanmelden", reverse("casework:intake_start"))
    page.get_by_label("Casus op maat (COM)").check()
    page.get_by_role("button", name="Beginnen").click()
    page.wait_for_url("**/persoon/")
    draft = CaseDraft.objects.filter(owner__email__iexact=partner_email).latest("pk")
    for slug in STEP_SLUGS:
        walk.check(
            page,
            f"partner-aanmelden-{slug}",
            reverse("casework:intake_step", args=[draft.public_id, slug]),
        )
    # Step 1 sent empty: the error summary has focus and the title starts with "Fout:".
    page.goto(server.url + reverse("casework:intake_step", args=[draft.public_id, "persoon"]))
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Fout:")
    walk.check(page, "partner-aanmelden-fout")
    walk.check(
        page,
        "partner-concept-verwijderen",
        reverse("casework:intake_discard", args=[draft.public_id]),
    )
    walk.check(
        page,
        "partner-casus",
        reverse("casework:case_detail", args=[_case_of(partner_email).public_id]),
    )
    walk.check(
        page,
        "partner-casus-afgesloten",
        reverse("casework:case_detail", args=[_case_of(partner_email, closed=True).public_id]),
    )
    survey = SurveyInvitation.objects.filter(
        user__email__iexact=partner_email, response__isnull=True
    ).first()
    if survey is not None:
        walk.check(
            page, "partner-enquete", reverse("casework:survey_signed_in", args=[survey.public_id])
        )
    walk.check(page, "partner-mijn-overleggen", reverse("casework:my_procesregie"))
    walk.check(page, "partner-tweede-factor", reverse("mfa_index"))
    page.context.close()

    page = walk.session(accounts["procesregisseur"])
    walk.check(page, "regisseur-start", "/partners/")
    open_case = Case.objects.filter(status="aangemeld").order_by("pk").first()
    walk.check(
        page, "regisseur-triage", reverse("casework:case_detail", args=[open_case.public_id])
    )
    walk.check(
        page,
        "regisseur-casus-procesregie",
        reverse(
            "casework:case_detail",
            args=[Case.objects.filter(status="plan_van_aanpak").first().public_id],
        ),
    )
    walk.check(
        page,
        "regisseur-casus-afgesloten",
        reverse(
            "casework:case_detail",
            args=[Case.objects.filter(status="afgesloten").first().public_id],
        ),
    )
    for name, url_name in [
        ("regisseur-te-laat", "casework:overdue"),
        ("regisseur-advies", "casework:advice"),
        ("regisseur-procesregie", "casework:monitoring"),
    ]:
        walk.check(page, name, reverse(url_name))
    page.context.close()

    page = walk.session(accounts["manager"])
    walk.check(page, "manager-opvolging", reverse("casework:follow_up"))
    walk.check(page, "manager-rolaanvragen", reverse("casework:role_requests"))
    walk.check(page, "manager-jaarrapportage", "/admin/jaarrapportage/")
    page.context.close()

    page = walk.session(accounts["functioneel-beheer"])
    walk.check(page, "beheer-uitnodigen", reverse("casework:invite"))
    walk.check(page, "beheer-importeren", reverse("casework:case_import"))
    page.context.close()

    page = walk.session(accounts["privacy-officer"])
    walk.check(page, "privacy-audit", reverse("casework:audit"))
    walk.check(page, "privacy-bewaartermijn", reverse("casework:retention"))
    page.context.close()

    assert walk.problems == [], "\n\n".join(walk.problems)
    assert len(walk.visited) >= 45
