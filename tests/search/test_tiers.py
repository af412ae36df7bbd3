"""Matching in tiers, on every backend: questions and case descriptions find pages.

Tier 1 needs every content word; when it finds fewer than ten pages (a page of results), tier 2 needs
half of them (rounded up) and then one, pages with more of the words first; of two
words, the rarer one. The result says which words no result has and what each
partial hit lacks.
"""

import pytest

pytestmark = pytest.mark.django_db


def ids(results):
    return [hit.page_id for hit in results.hits]


def test_one_content_word_is_never_relaxed(corpus_index):
    results = corpus_index("Wat is radicaliseren?")
    assert set(ids(results)) == {1, 2}
    assert not results.partial and results.unused_words == []


def test_the_page_with_every_word_stays_first_when_too_few_have_them_all(corpus_index):
    results = corpus_index("geradicaliseerd gemeente")
    assert ids(results)[0] == 2
    assert results.complete_total == 1 and results.partial
    assert results.hits[0].missing_words == []


def test_a_question_finds_the_page_with_all_its_content_words_first(corpus_index):
    results = corpus_index("Wat moet ik doen als jongeren radicaliseren?")
    assert ids(results)[0] == 1  # the only page with both content words
    assert results.complete_total == 1
    assert results.partial  # the pages with the rarer word follow
    # Of two words the rarer one holds in tier 2: pages 9 and 10 (on jongeren only:
    # the persoonsgerichte aanpak, jongerenwerk) answer no question on radicalising.
    assert set(ids(results)) == {1, 2}
    assert [hit.missing_words for hit in results.hits[1:]] == [["jongeren"]]


def test_a_case_description_finds_pages_despite_words_no_page_has(corpus_index):
    text = (
        "Een jongen van 17 is geradicaliseerd. Zijn ouders maken zich zorgen, hij gebruikt drugs."
    )
    results = corpus_index(text)
    assert results.total > 0
    assert results.complete_total == 0 and results.partial
    # Words no document has are named, numbers included; they block nothing.
    assert {"jongen", "17", "ouders", "maken"} <= set(results.unused_words)
    assert {1, 2, 10} <= set(ids(results))


def test_pages_matching_more_of_the_words_come_first(corpus_index):
    results = corpus_index("radicaliseren jongeren drugs")
    # Pages 1 (radicaliseren, jongeren) and 10 (jongeren, drugs) have two words each.
    assert set(ids(results)[:2]) == {1, 10}
    assert set(ids(results)[2:]) == {2, 9}
    first = results.hits[0]
    assert first.missing_words in (["drugs"], ["radicaliseren"])


def test_a_number_never_blocks_a_query(corpus_index):
    results = corpus_index("radicaliseren 2025")
    assert set(ids(results)) == {1, 2}
    assert results.unused_words == ["2025"]


def test_a_dutch_word_no_page_has_is_named_not_corrected(corpus_index):
    results = corpus_index("jongeren radicaliseren bellen")
    assert set(ids(results)) == {1, 2}
    assert results.did_you_mean == ""
    assert results.unused_words == ["bellen"]


def test_a_typed_phrase_holds_in_every_tier(corpus_index):
    results = corpus_index('"verward gedrag" politie radicaliseren')
    assert ids(results) == [7]  # 6 has the phrase but neither other word
    assert results.partial and results.unused_words == ["radicaliseren"]
    assert results.hits[0].missing_words == []  # named once, above the results


def test_a_compound_is_found_by_a_part_only_the_dictionary_knows(corpus_index):
    # "escalatie" never stands alone in the corpus: only in "escalatiemodel".
    assert ids(corpus_index("escalatie")) == [3]


