"""Synthetic demo content for casework, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
"""

from portal.demo import ensure_section_page


def load(home) -> None:
    ensure_section_page(
        home,
        slug="voor-partners",
        title="Voor partners",
        introduction="Meld een casus aan, volg uw aanmeldingen en vraag advies. Alleen voor convenantpartners.",
        text=(
            "Convenantpartners melden complexe casuïstiek aan bij het Zorg- en Veiligheidshuis. Na aanmelding "
            "beoordeelt een procesregisseur in de triage of de casus in procesregie wordt genomen of dat u advies krijgt."
        ),
        callout={
            "title": "Beveiligde omgeving",
            "text": "<p>Voor het aanmelden en volgen van casussen logt u in met uw account en een tweede factor. "
            "Een account krijgt u via een uitnodiging van het Zorg- en Veiligheidshuis.</p>",
            "tone": "info",
        },
    )
