"""The backend contract: every backend answers these the same way.

Runs on the session's database (PostgreSQL) here, on SQLite through
``test_sqlite.py``, and on Elasticsearch when ELASTICSEARCH_URL is set.
"""

import pytest

pytestmark = pytest.mark.django_db


def ids(results):
    return {hit.page_id for hit in results.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("radicalisering", {1, 2}),  # stem: radicaliseren, geradicaliseerd
        ("radicaliseren", {1, 2}),
        ("geradicaliseerd", {1, 2}),
        ("casuistiek", {3}),  # diacritics folded
        ("casuïstiek", {3}),
        ("veiligheid", {3, 4}),  # compound part: veiligheidshuis
        ("veiligheidshuis", {3, 4}),
        ("huiselijkgeweld", {5}),  # compound typed as one word
        ("huiselijk geweld", {5}),
        ("HGKM", {5}),  # acronym from the synonym list
        ("ZVH", {3, 4}),  # Zorg- en Veiligheidshuis: not every text about zorg
        ("OG", {6, 7}),  # OG = onbegrepen gedrag = verward gedrag
        ("verward gedrag", {6, 7}),
        ("onbegrepen gedrag", {6, 7}),
        ("PGA", {9}),
        ("AVG", {8}),
        ("Wvggz", {6}),
        ("radicalisring", {1, 2}),  # typo
        ('"verward gedrag" -politie', {6}),  # phrase and exclusion
        ("drugs OR weegtafel", {1, 10}),
        ("weeg tafel", {1}),  # two typed words that form a compound
        ("criminaliteit", {10}),  # the tail of drugscriminaliteit
        ("radicaliseren xyzzyq", {1, 2}),  # a word nothing contains is left out
    ],
)
def test_dutch_queries_find_the_expected_documents(corpus_index, query, expected):
    assert ids(corpus_index(query)) == expected


def test_an_exact_phrase_needs_the_words_in_order(corpus_index):
    assert ids(corpus_index('"gedrag verward"')) == set()


def test_a_typo_gets_a_did_you_mean(corpus_index):
    results = corpus_index("radicalisring")
    # The closest word of this corpus (which never writes "radicalisering").
    assert results.did_you_mean == "radicaliseren"


def test_highlights_mark_the_matched_words_whatever_their_form(corpus_index):
    results = corpus_index("radicaliseren")
    snippets = " ".join(str(h.snippet) + str(h.title_html) for h in results.hits)
    assert "<mark>geradicaliseerd</mark>" in snippets
    assert "<mark>radicaliseren</mark>" in snippets


def test_highlighted_snippets_are_escaped(corpus_index):
    results = corpus_index("<script>radicaliseren</script>")
    assert "<script>" not in " ".join(str(h.snippet) for h in results.hits)


def test_facets_count_every_bucket_and_filters_narrow_the_results(corpus_index):
    results = corpus_index("gedrag OR jongeren")
    kinds = {f.value: f.count for f in results.facets["kind"]}
    themes = {f.value: f.count for f in results.facets["theme"]}
    assert themes["onbegrepen-gedrag"] == 2
    assert themes["mensenhandel"] == 0  # all themes shown, also without hits
    assert kinds["trendsignalering"] == 1

    filtered = corpus_index("gedrag OR jongeren", filters={"theme": ["onbegrepen-gedrag"]})
    assert ids(filtered) == {6, 7}
    # The theme facet itself still counts the other themes (disjunctive facets).
    assert {f.value: f.count for f in filtered.facets["theme"]}["jeugd-hic"] >= 1
    assert {f.value for f in filtered.facets["year"]} == {"2024", "2025"}


def test_sort_by_date_puts_the_newest_first(corpus_index):
    results = corpus_index("gedrag", sort="date")
    dates = [h.date for h in results.hits]
    assert dates == sorted(dates, reverse=True)


def test_the_title_weighs_more_than_the_body(corpus_index):
    results = corpus_index("veiligheidshuis")
    assert results.hits[0].page_id == 4


def test_results_are_paginated(corpus_index):
    first = corpus_index("gedrag OR jongeren OR radicaliseren", page_size=2)
    second = corpus_index("gedrag OR jongeren OR radicaliseren", page_size=2, page=2)
    assert first.total == second.total >= 5
    assert first.pages == (first.total + 1) // 2
    assert not ids(first) & ids(second)


def test_nonsense_finds_nothing_and_offers_popular_themes(corpus_index):
    results = corpus_index("xqzwv")
    assert results.total == 0
    assert results.did_you_mean == ""


