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


def test_an_expert_profile_weighs_less_than_a_page_on_the_subject(backend_name):
    # Neither title has the word: an article that discusses it, and an expert whose
    # function it is. A profile is a short list of labels, which full-text ranking
    # favours; documents.KIND_RANK_FACTORS halves it.
    body = FILLER * 2 + "De procesregisseur bewaakt het plan van aanpak. " + FILLER * 2
    page = IndexedDoc(
        1,
        "knowledge.expertisearticlepage",
        "/kennis/regie-op-complexe-casuistiek/",
        "Regie op complexe casuïstiek",
        "Wie houdt de regie?",
        body,
        "achtergrond",
        "",
        datetime.date(2025, 5, 1),
        [],
    )
    docs = [page, expert(1)]
    services.vocabulary_rebuild(texts=[d.text for d in docs])
    get_backend(backend_name).rebuild(docs, services.lexicon_get(), lambda n: None)

    results = services.search_query(text="procesregisseur", backend=backend_name)

    assert [hit.url for hit in results.hits] == [
        "/kennis/regie-op-complexe-casuistiek/",
        "/experts/1/",
    ]
