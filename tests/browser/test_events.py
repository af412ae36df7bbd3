"""Events in a real browser: a guest registers, confirms through the e-mail and
cancels, with the keyboard alone; every events page passes axe (WCAG 2.1 AA)."""

import re

from django.core import mail

import pytest

from tests.mfa import with_mfa

from .conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENDA = "/trainingen-en-bijeenkomsten/"
TRAINING = AGENDA + "training-procesregie-complexe-casuistiek/"


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], f"{name}: {describe(violations)}"


def link_in_last_mail(server_url: str, kind: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+(/agenda/{kind}/\S+/)", body)
    assert match, body
    return server_url + match.group(1)


def test_a_guest_registers_confirms_by_email_and_cancels_with_the_keyboard(page, demo_server):
    mail.outbox.clear()
    page.goto(demo_server.url + TRAINING)
    assert_accessible(page, "events-training")

    tab_to(page, "#id_name")
    page.keyboard.type("Gerda Gast")
    tab_to(page, "#id_email")
    page.keyboard.type("gerda.gast@voorbeeld.example")
    tab_to(page, "input[required]:not(#id_name):not(#id_email)")
    page.keyboard.type("Gemeente Voorbeeld")
    tab_to(page, ".registration button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/aanmelden/controleer-uw-e-mail/")
    assert page.get_by_role("heading", level=1).inner_text() == "Controleer uw e-mail"
    assert_accessible(page, "events-check-mail")
    assert mail.outbox[-1].subject.startswith("Bevestig uw inschrijving")

    page.goto(link_in_last_mail(demo_server.url, "bevestigen"))
    assert_accessible(page, "events-confirm")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/agenda/aanmelding/**")
    assert "Uw inschrijving is bevestigd." in page.inner_text("main")
    assert "Bevestigd" in page.inner_text(".facts")
    assert mail.outbox[-1].attachments[0][0] == "uitnodiging.ics"
    assert_accessible(page, "events-manage")

    tab_to(page, ".danger-zone button[type=submit]")
    page.keyboard.press("Enter")
    # The page posts to itself: wait for the new page, not for the old one's load state.
    page.locator("main").get_by_text("Uw inschrijving is geannuleerd.").wait_for()
    assert "Uw inschrijving is geannuleerd." in page.inner_text("main")
    assert "Geannuleerd" in page.inner_text(".facts")
    screenshot(page, "events-cancelled")


def test_form_errors_are_announced_and_keep_what_was_typed(page, demo_server):
    page.goto(demo_server.url + TRAINING)
    tab_to(page, "#id_name")
    page.keyboard.type("Gerda Gast")
    tab_to(page, "#id_email")
    page.keyboard.type("geen-adres")
    tab_to(page, ".registration button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "Voer een geldig e-mailadres in." in alert.inner_text()
    assert page.input_value("#id_name") == "Gerda Gast"
    assert_accessible(page, "events-form-errors")


def test_the_agenda_filters_and_tabs_pass_axe(page, demo_server):
    page.goto(demo_server.url + AGENDA)
    assert_accessible(page, "events-agenda")
    page.select_option("#filter-soort", "training")
    tab_to(page, ".agenda-filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**soort=training**")
    assert_accessible(page, "events-agenda-filtered")
    page.goto(demo_server.url + AGENDA + "?weergave=verleden")
    assert_accessible(page, "events-agenda-past")
    page.goto(demo_server.url + AGENDA + "netwerkbijeenkomst-onbegrepen-gedrag/")
    assert "Vol – u kunt zich op de wachtlijst zetten" in page.inner_text("main")
    assert_accessible(page, "events-full")


def login(page, server_url, user) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": server_url}]
    )


def test_mijn_trainingen_and_the_certificate_check_pass_axe(page, demo_server, django_user_model):
    from events import services
    from events.models import EventPage, RegistrationStatus

    user = django_user_model.objects.create_user(
        username="pim", email="pim@voorbeeld.example", first_name="Pim", last_name="Voorbeeld"
    )
    past = EventPage.objects.get(slug="training-weegtafel-radicalisering")
    registration = past.registrations.create(
        name="Pim Voorbeeld",
        email=user.email,
        user=user,
        status=RegistrationStatus.CONFIRMED,
    )
    for session in past.sessions.all():
        services.attendance_record(registration=registration, session=session, present=True)
    code = services.certificate_issue(registration=registration)
    login(page, demo_server.url, user)

    page.goto(demo_server.url + "/agenda/mijn-trainingen/")
    assert "Training: de weegtafel radicalisering" in page.inner_text("main")
    assert_accessible(page, "events-mijn-trainingen")

    page.goto(demo_server.url + "/agenda/certificaat/controleren/")
    tab_to(page, "#id_code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url("**code=**")
    assert "Dit certificaat is geldig." in page.inner_text("main")
    assert_accessible(page, "events-certificate-verified")


def test_staff_registrations_page_in_the_admin(page, demo_server, django_user_model):
    from events.models import EventPage

    admin = django_user_model.objects.create_superuser(
        username="beheer", email="beheer@voorbeeld.example", password="x" * 16
    )
    login(page, demo_server.url, with_mfa(admin))
    full = EventPage.objects.get(slug="netwerkbijeenkomst-onbegrepen-gedrag")

    page.goto(demo_server.url + f"/admin/bijeenkomsten/{full.pk}/")

    assert "12 van 12 plaatsen bezet." in page.inner_text("main")
    screenshot(page, "events-admin-registrations")


def test_trainers_partners_only_evaluation_and_the_account_nav_pass_axe(
    page, demo_server, django_user_model
):
    from django.utils import timezone

    from events.models import EventPage, RegistrationStatus

    page.goto(demo_server.url + AGENDA + "intervisie-procesregisseurs-peelland/")
    assert "alleen voor professionals van onze convenantpartners" in page.inner_text("main")
    assert page.locator(".registration form").count() == 0
    assert_accessible(page, "events-partners-only")

    page.goto(demo_server.url + AGENDA + "training-weegtafel-radicalisering/")
    main = page.inner_text("main")
    assert "Zo beoordeelden deelnemers" in main and "Marieke van Dongen" in main
    assert "De zaal was te warm." not in main  # open answers are for staff only
    assert_accessible(page, "events-past-with-evaluation")

    page.click("a[href='/expertise/experts/marieke-van-dongen/']")
    page.wait_for_url("**/expertise/experts/marieke-van-dongen/")

    past = EventPage.objects.get(slug="training-weegtafel-radicalisering")
    registration = past.registrations.create(
        name="Eva Evaluatie",
        email="eva@voorbeeld.example",
        status=RegistrationStatus.CONFIRMED,
        survey_sent_at=timezone.now(),
    )
    from events import services

    page.goto(demo_server.url + f"/agenda/evaluatie/{services.token_for(registration)}/")
    assert "Welk onderdeel was voor u het nuttigst?" in page.inner_text("main")
    assert_accessible(page, "events-survey")

    user = django_user_model.objects.create_user(username="ans", email="ans@voorbeeld.example")
    login(page, demo_server.url, user)
    page.goto(demo_server.url + "/accounts/password/change/")
    page.get_by_role("navigation", name="Uw account").get_by_role(
        "link", name="Mijn inschrijvingen"
    ).click()
    page.wait_for_url("**/agenda/mijn-trainingen/")
    page.go_back()
    assert_accessible(page, "account-nav")


def test_a_rate_limited_guest_sees_why_and_keeps_what_was_typed(page, demo_server):
    from django.core.cache import cache
    from django.test import override_settings

    cache.clear()
    with override_settings(RATELIMIT_ENABLE=True, EVENTS_GUEST_REGISTER_RATE="1/h"):
        for n in (1, 2):
            page.goto(demo_server.url + TRAINING)
            page.fill("#id_name", f"Gerda Gast{n}")
            page.fill("#id_email", f"gerda{n}@voorbeeld.example")
            page.fill("input[required]:not(#id_name):not(#id_email)", "Gemeente Voorbeeld")
            with page.expect_navigation():
                page.click(".registration button[type=submit]")

        assert "te veel inschrijvingen" in page.get_by_role("alert").inner_text()
        assert page.input_value("#id_name") == "Gerda Gast2"
        assert_accessible(page, "events-rate-limited")
    cache.clear()
