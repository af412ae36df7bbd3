"""Links in e-mails point at the portal's address; in the demo that follows PORT.

`make demo PORT=8123` serves on 127.0.0.1:8123, so the demo's default BASE_URL does
too. Production keeps using BASE_URL (docker-compose.yml requires it). Every absolute
link is built by portal.mail.absolute_url.
"""

import re

from wagtail.models import Locale, Page, Site

import pytest

from events import services as event_services
from events.emails import registration_mail_send
from newsletter import services as newsletter_services
from portal.mail import absolute_url
from portal.models import HomePage
from tests.events.factories import create_agenda, create_event
from tests.portal.conftest import PRODUCTION_ENV

PORT_8123 = "http://127.0.0.1:8123"


@pytest.fixture
def demo_settings(load_settings, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("PORT", raising=False)

    def load(**environ: str) -> dict:
        return load_settings(PORTAL_ENV="demo", **environ)

    return load


def test_in_the_demo_the_base_url_follows_port(demo_settings):
    assert demo_settings(PORT="8123")["WAGTAILADMIN_BASE_URL"] == PORT_8123


def test_without_port_the_demo_links_to_port_8000(demo_settings):
    assert demo_settings()["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:8000"


def test_an_explicit_base_url_wins_over_port(demo_settings):
    settings = demo_settings(PORT="8123", BASE_URL="http://portal.test:9000")

    assert settings["WAGTAILADMIN_BASE_URL"] == "http://portal.test:9000"


def test_production_uses_base_url_and_ignores_port(load_settings):
    settings = load_settings(**PRODUCTION_ENV, PORT="8123", BASE_URL="https://portal.example.nl")

    assert settings["WAGTAILADMIN_BASE_URL"] == "https://portal.example.nl"


def test_absolute_url_joins_the_address_and_the_path(settings):
    settings.WAGTAILADMIN_BASE_URL = PORT_8123 + "/"

    assert absolute_url("/agenda/") == PORT_8123 + "/agenda/"
    assert absolute_url("") == PORT_8123


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>)]+", text)


def everything_in(mail) -> str:
    """Body, HTML alternatives and text attachments (the .ics invitation) of one mail."""
    parts = [mail.body, *(content for content, _type in getattr(mail, "alternatives", []))]
    for _name, content, _type in mail.attachments:
        parts.append(content.decode() if isinstance(content, bytes) else str(content))
    # iCalendar folds long lines at 75 octets: unfold before looking for links.
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")


@pytest.mark.django_db
def test_mail_links_use_the_configured_port(settings, django_user_model, mailoutbox):
    settings.WAGTAILADMIN_BASE_URL = PORT_8123
    locale, _ = Locale.objects.get_or_create(language_code="nl")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Home", slug="home-links"))
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    event = create_event(create_agenda(home))
    user = django_user_model.objects.create_user(
        username="deelnemer", email="deelnemer@voorbeeld.example", password="x" * 16
    )

    registration = event_services.registration_create(event=event, user=user)
    registration_mail_send(registration_id=registration.pk, kind="confirmed")
    newsletter_services.subscriber_request(email="lezer@voorbeeld.example", name="Lezer")

    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        text = everything_in(mail)
        portal_links = [link for link in links(text) if "127.0.0.1" in link]
        assert portal_links, mail.subject
        assert all(link.startswith(PORT_8123 + "/") for link in portal_links), portal_links
        assert ":8000" not in text
    assert PORT_8123 + event.url in everything_in(mailoutbox[0])
