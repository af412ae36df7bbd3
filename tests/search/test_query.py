"""How a typed query is parsed: content words, optional words, typos and acronyms.

No database: a lexicon as the site would load it, with the default synonym list.
"""

import pytest

from search import analysis
from search.query import (
    Lexicon,
    anchored_on_the_rarer_word,
    default_synonyms,
    keeps_whole,
    minimum_should_match,
    parse,
)

SITE_WORDS = ["kindermishandeling", "vermoeden", "huiselijk", "geweld", "politie", "jongeren"]
SITE_WORDS += ["radicalisering", "radicaliseren", "wijkteam", "ouders"]


def default_lexicon() -> Lexicon:
    groups, whole = [], set()
    for terms, _note in default_synonyms():
        members = [m.strip() for m in terms.split("=") if m.strip()]
        groups.append(tuple(tuple(analysis.words(m)) for m in members))
        whole.update(tuple(analysis.words(m)) for m in members if keeps_whole(m))
    vocabulary = frozenset(SITE_WORDS)
    return Lexicon(
        vocabulary=vocabulary,
        stems=frozenset(analysis.stem(w) for w in vocabulary),
        sorted_terms=tuple(sorted(vocabulary)),
        synonyms=tuple(groups),
        unsplittable=frozenset(whole),
        frequencies=dict.fromkeys(vocabulary, 5),
    )


LEXICON = default_lexicon()


def texts(clauses):
    return [clause.text for clause in clauses]


def test_a_question_keeps_only_its_content_words():
    query = parse("Wat moet ik doen als ik een vermoeden heb van kindermishandeling?", LEXICON)
    assert texts(query.must) == ["vermoeden", "kindermishandeling?"]
    assert query.ignored == [] and query.corrections == {}


def test_numbers_and_unknown_short_words_are_optional():
    query = parse("jongeren 16 jr radicalisering", LEXICON)
    assert texts(query.must) == ["jongeren", "radicalisering"]
    assert texts(query.should) == ["16", "jr"]
    assert texts(query.scored()) == ["jongeren", "radicalisering", "16", "jr"]


def test_a_query_of_only_a_number_searches_for_it():
    query = parse("2025", LEXICON)
    assert texts(query.must) == ["2025"] and query.should == []


def test_a_dutch_word_the_site_lacks_is_left_out_and_reported_not_corrected():
    query = parse("Janssen bellen politie", LEXICON)
    assert texts(query.must) == ["politie"]
    assert query.ignored == ["Janssen", "bellen"]
    assert query.corrections == {}


def test_a_word_that_is_not_dutch_is_corrected():
    query = parse("radicalisring", LEXICON)
    assert query.corrections == {"radicalisring": "radicalisering"}


def test_a_typed_phrase_is_required_and_other_words_are_relaxable():
    query = parse('"huiselijk geweld" politie jongeren', LEXICON)
    assert [c.required for c in query.must] == [True, False, False]
    assert texts(query.relaxable()) == ["politie", "jongeren"]


def test_a_phrase_drops_stop_words_as_the_index_does():
    (clause,) = parse('"kind in nood"', LEXICON).must
    assert clause.alts[0].stems == (analysis.stem("kind"), analysis.stem("nood"))


@pytest.mark.parametrize(
    ("count", "minimum"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (8, 4), (15, 8)]
)
def test_tier_two_asks_for_half_of_the_content_words_rounded_up(count, minimum):
    assert minimum_should_match(count) == minimum


def test_rarer_words_weigh_more():
    lexicon = Lexicon(
        vocabulary=frozenset({"zorg", "weegtafel"}),
        stems=frozenset({"zorg", "weegtafel"}),
        frequencies={"zorg": 900, "weegtafel": 2},
    )
    common, rare = parse("zorg weegtafel", lexicon).must
    assert rare.weight > common.weight


