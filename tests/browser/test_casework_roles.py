"""Four eyes for the powerful roles, in a real browser: a functioneel beheerder invites
a manager, the manager role waits; a (different) manager approves it on the role
requests page. Every page passes axe."""

import pytest

from casework.models import Invitation, RoleGrantRequest
from casework.roles import FUNCTIONEEL_BEHEER, MANAGER
from tests.casework.factories import staff_user

from .conftest import (
    assert_accessible,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_invited_by_functioneel_beheer_waits_for_a_second_persons_approval(
    browser, demo_server
):
    beheerder = staff_user(FUNCTIONEEL_BEHEER)
    manager = staff_user(MANAGER)

    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, demo_server, beheerder, "/partners/uitnodigen/")
    assert_accessible(page, "uitnodigen-rollen")
    page.locator("main").get_by_label("E-mailadres").fill("nieuwe.manager@example.org")
    page.get_by_label("Manager (na goedkeuring door een tweede persoon)").check()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    page.get_by_text("pas als een tweede persoon ze goedkeurt").wait_for()
    invitation = Invitation.objects.get(email="nieuwe.manager@example.org")
    assert invitation.group_names == []
    page.goto(f"{demo_server.url}/partners/rollen/")
    assert_accessible(page, "rolaanvragen-eigen-aanvraag")
    assert page.get_by_role("button", name="Goedkeuren").count() == 0
    context.close()

    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, demo_server, manager)
    page.get_by_role("link", name="Rolaanvragen").click()
    assert_accessible(page, "rolaanvragen")
    page.get_by_role("button", name="Goedkeuren nieuwe.manager@example.org").click()
    page.get_by_text("De rollen zijn goedgekeurd.").wait_for()
    assert_accessible(page, "rolaanvragen-besloten")
    context.close()
    grant_request = RoleGrantRequest.objects.get(invitation=invitation)
    assert grant_request.status == RoleGrantRequest.Status.APPROVED
    assert grant_request.decided_by == manager
