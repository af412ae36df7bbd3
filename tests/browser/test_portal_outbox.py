"""The demo outbox in the Wagtail admin, in a real browser: the HTML part of a mail
renders in a sandbox where its scripts do not run, and its links can be followed."""

from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

import pytest

from tests.mfa import with_mfa

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "portal.mail.OutboxBackend"
    settings.MAIL_OUTBOX_DIR = tmp_path / "mail"


@pytest.fixture
def staff_page(page, demo_server, django_user_model):
    user = django_user_model.objects.create_user(
        username="beheer", email="beheer@zvh-bzo.example", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(with_mfa(user))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": demo_server.url}])
    return page


def test_staff_read_a_sent_mail_whose_scripts_never_run_and_follow_its_link(
    staff_page, demo_server, outbox
):
    page = staff_page
    link = demo_server.url + "/accounts/confirm-email/MQ:1tXyzA:aB3dEf9GhIj/"
    message = mail.EmailMultiAlternatives(
        subject="Bevestig je e-mailadres",
        body=f"Hallo Sanne,\n\nBevestig je adres: {link}\n",
        to=["sanne@voorbeeld.example"],
    )
    message.attach_alternative(
        "<html><body><h1>Welkom</h1>"
        f'<p><a href="{link}">Bevestig je e-mailadres</a></p>'
        "<script>document.body.dataset.ran = 'ja'; parent.document.body.dataset.ran = 'ja';"
        "</script></body></html>",
        "text/html",
    )
    message.send()

    page.goto(demo_server.url + "/admin/demo-outbox/")
    assert page.get_by_role("cell", name="sanne@voorbeeld.example").is_visible()
    screenshot(page, "admin-outbox-list")

    page.get_by_role("link", name="Bevestig je e-mailadres").click()
    frame = page.frame_locator("iframe.outbox-html")
    frame.get_by_role("heading", name="Welkom").wait_for()
    screenshot(page, "admin-outbox-message")

    # The mail's script ran neither in its frame nor in the admin page.
    assert frame.locator("body").get_attribute("data-ran") is None
    assert page.locator("body").get_attribute("data-ran") is None
    # Its link opens the confirmation page in a new tab.
    with page.expect_popup() as popup:
        frame.get_by_role("link", name="Bevestig je e-mailadres").click()
    assert popup.value.url == link
    # The plain-text version's link is clickable too.
    assert page.locator("pre.outbox-text a").get_attribute("href") == link
