"""Ranking on every backend: a page titled with the query's word comes before short
documents that only mention it.

SQLite's BM25 saturates a long page's many mentions and favours short documents:
without the title factor (``database.TITLE_FACTOR``) five experts whose function is
"procesregisseur" came before the article "De rol van de procesregisseur". The test
fails on SQLite with the factor set to 1 (tests/search/test_sqlite.py runs it there).
"""

import datetime

import pytest

from search import services
from search.backends import get_backend
from search.documents import IndexedDoc

pytestmark = pytest.mark.django_db

FILLER = (
    "Partners brengen hun informatie samen, maken een plan van aanpak en bewaken de "
    "uitvoering. Het overleg verbindt zorg, straf en bestuur rond complexe casuïstiek. "
)


def article() -> IndexedDoc:
    body = FILLER * 12 + "Een procesregisseur zit het casusoverleg voor. " + FILLER * 12
    return IndexedDoc(
        1,
        "knowledge.expertisearticlepage",
        "/kennis/de-rol-van-de-procesregisseur/",
        "De rol van de procesregisseur",
        "Wat een procesregisseur doet en wanneer.",
        body,
        "achtergrond",
        "",
        datetime.date(2025, 5, 1),
        [],
    )


def expert(number: int) -> IndexedDoc:
    return IndexedDoc(
        100 + number,
        "knowledge.expert",
        f"/experts/{number}/",
        f"Expert {number}",
        "Procesregisseur, Zorg- en Veiligheidshuis",
        "Procesregisseur",
        "expert",
        "",
        None,
        [],
    )


def test_the_page_titled_with_the_word_comes_before_short_documents_with_it(backend_name):
    docs = [article(), *(expert(n) for n in range(1, 6))]
    services.vocabulary_rebuild(texts=[f"{d.title} {d.summary} {d.body}" for d in docs])
    get_backend(backend_name).rebuild(docs, services.lexicon_get(), lambda n: None)

    results = services.search_query(text="procesregisseur", backend=backend_name)

    assert results.total == 6
    assert results.hits[0].url == "/kennis/de-rol-van-de-procesregisseur/"
