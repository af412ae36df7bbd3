"""Synthetic demo content for this app, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
"""

from portal.demo import ensure_section_page


def load(home) -> None:
    ensure_section_page(
        home,
        slug="trainingen-en-bijeenkomsten",
        title="Trainingen & bijeenkomsten",
        introduction="Trainingen, netwerkbijeenkomsten Oost-Brabant, intervisie en webinars voor professionals.",
        text="We organiseren trainingen over procesregie en de weegtafel radicalisering, netwerkbijeenkomsten met partners en bewustwordingssessies voor het sociaal domein, het onderwijs en de GGZ.",
    )
