"""The event e-mails speak Dutch to the end, footer included, and say "u"."""

import re

import pytest

from events import services
from events.emails import registration_mail_send

from .factories import create_event

pytestmark = pytest.mark.django_db

FOOTER = (
    "U ontvangt deze e-mail omdat u zich hebt ingeschreven bij het Zorg- en "
    "Veiligheidshuis Brabant Zuidoost."
)


def test_the_footer_of_an_event_mail_is_dutch_in_html_and_text(bare_agenda, user, mailoutbox):
    event = create_event(bare_agenda, title="Training voet")
    registration = services.registration_create(event=event, user=user)

    registration_mail_send(registration_id=registration.pk, kind="confirmed")

    mail = mailoutbox[0]
    html = mail.alternatives[0][0]
    assert mail.subject == "Inschrijving bevestigd: Training voet"
    assert FOOTER in " ".join(html.split())
    assert FOOTER in " ".join(mail.body.split())
    assert "You receive" not in html + mail.body
    assert not re.search(r"\b(je|jij|jouw)\b", html + mail.body, re.IGNORECASE)
