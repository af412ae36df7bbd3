"""The Dutch analyzer: stop words, stemming exceptions, the dictionary and decompounding.

Pure functions: no database. What a visitor gets from them end to end is in
test_contract.py and test_tiers.py.
"""

import pytest

from search import analysis

STEM = analysis.stem


def test_question_words_and_auxiliary_verbs_are_stop_words():
    for word in ["wat", "wie", "hoe", "waar", "wanneer", "waarom", "welke"]:
        assert word in analysis.STOPWORDS
    for word in ["moet", "heb", "heeft", "kan", "kunnen", "wil", "zou", "doen", "gaat"]:
        assert word in analysis.STOPWORDS
    # Verbs that carry the content of a question are searched.
    for word in ["melden", "zorgen", "signaleren", "vermoeden", "helpen"]:
        assert word not in analysis.STOPWORDS


def test_the_index_drops_the_same_stop_words_as_a_query():
    stems, _parts = analysis.analyse("Wat moet ik doen als een kind in nood is?")
    assert stems.split() == [STEM("kind"), STEM("nood")]


def test_an_acronym_in_capitals_is_kept_even_when_it_spells_a_stop_word():
    stems, _parts = analysis.analyse("Het OM besluit om te vervolgen")
    assert "om" in stems.split()  # the Openbaar Ministerie, once
    assert stems.split().count("om") == 1  # "om te" is not
    assert analysis.is_acronym("OM") and not analysis.is_acronym("Om")


def _exception_lines():
    lines = (analysis.DATA / "stem_exceptions_nl.txt").read_text(encoding="utf-8").splitlines()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            stem, forms = line.split(":", 1)
            yield stem.strip(), forms.split()


@pytest.mark.parametrize(("stem", "forms"), list(_exception_lines()))
def test_every_form_of_an_exception_line_gets_its_stem(stem, forms):
    assert {STEM(form) for form in forms} == {stem}


def test_exception_lines_do_not_share_a_stem():
    stems = [stem for stem, _forms in _exception_lines()]
    assert len(stems) == len(set(stems))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ouders", "ouderen"),  # parents are not the elderly
        ("wet", "weten"),  # law is not to know
        ("mens", "men"),
        ("gemeenten", "men"),  # Snowball's ge- stripping: gemeenten -> meen
        ("gezondheid", "zon"),
        ("gevangenis", "vannis"),
        ("openbaar", "open"),
    ],
)
def test_different_words_keep_different_stems(one, other):
    assert STEM(one) != STEM(other)


@pytest.mark.parametrize(
    "forms",
    [
        ("jongen", "jongens"),
        ("melden", "meldt", "gemeld", "melding"),
        ("gezin", "gezinnen"),
        ("verward", "verwarde"),
        ("gemeente", "gemeenten"),
        ("gesprek", "gesprekken"),
        ("radicaliseren", "geradicaliseerd", "radicaliseert"),
        ("gesignaleerd", "signaleren"),
        ("kind", "kinderen"),
        # Conjugated verb forms, through their infinitive (analysis.verb_infinitive):
        # Snowball strips no -t and no past-tense ending.
        ("werken", "werkt", "werk"),
        ("inschakelen", "inschakelt"),
        ("herkennen", "herkent"),
        ("vinden", "vindt"),
        ("mishandelen", "mishandelde", "mishandeld", "mishandeling"),
        ("bezoeken", "bezochte", "bezoek"),
        ("spijbelen", "spijbelt"),
    ],
)
def test_the_forms_of_one_word_share_a_stem(forms):
    assert len({STEM(form) for form in forms}) == 1


@pytest.mark.parametrize(
    ("form", "word"),
    [
        ("beste", "goed"),  # a lemma list's "best -> good" is not a verb form
        ("vaart", "ervaren"),  # a lemma that does not start like the word
        ("besloten", "besluiten"),  # a strong participle is a word of its own
        ("gegevens", "geven"),  # data, not giving
        ("grote", "groen"),
    ],
)
def test_only_a_conjugated_form_is_taken_to_its_infinitive(form, word):
    assert STEM(form) != STEM(word)


def test_the_dutch_dictionary_knows_words_the_site_may_never_use():
    for word in ["bellen", "janssen", "vermoeden", "ouderenmishandeling", "wijkteam"]:
        assert analysis.is_dutch(word)
    for typo in ["radicalisring", "kindermishandelling", "xyzzyq"]:
        assert not analysis.is_dutch(typo)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        # Parts from the Dutch dictionary: the site need not use them on their own.
        ("kindermishandeling", ["kind", "mishandeling"]),
        ("ouderenmishandeling", ["ouderen", "mishandeling"]),
        ("huisverbod", ["huis", "verbod"]),
        ("zorgmachtiging", ["zorg", "machtiging"]),
        ("crisismaatregel", ["crisis", "maatregel"]),
        ("wijkverpleegkundige", ["wijk", "verpleegkundige"]),
        ("escalatiemodel", ["escalatie", "model"]),
        ("drugscriminaliteit", ["drugs", "criminaliteit"]),  # linking s
    ],
)
def test_compounds_of_the_field_split_with_the_dictionary(word, parts):
    assert analysis.decompose(word, frozenset()) == parts


def test_a_three_letter_part_comes_only_from_the_sites_vocabulary():
    assert analysis.decompose("jeugdwet", frozenset()) is None
    assert analysis.decompose("jeugdwet", frozenset({"jeugd", "wet"})) == ["jeugd", "wet"]


@pytest.mark.parametrize(
    "word",
    ["verwarring", "mishandeling", "jongeren", "bestaan", "gemeente", "radicalisering"],
)
def test_derivations_and_inflections_are_not_split(word):
    assert analysis.decompose(word, frozenset({"aan", "best", "oud", "jong"})) is None
