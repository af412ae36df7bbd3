"""Synonym groups staff manage: how a typed acronym expands."""

from search.query import Lexicon, is_elliptical, parse

ZVH = (("zvh",), ("zorg", "en", "veiligheidshuis"), ("veiligheidshuis",))
HGKM = (("hgkm",), ("huiselijk", "geweld", "en", "kindermishandeling"))


def alternatives(text, lexicon):
    (clause,) = parse(text, lexicon).must
    return {alt.stems for alt in clause.alts}


def test_an_acronym_for_two_things_matches_either_of_them():
    lexicon = Lexicon(synonyms=(HGKM,))
    stems = alternatives("HGKM", lexicon)
    assert ("kindermishandel",) in stems or ("kindermishandeling",) in stems
    assert any(len(alt) == 2 for alt in stems)  # huiselijk geweld, both words


def test_an_elliptical_compound_is_not_split_into_a_loose_word():
    lexicon = Lexicon(synonyms=(ZVH,), unsplittable=frozenset({ZVH[1]}))
    stems = alternatives("ZVH", lexicon)
    # "Zorg- en Veiligheidshuis" needs both parts; "zorg" alone would match everything.
    assert not any(alt == ("zorg",) for alt in stems)
    assert any("zorg" in alt and len(alt) == 2 for alt in stems)


def test_elliptical_compounds_are_recognised():
    assert is_elliptical("Zorg- en Veiligheidshuis")
    assert is_elliptical("jeugd- of jongerenwerk")
    assert not is_elliptical("huiselijk geweld en kindermishandeling")
    assert not is_elliptical("e-mail en post")