def test_om_is_the_openbaar_ministerie_only_in_capitals():
    ministerie = (analysis.stem("openbaar"), analysis.stem("ministerie"))
    sentence = parse("wat doe ik om politie te bellen", LEXICON)
    assert texts(sentence.must) == ["politie"]
    (clause,) = parse("OM", LEXICON).must
    assert ministerie in [a.stems for a in clause.alts]


def test_the_longest_synonym_member_wins_and_a_word_serves_one_group():
    (clause,) = parse("Wet verplichte ggz", LEXICON).must  # the Wvggz, not also GGZ
    assert ("wvggz",) in [a.stems for a in clause.alts]


def test_a_law_written_in_quotes_is_not_split_on_en():
    (clause,) = parse("Wzd", LEXICON).must
    alternatives = [a.stems for a in clause.alts]
    assert (analysis.stem("dwang"),) not in alternatives  # not every text about dwang
    assert tuple(analysis.stem(w) for w in ["wet", "zorg", "dwang"]) in alternatives


def test_a_hyphenated_acronym_matches_its_group():
    (clause,) = parse("Top-X", LEXICON).must
    assert ("top600",) in [a.stems for a in clause.alts]


def test_a_word_the_site_uses_only_as_the_head_of_a_compound_is_searched():
    lexicon = Lexicon(
        vocabulary=frozenset({"veiligheidshuis"}),
        stems=frozenset({analysis.stem("veiligheidshuis")}),
        sorted_terms=("veiligheidshuis",),
    )
    query = parse("veiligheid", lexicon)
    assert texts(query.must) == ["veiligheid"] and query.ignored == []


def test_a_flood_of_short_words_keeps_a_bounded_number_of_clauses():
    query = parse(" ".join(f"x{i}" for i in range(60)), LEXICON)
    assert len(query.scored()) <= 40
    assert query.ignored  # the rest is named as not used


def alts_of(text):
    (clause,) = parse(text, LEXICON).must
    return {(alt.stems, alt.phrase) for alt in clause.alts}


def test_two_typed_words_that_form_a_site_compound_find_it_unless_they_are_stop_words():
    lexicon = _with_words(LEXICON, "weegtafel", "bijeen", "gezin")
    assert texts(parse("weeg tafel", lexicon).must) == ["weeg tafel"]
    # "bij een gezin" is no question about *bijeen* (as in "bijeenkomst").
    assert texts(parse("bij een gezin", lexicon).must) == ["gezin"]


def test_an_unknown_compound_is_searched_by_its_parts_side_by_side_or_apart():
    # "politiegeweld" is no word of the site; its parts are, and may stand apart. Side
    # by side the index holds them joined (a Dutch word): its own stem finds them.
    parts = (analysis.stem("politie"), analysis.stem("geweld"))
    assert analysis.stem("politiegeweld") in analysis.analyse("Politie geweld.")[1].split()
    assert {((analysis.stem("politiegeweld"),), False), (parts, False)} <= alts_of("politiegeweld")
    assert (parts, True) not in alts_of("politiegeweld")  # no phrase to check row by row
    # A compound that is no Dutch word is not joined in the index: a phrase finds it.
    parts = (analysis.stem("huiselijk"), analysis.stem("geweld"))
    assert analysis.analyse("Huiselijk geweld.")[1] == ""
    assert (parts, True) in alts_of("huiselijkgeweld")


def test_an_unknown_compound_is_never_searched_by_one_part_alone():
    stems = {stem for stems, _phrase in alts_of("politiegeweld") for stem in stems}
    alone = {stems for stems, _phrase in alts_of("politiegeweld") if len(stems) == 1}
    assert alone == {(analysis.stem("politiegeweld"),)}
    assert stems >= {analysis.stem("politie"), analysis.stem("geweld")}


def test_another_form_of_a_compounds_last_part_finds_the_compound():
    # The site writes only *kindermishandeling*; "mishandelde" shares its last part.
    query = parse("mishandelde", LEXICON)
    assert query.ignored == []
    assert ((analysis.stem("kindermishandeling"),), False) in alts_of("mishandelde")


