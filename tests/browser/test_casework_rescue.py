"""In a browser: a regisseur's note typed across the idle timeout survives the
sign-out and is back in the form after signing in again; the advice page shows an
erased (retention) advice request. Both pages pass axe."""

import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from casework.middleware import LAST_SEEN_KEY
from casework.models import AdviceRequest
from tests.casework.factories import CaseFactory, staff_user

from .conftest import PASSWORD, axe_violations, describe, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Gesprek met de wijkagent gehad; vervolgafspraak volgt."


def age_the_session(page, minutes: int) -> None:
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_a_note_typed_across_the_idle_timeout_comes_back_after_signing_in(page, live_server):
    regisseur = staff_user("Procesregisseur")
    case = CaseFactory(procesregisseur=regisseur)
    detail = f"/partners/casus/{case.public_id}/"
    sign_in(page, live_server, regisseur, next_path=detail)

    page.get_by_text("Notitie toevoegen").click()
    note_form = page.locator(f"form[action='{detail}notitie/']")
    note_form.locator("textarea[name=body]").fill(NOTE)
    age_the_session(page, 16)
    note_form.locator("button[type=submit]").click()
    page.wait_for_url("**/accounts/login/**")
    assert "Wat u typte, is bewaard" in page.content()

    # The authenticator app's code was just used (allauth refuses it twice); a
    # recovery code is the quicker second factor here than waiting 30 seconds.
    code = RecoveryCodes.activate(regisseur).get_unused_codes()[0]
    page.fill("input[name=login]", regisseur.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", code)
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_url(f"**{detail}")
    # The panel with the kept note is open.
    assert note_form.locator("textarea[name=body]").input_value() == NOTE
    assert "staat hieronder weer klaar" in page.content()
    violations = axe_violations(page)
    screenshot(page, "casework-rescued-note")
    assert violations == [], describe(violations)


def test_the_advice_page_shows_an_erased_request_accessibly(page, live_server):
    regisseur = staff_user("Procesregisseur")
    AdviceRequest.objects.create(
        channel=AdviceRequest.Channel.PHONE, question="", anonymised_at=timezone.now()
    )
    sign_in(page, live_server, regisseur, next_path="/partners/advies/")
    assert "gewist (bewaartermijn)" in page.content()
    violations = axe_violations(page)
    screenshot(page, "casework-advice-erased")
    assert violations == [], describe(violations)
