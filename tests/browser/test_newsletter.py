"""The newsletter in the browser: subscribe, confirm through the outbox, change
preferences and unsubscribe; every page passes axe."""

import re

from django.core import mail

import pytest

from tests.browser.conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, name):
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_visitor_subscribes_confirms_changes_preferences_and_unsubscribes(
    page, demo_server, settings
):
    settings.WAGTAILADMIN_BASE_URL = demo_server.url
    mail.outbox.clear()

    page.goto(f"{demo_server.url}/nieuwsbrief/")
    assert_accessible(page, "newsletter-index")
    form = page.locator("form.nb-form")
    form.get_by_label("E-mailadres").fill("browser@voorbeeld.example")
    form.get_by_label("Naam (optioneel)").fill("B. Rowser")
    form.get_by_label("Radicalisering").check()
    form.get_by_role("button", name="Abonneren").click()
    page.wait_for_url("**/controleer-uw-mail/")
    assert_accessible(page, "newsletter-check-mail")

    link = re.search(r"https?://\S+/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page, "newsletter-confirm")
    page.get_by_role("button", name="Ja, stuur mij de nieuwsbrief").click()
    page.wait_for_url("**/voorkeuren/**")
    assert page.get_by_text("Bedankt: uw abonnement is bevestigd.").is_visible()
    assert_accessible(page, "newsletter-preferences")

    page.get_by_label("Eens per kwartaal").check()
    page.get_by_label("Onbegrepen gedrag").check()
    page.get_by_role("button", name="Voorkeuren opslaan").click()
    assert page.get_by_text("Uw voorkeuren zijn opgeslagen.").is_visible()
    assert page.get_by_label("Eens per kwartaal").is_checked()

    page.get_by_role("link", name="Afmelden", exact=True).first.click()
    assert_accessible(page, "newsletter-unsubscribe")
    page.get_by_role("button", name="Ja, meld mij af").click()
    assert page.get_by_role("heading", name="U bent afgemeld").is_visible()
    assert_accessible(page, "newsletter-unsubscribed")

    from newsletter.models import Subscriber

    subscriber = Subscriber.objects.get(email="browser@voorbeeld.example")
    assert subscriber.status == "unsubscribed"
    assert subscriber.frequency == "quarterly"
    assert [e.kind for e in subscriber.consent.all()] == [
        "request",
        "confirm",
        "preferences",
        "unsubscribe",
    ]


def test_the_footer_sign_up_and_the_issue_archive_pass_axe(page, demo_server):
    page.goto(f"{demo_server.url}/nieuwsbrief/najaar-2026/")
    assert_accessible(page, "newsletter-issue")
    page.goto(f"{demo_server.url}/")
    footer = page.locator(".nb-footer")
    footer.get_by_label("Uw e-mailadres").fill("voet@voorbeeld.example")
    footer.get_by_role("button", name="Abonneren").click()
    page.wait_for_url("**/controleer-uw-mail/")
    page.goto(f"{demo_server.url}/abonnement/")
    page.get_by_role("button", name="Abonneren").first.click()
    assert_accessible(page, "newsletter-subscribe-errors")


def test_a_blocked_sign_up_says_so_in_dutch_keeps_the_input_and_passes_axe(
    page, live_server, transactional_db, settings
):
    from newsletter.demo import _index_page
    from portal.demo import load_home, load_reference_data

    load_reference_data()
    _index_page(load_home())
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit-test": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit-test"
    settings.RATELIMIT_ENABLE = True
    settings.NEWSLETTER_SIGNUP_RATE = "1/h"

    for address, name in [
        ("eerste@voorbeeld.example", ""),
        ("tweede@voorbeeld.example", "T. Weede"),
    ]:
        page.goto(f"{live_server.url}/abonnement/")
        form = page.locator("main form.nb-form")
        form.get_by_label("E-mailadres").fill(address)
        form.get_by_label("Naam (optioneel)").fill(name)
        form.get_by_role("button", name="Abonneren").click()
        page.wait_for_load_state()

    assert page.get_by_role("alert").get_by_text("Te veel pogingen").is_visible()
    form = page.locator("main form.nb-form")
    assert form.get_by_label("E-mailadres").input_value() == "tweede@voorbeeld.example"
    assert form.get_by_label("Naam (optioneel)").input_value() == "T. Weede"
    assert_accessible(page, "newsletter-rate-limited")