def test_the_results_page_says_which_words_were_not_used(client, corpus_index):
    response = client.get("/zoeken/", {"q": "Wat moet ik doen als jongeren radicaliseren in 2025?"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Resultaten voor een deel van uw zoekwoorden." in html
    assert "Niet gebruikt (in geen enkel resultaat gevonden):" in html
    assert "<s>2025</s>" in html  # the word, not its question mark
    assert "Ontbreekt:" in html


def test_a_compound_the_site_never_writes_is_found_by_each_of_its_parts(client, corpus_index):
    # No page has "jeugdgeweld", nor jeugd and geweld together: then each part is a
    # word of its own, and pages on either answer (9 and 10 on jeugd, 5 on geweld).
    results = corpus_index("jeugdgeweld")
    assert set(ids(results)) == {5, 9, 10}
    assert results.partial and results.complete_total == 0
    assert {tuple(hit.missing_words) for hit in results.hits} == {("jeugd",), ("geweld",)}
    assert results.split_words == {"jeugdgeweld": ["jeugd", "geweld"]}
    html = client.get("/zoeken/", {"q": "jeugdgeweld"}).content.decode()
    assert "Geen pagina bevat “jeugdgeweld”. Gezocht op de delen: jeugd, geweld." in html


def test_a_compound_that_few_pages_have_by_both_parts_is_split_too(corpus_index, backend_name):
    # A theme page listing a page on jeugd and one on geweld has both parts: one hit
    # is too little, so the parts are searched one by one as well, that page first.
    from search.backends import get_backend
    from search.documents import IndexedDoc
    from search.services import lexicon_get

    theme_page = IndexedDoc(
        99, "knowledge.themepage", "/a/99/", "Jeugd", "Het thema jeugd.", "", "thema",
        listing="Geweld in het uitgaansleven",
    )  # fmt: skip
    get_backend(backend_name).index([theme_page], lexicon_get())
    results = corpus_index("jeugdgeweld")
    assert ids(results)[0] == 99
    assert set(ids(results)) == {5, 9, 10, 99}
    assert results.split_words == {"jeugdgeweld": ["jeugd", "geweld"]}


def test_a_compound_with_a_part_the_site_never_writes_is_not_split(corpus_index):
    # "parkeervergunning" is no question about every page with a "vergunning" (or a
    # "gedrag", a word the corpus has): with a part the site lacks it finds nothing.
    assert corpus_index("parkeergedrag").total == 0


def test_two_words_of_which_no_page_has_one_find_nothing_but_offer_the_other(client, corpus_index):
    # "verlengen" is a common Dutch word on no page: pages that mention radicalising
    # do not answer "radicaliseren verlengen"; they are offered, not shown.
    results = corpus_index("radicaliseren verlengen")
    assert results.total == 0 and results.hits == []
    assert results.narrower == {"missing": "verlengen", "text": "radicaliseren", "total": 2}
    html = client.get("/zoeken/", {"q": "radicaliseren verlengen"}).content.decode()
    assert "Geen enkele pagina bevat “verlengen”." in html
    assert '<a href="?q=radicaliseren">Zoek alleen op “radicaliseren”</a> (2 resultaten).' in html


def test_a_word_that_is_no_dutch_word_is_left_out_and_the_rest_answers(corpus_index):
    # An acronym or a name the site lacks is no question of its own.
    results = corpus_index("radicaliseren xqzv")
    assert set(ids(results)) == {1, 2} and results.narrower == {}
    assert results.unused_words == ["xqzv"]


LONG_DESCRIPTION = (
    "Een twintiger kwam geradicaliseerd terug naar zijn gemeente. Partners blikken "
    "met hem op de weegtafel."
)


def test_a_long_description_ranks_the_pages_on_its_best_hits_theme_higher(
    corpus_index, monkeypatch
):
    # The best hit (2, on radicalisering) says what the case is about: the weegtafel
    # article (1, same theme) comes before the anniversary news (4), which shares
    # more of the description's common words (terug, partners, blikken).
    from search import tiers

    focused = ids(corpus_index(LONG_DESCRIPTION))
    monkeypatch.setattr(tiers, "THEME_FOCUS_MIN_WORDS", 99)
    unfocused = ids(corpus_index(LONG_DESCRIPTION))
    assert unfocused[:3] == [2, 4, 1]
    assert focused[:3] == [2, 1, 4]
    assert sorted(focused) == sorted(unfocused)  # the same pages match