def test_an_unknown_compound_whose_head_the_site_writes_only_in_compounds_finds_those():
    # The site has *kindermishandeling* but never "mishandeling" alone: "ouderenmishandeling"
    # is searched as ouderen (a stem the site has: jongeren, ouders) with the compound.
    lexicon = _with_words(LEXICON, "ouderen")
    parts = analysis.decompose("ouderenmishandeling", lexicon.vocabulary)
    assert parts == ["ouderen", "mishandeling"]
    wanted = (analysis.stem("ouderen"), analysis.stem("kindermishandeling"))
    assert wanted in {alt.stems for alt in parse("ouderenmishandeling", lexicon).must[0].alts}


def test_a_verb_in_the_first_person_finds_its_infinitive():
    # Snowball stems "herken" to herk, and *herkennen* to herken.
    lexicon = _with_words(LEXICON, "herkennen")
    (clause,) = parse("hoe herken ik", lexicon).must
    assert (analysis.stem("herkennen"),) in {alt.stems for alt in clause.alts}
    assert parse("hoe herken ik", lexicon).ignored == []


def test_a_rare_dictionary_spelling_is_corrected_into_a_common_word():
    # "huislijk" is in the Dutch word list, at its floor count; *huiselijk* is common.
    assert analysis.is_dutch("huislijk") and not analysis.is_common_dutch("huislijk")
    assert parse("huislijk geweld", LEXICON).corrections == {"huislijk": "huiselijk"}


def test_a_common_dutch_word_is_never_corrected():
    assert analysis.is_common_dutch("bellen")
    assert parse("bellen", LEXICON).corrections == {}


def _with_words(lexicon: Lexicon, *words: str) -> Lexicon:
    vocabulary = lexicon.vocabulary | set(words)
    return Lexicon(
        vocabulary=vocabulary,
        stems=frozenset(analysis.stem(w) for w in vocabulary),
        sorted_terms=tuple(sorted(vocabulary)),
        synonyms=lexicon.synonyms,
        unsplittable=lexicon.unsplittable,
        frequencies=dict.fromkeys(vocabulary, 5),
    )


@pytest.mark.parametrize(
    ("question", "verb", "infinitive"),
    [
        ("hoe meld ik een casus aan", "meld", "aanmelden"),
        ("wanneer schakel ik Veilig Thuis in?", "schakel", "inschakelen"),
        # The site may write only the third person: "als u Veilig Thuis inschakelt".
        ("wanneer schakel ik Veilig Thuis in?", "schakel", "inschakelt"),
    ],
)
def test_a_separable_verb_typed_apart_finds_the_verb_written_whole(question, verb, infinitive):
    lexicon = _with_words(LEXICON, "melden", infinitive)
    clause = next(c for c in parse(question, lexicon).must if c.text == verb)
    assert (analysis.stem(infinitive),) in {alt.stems for alt in clause.alts}


def test_a_particle_makes_no_verb_the_dictionary_lacks():
    # "bescherm ... voor" is no Dutch verb "voorbeschermen": nothing is added.
    lexicon = _with_words(LEXICON, "beschermen")
    clause = next(c for c in parse("hoe bescherm ik jongeren voor drugs", lexicon).must)
    assert {alt.stems for alt in clause.alts} == {
        (analysis.stem("bescherm"),),
        (analysis.stem("beschermen"),),
    }


def test_of_two_words_tier_two_keeps_the_rarer_one_required():
    lexicon = _with_words(LEXICON, "aanvragen")
    lexicon.frequencies.update({"aanvragen": 40, "radicalisering": 2})
    query = parse("radicalisering aanvragen", lexicon)
    anchored = anchored_on_the_rarer_word(query)
    assert anchored is not None
    assert [(c.text, c.required) for c in anchored.must] == [("radicalisering", True)]
    assert texts(anchored.should) == ["aanvragen"]


def test_two_equally_rare_words_are_not_anchored():
    assert anchored_on_the_rarer_word(parse("politie jongeren", LEXICON)) is None
