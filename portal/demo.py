"""Synthetic demo content for the embedded default (``manage.py load_demo``).

Everything here is invented. Never put a real person's name or case into it.
Each loader is idempotent: it looks objects up by a natural key and only
creates what is missing, so running ``make demo`` twice keeps the data
(and keeps what an editor changed in the admin).
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .demo_legal import load_legal_pages
from .models import (
    Basisteam,
    ContactSettings,
    FooterLink,
    FooterSettings,
    HomePage,
    Municipality,
    SectionPage,
    StandardPage,
)

# Police basisteams and their municipalities (Eindhoven is split over two teams).
BASISTEAMS = {
    "Eindhoven-Noord": ["Eindhoven"],
    "Eindhoven-Zuid": ["Eindhoven"],
    "Dommelstroom": [
        "Cranendonck",
        "Geldrop-Mierlo",
        "Heeze-Leende",
        "Nuenen c.a.",
        "Son en Breugel",
        "Valkenswaard",
        "Waalre",
    ],
    "Peelland": ["Asten", "Deurne", "Gemert-Bakel", "Helmond", "Laarbeek", "Someren"],
    "De Kempen": [
        "Bergeijk",
        "Best",
        "Bladel",
        "Eersel",
        "Oirschot",
        "Reusel-De Mierden",
        "Veldhoven",
    ],
}


def rich(*paragraphs: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


SECTIONS: list[dict[str, Any]] = [
    {
        "slug": "over-ons",
        "title": "Over ons",
        "introduction": "Het Zorg- en Veiligheidshuis Brabant Zuidoost verbindt zorg, straf en bestuur in 21 gemeenten.",
        "body": [
            {"type": "heading", "value": {"text": "Wat we doen", "level": "h2"}},
            *rich(
                "Samen met ruim twintig convenantpartners pakken we complexe problematiek aan waar zorg en veiligheid samenkomen. "
                "We hebben drie taken: regie op complexe casuïstiek, kennis- en expertisecentrum en vraagbaak voor partners, "
                "en het signaleren van trends voor bestuurders.",
            ),
            {"type": "heading", "value": {"text": "Onze werkwijze", "level": "h2"}},
            *rich(
                "Een procesregisseur brengt de betrokken partners bijeen in een casusoverleg, zorgt voor een gezamenlijk beeld "
                "en een integraal plan van aanpak, en bewaakt de uitvoering tot de casus kan worden afgesloten of overgedragen.",
            ),
            {
                "type": "quote",
                "value": {
                    "quote": "Samen zien we meer dan ieder afzonderlijk.",
                    "attribution": "Procesregisseur (fictief)",
                },
            },
        ],
        "menu": True,
    },
    {
        "slug": "contact",
        "title": "Contact",
        "introduction": "Vragen over een casus, een training of de nieuwsbrief? Neem contact met ons op.",
        "body": [
            *rich(
                "Partners kunnen dagelijks bellen voor advies over een casus. Wilt u een casus aanmelden? Gebruik dan de beveiligde omgeving voor partners."
            ),
            {
                "type": "callout",
                "value": {
                    "title": "Direct gevaar?",
                    "text": "<p>Bel 112. Het Zorg- en Veiligheidshuis is geen crisisdienst.</p>",
                    "tone": "warning",
                },
            },
        ],
        "contact": True,
    },
]


def load_reference_data() -> None:
    """The lists everything else is filed by: basisteams and municipalities (here), then
    each app's own (themes in knowledge, partner kinds in casework)."""
    for team_name, municipalities in BASISTEAMS.items():
        team, _ = Basisteam.objects.get_or_create(name=team_name)
        for name in municipalities:
            municipality, _ = Municipality.objects.get_or_create(name=name)
            municipality.basisteams.add(team)
    for module in APP_DEMO_LOADERS:
        app_reference_data = getattr(import_module(module), "load_reference_data", None)
        if app_reference_data:
            app_reference_data()


def ensure_tree_root() -> Page:
    """Wagtail's migrations create the default locale and the tree root; a flushed
    test database has neither."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=Locale.get_default())
    )


def load_home() -> HomePage:
    ensure_tree_root()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's "Welcome to your new Wagtail site!" page is not ours; its
        # site goes with it and is recreated below.
        for welcome in Page.objects.filter(depth=2, content_type__model="page"):
            welcome.delete()
        home = ensure_tree_root().add_child(
            instance=HomePage(
                title="Samen werken aan zorg en veiligheid",
                slug="home",
                introduction=(
                    "Het Zorg- en Veiligheidshuis Brabant Zuidoost verbindt partners uit zorg, straf en bestuur "
                    "rond complexe casuïstiek, en deelt kennis en expertise met professionals in de regio."
                ),
            )
        )
        home.save_revision().publish()
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="ZVH Brabant Zuidoost",
        )
    return home


def load_sections(home: HomePage) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for spec in SECTIONS:
        existing = home.get_children().filter(slug=spec["slug"]).first()
        if existing:
            pages[spec["slug"]] = existing.specific
            continue
        page = home.add_child(
            instance=StandardPage(
                title=spec["title"],
                slug=spec["slug"],
                introduction=spec["introduction"],
                body=spec["body"],
                show_in_menus=True,
                show_contact_details=bool(spec.get("contact")),
            )
        )
        page.save_revision().publish()
        pages[spec["slug"]] = page
    pages |= load_legal_pages(home)
    return pages


# The footer's "Meer informatie" links; editors change them under Settings → Footer.
FOOTER_LINKS = [
    "over-ons",
    "contact",
    "privacyverklaring",
    "cookieverklaring",
    "toegankelijkheidsverklaring",
]


def load_site_settings(site: Site, pages: dict[str, Page]) -> None:
    ContactSettings.objects.get_or_create(
        site=site,
        defaults={
            "visiting_address": "Voorbeeldstraat 1\n5700 AA Helmond",
            "postal_address": "Postbus 0000\n5700 AA Helmond",
            "phone": "0492 00 00 00",
            "email": "info@zvh-bzo.example",
            "opening_hours": "Maandag tot en met vrijdag, 9.00–17.00 uur",
        },
    )
    footer, created = FooterSettings.objects.get_or_create(
        site=site, defaults={"tagline": "Samen werken aan zorg en veiligheid in Brabant Zuidoost."}
    )
    if created:
        for order, slug in enumerate(FOOTER_LINKS):
            FooterLink.objects.create(footer=footer, page=pages[slug], sort_order=order)


def ensure_section_page(
    home: HomePage, *, slug: str, title: str, introduction: str, text: str, callout=None
) -> Page:
    """The landing page of a main section; apps call this from their demo loader."""
    existing = home.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific
    body = rich(text)
    if callout:
        body.append({"type": "callout", "value": callout})
    page = home.add_child(
        instance=SectionPage(
            title=title, slug=slug, introduction=introduction, body=body, show_in_menus=True
        )
    )
    page.save_revision().publish()
    return page


# Apps add their own demo content, in menu order.
APP_DEMO_LOADERS = ["knowledge.demo", "events.demo", "newsletter.demo", "casework.demo"]
# Then what refers to pages of every app (the search's promoted results).
APP_DEMO_FINISHERS = ["search.demo"]


@transaction.atomic
def load() -> HomePage:
    load_reference_data()
    home = load_home()
    for module in APP_DEMO_LOADERS:
        import_module(module).load(home)
    pages = load_sections(home)
    load_site_settings(Site.objects.get(is_default_site=True), pages)
    for module in APP_DEMO_FINISHERS:
        import_module(module).load(home)
    return home
