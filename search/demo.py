"""Demo promoted search results: what an editor sets up on the first day.

Words people type that are not words of the site (the section is called "Trainingen
en bijeenkomsten"; people type "agenda"), each pointing at the page that answers
them. Editors keep these under *Instellingen → Uitgelichte zoekresultaten*.
"""

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

# query -> URL paths of the promoted pages (relative to the home page), in order.
PROMOTIONS: dict[str, tuple[str, ...]] = {
    "agenda": ("trainingen-en-bijeenkomsten",),
    "cursus": ("trainingen-en-bijeenkomsten",),
    "privacy": ("privacyverklaring",),
    "cookies": ("cookieverklaring",),
    "casus aanmelden": ("voor-partners",),
    "inloggen": ("voor-partners",),
}


def load(home: Page) -> None:
    for query_string, slugs in PROMOTIONS.items():
        query, _ = Query.objects.get_or_create(query_string=query_string)
        if query.editors_picks.exists():
            continue  # an editor's own choice stays
        for order, slug in enumerate(slugs):
            page = home.get_children().filter(slug=slug).first()
            if page is not None:
                SearchPromotion.objects.create(query=query, page=page, sort_order=order)
