"""Synthetic demo content for this app, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
"""

import datetime as dt

from django.utils import timezone

from knowledge import selectors as knowledge_selectors

from .models import (
    ConsentEvent,
    NewsletterIndexPage,
    NewsletterIssuePage,
    Subscriber,
    SubscriberStatus,
)

DEMO_SUBSCRIBERS = [
    ("a.jansen@gemeente.example", "A. Jansen", "Gemeente Voorbeeldstad"),
    ("wijkagent.noord@politie.example", "", "Politie basisteam"),
    ("casusregisseur@ggz.example", "K. de Vries", "GGZ Voorbeeld"),
]


def load(home) -> None:
    index = _index_page(home)
    _demo_issue(index)
    for email, name, organisation in DEMO_SUBSCRIBERS:
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "organisation": organisation,
                "status": SubscriberStatus.ACTIVE,
                "requested_at": timezone.now(),
                "confirmed_at": timezone.now(),
            },
        )
        if created:
            ConsentEvent.objects.create(
                subscriber=subscriber,
                kind=ConsentEvent.Kind.IMPORT,
                channel=ConsentEvent.Channel.IMPORT,
                details={"source": "demo", "consent_date": "2026-01-01"},
            )


def _index_page(home) -> NewsletterIndexPage:
    existing = home.get_children().filter(slug="nieuwsbrief").first()
    if existing and isinstance(existing.specific, NewsletterIndexPage):
        return existing.specific
    if existing and not existing.get_children().exists():
        # The walking skeleton's placeholder section page; this page replaces it.
        existing.delete()
    index = home.add_child(
        instance=NewsletterIndexPage(
            title="Nieuwsbrief",
            slug="nieuwsbrief",
            introduction=(
                "Vier keer per jaar het nieuws uit het Zorg- en Veiligheidshuis in uw mailbox: "
                "nieuwe werkwijzen, trends in de regio en het programma van trainingen en bijeenkomsten."
            ),
            show_in_menus=True,
        )
    )
    index.save_revision().publish()
    return index


def _demo_issue(index: NewsletterIndexPage) -> None:
    if NewsletterIssuePage.objects.child_of(index).exists():
        return
    theme = knowledge_selectors.themes().first()
    body = [
        {
            "type": "intro",
            "value": {
                "heading": "Samen sterker in de regio",
                "text": "In deze nieuwsbrief: de nieuwe werkwijze rond onbegrepen gedrag, "
                "cijfers over het afgelopen jaar en de trainingen van dit najaar.",
            },
        },
        {
            "type": "rich_text",
            "value": "<p>Het afgelopen jaar kwamen er meer complexe casussen binnen via het "
            "AVE-escalatiemodel. Partners uit zorg, straf en bestuur stemden vaker samen af aan "
            "de weegtafel.</p>",
        },
        {
            "type": "events",
            "value": {"heading": "Agenda", "days_ahead": 90, "theme": theme.pk if theme else None},
        },
        {
            "type": "call_to_action",
            "value": {
                "text": "Heeft u een vraag over een casus of over samenwerken?",
                "label": "Neem contact op",
                "url": "https://zvh-bzo.example/contact/",
            },
        },
        {
            "type": "colophon",
            "value": "<p>De nieuwsbrief is een uitgave van het Zorg- en Veiligheidshuis "
            "Brabant Zuidoost. Redactie: team communicatie.</p>",
        },
    ]
    issue = index.add_child(
        instance=NewsletterIssuePage(
            title="Nieuwsbrief najaar 2026",
            slug="najaar-2026",
            subject="Nieuwsbrief ZVH Brabant Zuidoost – najaar 2026",
            preheader="Onbegrepen gedrag, cijfers en trainingen",
            body=body,
        )
    )
    issue.save_revision().publish()
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=30)
    )