def test_only_an_exclusion_or_stopwords_find_nothing_without_error(corpus_index):
    assert corpus_index("-radicalisering").total == 0
    assert corpus_index("de het een").total == 0


def test_hostile_syntax_does_not_break_the_backend(corpus_index):
    for text in ['"', "OR", "-", "a:*", "(", "NEAR(x y)", "* & | !", "'", "\\", "🙂"]:
        assert corpus_index(text).total >= 0


def test_suggestions_complete_the_last_word(corpus_index, backend_name):
    from search.services import search_suggest

    data = search_suggest(text="radica", backend=backend_name)
    assert "radicaliseren" in data["terms"] or "radicalisering" in data["terms"]
    assert {p["url"] for p in data["pages"]} >= {"/a/1/"}


def test_suggestions_offer_pages_by_title_not_by_a_mention_in_the_body(corpus_index, backend_name):
    from search.services import search_suggest

    # "weegtafel" is only in the body of /a/1/: the word is completed, no page offered.
    data = search_suggest(text="weegta", backend=backend_name)
    assert "weegtafel" in data["terms"]
    assert data["pages"] == []
    # A title match is offered, with its title and address.
    pages = search_suggest(text="twintig", backend=backend_name)["pages"]
    assert pages == [{"title": "Een geradicaliseerde twintiger keert terug", "url": "/a/2/"}]


def test_with_two_filters_each_facet_counts_against_the_other_filter(corpus_index):
    results = corpus_index(
        "radicaliseren", filters={"theme": ["radicalisering"], "kind": ["casusvoorbeeld"]}
    )
    assert ids(results) == {2}
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert (kinds["achtergrond"], kinds["casusvoorbeeld"]) == (1, 1)
    assert {f.value: f.count for f in results.facets["theme"]}["radicalisering"] == 1
    assert {f.value: f.count for f in results.facets["year"]} == {"2024": 1}


def test_a_page_past_the_last_one_is_empty_but_keeps_the_total(corpus_index):
    results = corpus_index("radicaliseren", page=5)
    assert results.hits == []
    assert results.total == 2


def test_a_renamed_theme_shows_its_new_name_in_the_facets_at_once(corpus_index):
    from knowledge.models import Theme

    corpus_index("radicaliseren")  # the theme names are now cached with the lexicon
    theme = Theme.objects.get(slug="radicalisering")
    theme.name = "Polarisatie en radicalisering"
    theme.save()

    labels = {f.value: f.label for f in corpus_index("radicaliseren").facets["theme"]}
    assert labels["radicalisering"] == "Polarisatie en radicalisering"


def test_a_backend_returns_the_text_a_document_is_indexed_with(corpus_index, backend_name):
    # What the vocabulary counts when a document changes (lexicon.vocabulary_update).
    from search.backends import get_backend
    from tests.search.corpus import DOCS

    texts = get_backend(backend_name).stored_texts([1, 10, 999])
    assert texts == {1: DOCS[0].text, 10: DOCS[9].text}


def test_a_hit_carries_its_themes(corpus_index, backend_name):
    # The theme focus of a long description reads them (tiers._focused_on_themes).
    from search.backends import SearchRequest, get_backend
    from search.query import parse
    from search.services import lexicon_get

    corpus_index("radicaliseren")
    query = parse("jongeren", lexicon_get())
    raw = get_backend(backend_name).search(SearchRequest(query=query))
    assert {page_id: raw.docs[page_id]["themes"] for page_id in raw.page_ids} == {
        1: ["radicalisering"],
        9: ["jeugd-hic"],
        10: ["jeugd-hic"],
    }


def test_a_dutch_compound_finds_a_page_that_writes_it_apart(corpus_index, backend_name):
    # Page 10 writes "drugscriminaliteit"; page 99 "drugs criminaliteit", which the index
    # also holds joined (analysis.joined_compound): both answer, typed either way.
    from search.backends import get_backend
    from search.documents import IndexedDoc
    from search.services import lexicon_get

    apart = IndexedDoc(
        99, "knowledge.expertisearticlepage", "/a/99/", "Samen tegen ondermijning", "",
        "Gemeenten pakken drugs criminaliteit samen aan.", "achtergrond",
    )  # fmt: skip
    get_backend(backend_name).index([apart], lexicon_get())
    assert {10, 99} <= {hit.page_id for hit in corpus_index("drugscriminaliteit").hits}
    assert {10, 99} <= {hit.page_id for hit in corpus_index("drugs criminaliteit").hits}
