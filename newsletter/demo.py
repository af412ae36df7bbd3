"""Synthetic demo content for this app, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
"""

from portal.demo import ensure_section_page


def load(home) -> None:
    ensure_section_page(
        home,
        slug="nieuwsbrief",
        title="Nieuwsbrief",
        introduction="Vier keer per jaar het nieuws uit het Zorg- en Veiligheidshuis in uw mailbox.",
        text="In de nieuwsbrief leest u over nieuwe werkwijzen, trends in de regio en het programma van trainingen en bijeenkomsten.",
    )
