"""The privacy statement, the cookie statement and the accessibility statement: built
by the demo loader, editable pages, linked from the footer."""

import pytest

from portal.demo_legal import term
from portal.models import AccessibilityStatementPage, ComplianceStatus, FooterSettings

pytestmark = pytest.mark.django_db

STATEMENTS = ["privacyverklaring", "cookieverklaring", "toegankelijkheidsverklaring"]


def test_the_footer_links_to_the_three_statements_from_the_site_setting(client, home):
    html = client.get("/").content.decode()

    for slug in STATEMENTS:
        assert f'<li><a href="/{slug}/">' in html, slug


def test_the_footer_links_are_editable_site_settings(client, demo_site):
    footer = FooterSettings.for_site(demo_site)
    cookie_link = footer.links.get(page__slug="cookieverklaring")
    cookie_link.label = "Over cookies"
    cookie_link.save()

    assert '<a href="/cookieverklaring/">Over cookies</a>' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("days", "words"),
    [(7, "7 dagen"), (90, "90 dagen"), (365, "een jaar"), (730, "twee jaar"), (1826, "vijf jaar")],
)
def test_retention_terms_are_written_in_words(days, words):
    assert term(days) == words


def test_the_privacy_statement_states_the_installations_real_retention_terms(
    client, home, settings
):
    html = client.get("/privacyverklaring/").content.decode()

    for name in [
        "search_log",
        "newsletter_unconfirmed",
        "newsletter_tracking",
        "events_anonymise",
        "events_accreditation",
        "knowledge_unconfirmed",
        "casework_draft",
        "casework_closed",
        "casework_advice",
    ]:
        assert term(settings.RETENTION_DAYS[name]) in html, name


def test_the_privacy_statement_names_controller_bases_rights_dpo_and_complaint(client, home):
    html = client.get("/privacyverklaring/").content.decode()

    assert "Stichting Zorg- en Veiligheidshuis Brabant Zuidoost" in html
    assert "verwerkingsverantwoordelijke" in html
    assert "gezamenlijk verwerkingsverantwoordelijk" in html
    for basis in ["lid 1 onder a", "lid 1 onder b", "lid 1 onder e", "lid 1 onder f"]:
        assert f"artikel 6 {basis} AVG" in html, basis
    assert "Functionaris gegevensbescherming" in html
    assert "mailto:fg@zvh-bzo.example" in html
    for right in ["inzage", "correctie", "verwijdering", "bezwaar", "overdraagbaarheid"]:
        assert right in html, right
    assert "Autoriteit Persoonsgegevens" in html


def test_the_cookie_statement_says_there_are_no_tracking_cookies(client, home, settings):
    html = client.get("/cookieverklaring/").content.decode()

    assert "geen tracking-, analyse- of advertentiecookies" in html
    for cookie in ["csrftoken", "sessionid", "zvh_login_device"]:
        assert cookie in html, cookie
    assert f"{settings.SESSION_COOKIE_AGE // 3600} uur" in html


def test_the_site_sets_no_cookie_the_statement_does_not_name(client, home):
    # An anonymous visit sets only the CSRF cookie (the footer's newsletter form).
    response = client.get("/")

    assert set(response.cookies) <= {"csrftoken"}


def test_the_accessibility_statement_follows_the_model_statement(client, home):
    statement = AccessibilityStatementPage.objects.get()

    html = client.get(statement.url).content.decode()

    assert statement.status == ComplianceStatus.C
    assert "Nalevingsstatus" in html
    assert "De status van deze website is: <strong>C – eerste maatregelen genomen</strong>" in html
    assert "Datum van deze verklaring" in html
    assert "Laatst onderzocht" in html
    assert "Volgend onderzoek" in html
    assert "Een probleem melden" in html
    assert f'href="mailto:{statement.contact_email}"' in html
    assert "binnen 5 werkdagen" in html
    assert "Nationale ombudsman" in html


def test_editors_change_the_accessibility_status_and_dates_in_the_cms(client, home):
    import datetime as dt

    statement = AccessibilityStatementPage.objects.get()
    statement.status = ComplianceStatus.A
    statement.last_check_date = dt.date(2027, 2, 1)
    statement.save_revision().publish()

    html = client.get(statement.url).content.decode()

    assert "<strong>A – voldoet volledig</strong>" in html
    assert "1 februari 2027" in html


def test_there_is_one_accessibility_statement_at_most():
    assert AccessibilityStatementPage.max_count == 1
