"""Synthetic demo content for this app, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
"""

from portal.demo import ensure_section_page


def load(home) -> None:
    ensure_section_page(
        home,
        slug="kennis-en-expertise",
        title="Kennis & expertise",
        introduction="Achtergronden, werkwijzen en publicaties over complexe zorg- en veiligheidsproblematiek, per thema.",
        text="Het Zorg- en Veiligheidshuis is kennis- en expertisecentrum voor partners en professionals in Brabant Zuidoost. Hier vindt u handreikingen, trendsignalen en voorbeelden uit de praktijk, geordend per thema.",
    )
