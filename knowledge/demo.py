"""Synthetic demo content for the knowledge centre, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
Everything is invented; names of experts are fictional.
"""

from wagtail.models import Page

from portal.models import SectionPage

from .models import KnowledgeIndexPage, Theme, ThemePage

THEMES = [
    (
        "COM en AVE-model",
        "com-ave-model",
        "COM",
        "Casus op maat: complexe casuïstiek die via het AVE-escalatiemodel bij het Zorg- en Veiligheidshuis komt.",
    ),
    (
        "Radicalisering",
        "radicalisering",
        "PGA-R",
        "Persoonsgerichte aanpak van radicalisering, de weegtafel en de rol van het driehoeksoverleg.",
    ),
    (
        "Jeugd en High Impact Crime",
        "jeugd-hic",
        "PGA Jeugd",
        "Jongeren in High Impact Crime, drugs, cybercrime en excessief geweld; de Bluelist en kopstukken.",
    ),
    (
        "Onbegrepen gedrag",
        "onbegrepen-gedrag",
        "OG",
        "Mensen met onbegrepen (verward) gedrag en een veiligheidsrisico.",
    ),
    (
        "Huiselijk geweld en kindermishandeling",
        "hgkm-mda",
        "HGKM/MDA++",
        "Systeemgerichte aanpak van ernstig en langdurig huiselijk geweld en kindermishandeling (MDA++).",
    ),
    (
        "Mensenhandel",
        "mensenhandel",
        "",
        "Signaleren en aanpakken van arbeidsuitbuiting, seksuele uitbuiting en criminele uitbuiting.",
    ),
    (
        "Privacy en informatiedeling",
        "privacy-informatiedeling",
        "AVG",
        "Gegevens delen binnen het convenant: privacyprotocol, DPIA en de Wet gegevensverwerking door samenwerkingsverbanden.",
    ),
]


def load_reference_data() -> None:
    """The themes (``portal.demo.load_reference_data`` calls this first)."""
    for order, (name, slug, short, description) in enumerate(THEMES):
        Theme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "description": description,
                "sort_order": order,
            },
        )


INDEX = {
    "slug": "kennis-en-expertise",
    "title": "Kennis & expertise",
    "introduction": "Achtergronden, werkwijzen en publicaties over complexe zorg- en veiligheidsproblematiek, per thema.",
    "body": "<p>Het Zorg- en Veiligheidshuis is kennis- en expertisecentrum voor partners en professionals in Brabant Zuidoost. Hier vindt u handreikingen, trendsignalen en voorbeelden uit de praktijk, geordend per thema.</p>",
}


def ensure_index(home) -> KnowledgeIndexPage:
    existing = home.get_children().filter(slug=INDEX["slug"]).first()
    if existing is not None:
        existing = existing.specific
        if isinstance(existing, KnowledgeIndexPage):
            return existing
        if isinstance(existing, SectionPage) and not existing.get_children().exists():
            # The walking skeleton's placeholder section page: replace it.
            existing.delete()
        else:
            return existing
    index = home.add_child(
        instance=KnowledgeIndexPage(
            title=INDEX["title"],
            slug=INDEX["slug"],
            introduction=INDEX["introduction"],
            body=INDEX["body"],
            show_in_menus=True,
        )
    )
    # Keep the section first in the menu, where the skeleton put it.
    first = home.get_children().first()
    if first is not None and first.pk != index.pk:
        Page.objects.get(pk=index.pk).move(first, pos="left")
    index.refresh_from_db()
    index.save_revision().publish()
    return index


def ensure_theme_pages(index: KnowledgeIndexPage) -> None:
    for theme in Theme.objects.all():
        if ThemePage.objects.filter(theme=theme).exists():
            continue
        page = index.add_child(
            instance=ThemePage(
                title=theme.name,
                slug=theme.slug,
                theme=theme,
                introduction=theme.description,
            )
        )
        page.save_revision().publish()


def load(home) -> None:
    index = ensure_index(home)
    if not isinstance(index, KnowledgeIndexPage):
        return
    ensure_theme_pages(index)
    from search.services import synonyms_ensure_defaults

    from . import demo_content

    synonyms_ensure_defaults()
    demo_content.load(index)
