"""The Dutch analyzer: one implementation in Python, used for every backend.

Documents and queries go through the same steps, so SQLite FTS5, PostgreSQL and
Elasticsearch see identical tokens:

1. fold: lower case, diacritics removed (casuïstiek -> casuistiek);
2. tokenize on letters and digits;
3. drop stop words (``data/stopwords_nl.txt``: also question words and auxiliary
   verbs), in documents and queries alike;
4. stem with the Snowball Dutch stemmer, with exceptions kept as data
   (``data/stem_exceptions_nl.txt``), a conjugated verb form taken to its infinitive
   first (``simplemma``: werkt -> werken) and a ge- correction (see ``stem``);
5. decompound: a long word that splits into known words (the corpus vocabulary,
   the staff-managed synonym list and a Dutch dictionary) also yields its parts
   (veiligheidshuis -> veiligheid + huis), so "veiligheid" finds it.
"""

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import simplemma
import snowballstemmer

WORD = re.compile(r"[^\W_]+(?:[+][+])?", re.UNICODE)
LINKING = ("s", "e", "en", "er")  # Dutch linking morphemes: veiligheid-s-huis
MIN_PART = 3
MIN_COMPOUND = 7

DATA = Path(__file__).parent / "data"


def _data_lines(name: str) -> Iterator[str]:
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


# Never a search term on their own; removed from indexed text and queries alike.
STOPWORDS = frozenset(w for line in _data_lines("stopwords_nl.txt") for w in line.split())
# word -> stem where Snowball merges different words or splits one word's forms.
STEM_EXCEPTIONS: dict[str, str] = {
    form: line.split(":", 1)[0].strip()
    for line in _data_lines("stem_exceptions_nl.txt")
    for form in line.split(":", 1)[1].split()
}
# Decompounding with the Dutch dictionary (not only the site's own words) needs a
# guard against derivations: these never stand as a compound's head or tail
# (verwar-ring, mis-handeling, hulpverlen-ing).
NOT_A_HEAD = frozenset(
    ["aan", "achter", "af", "be", "bij", "door", "er", "ge", "her", "in", "mee", "mis"]
    + ["na", "om", "ont", "onder", "op", "over", "tegen", "toe", "uit", "ver", "voor", "weg"]
)
NOT_A_TAIL = frozenset(
    ["baar", "bare", "heid", "heden", "ing", "ingen", "ling", "lingen", "lijk", "lijke"]
    + ["lijkheid", "loos", "loze", "schap", "schappen", "ster", "sters", "isme", "ismen"]
    + ["isch", "ische", "ring", "tje", "tjes", "achtig", "achtige", "eren", "ende", "enden"]
    + ["nis", "nissen", "sel", "sels", "erij", "erijen"]
)
MIN_DICTIONARY_PART = 4  # three-letter parts only from the site's vocabulary
MIN_PART_COUNT = 100  # a dictionary part must occur this often in the list's corpus

_new = snowballstemmer.stemmer("dutch")
_porter = snowballstemmer.stemmer("dutch_porter")
_UNDOUBLE = re.compile(r"(aa|ee|oo|uu)([^aeiou])$")


def fold(text: str) -> str:
    """Lower case without diacritics: 'Casuïstiek' -> 'casuistiek'."""
    if text.isascii():  # most Dutch text: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens of a text."""
    return [m.group().replace("++", "") for m in WORD.finditer(fold(text))]


def is_acronym(raw: str) -> bool:
    """An all-capitals token such as "OM" or "WAT": kept even where the word is a stop word."""
    letters = [c for c in raw if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def content_words(text: str) -> list[str]:
    """Folded words of a text without its stop words (an acronym like "OM" stays)."""
    return [w for raw, w in _raw_words(text) if w not in STOPWORDS or is_acronym(raw)]


def _raw_words(text: str) -> Iterator[tuple[str, str]]:
    for match in WORD.finditer(text):
        raw = match.group()
        yield raw, fold(raw).replace("++", "")


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each word of the original text, for highlighting.

    Folding keeps offsets only for precomposed characters; we fold per token instead.
    """
    for match in WORD.finditer(text):
        yield match.start(), match.end(), fold(match.group()).replace("++", "")


@cache
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """(all words, common words) of the Dutch word list shipped by ``pyspellchecker``,
    folded; loaded once per process (about 2-5 s and 45 MB, see docs/search.md)."""
    path = resources.files("spellchecker") / "resources" / "nl.json.gz"
    with path.open("rb") as raw, gzip.open(raw) as unzipped:
        counts: dict[str, int] = json.load(unzipped)
    words = {fold(w): n for w, n in counts.items() if len(w) >= 2 and w.isalpha()}
    common = frozenset(w for w, n in words.items() if n >= MIN_PART_COUNT)
    return frozenset(words), common


def dutch_words() -> frozenset[str]:
    """Every word of the Dutch dictionary (331,598): is a typed word Dutch?"""
    return _dictionary()[0]


def dutch_parts() -> frozenset[str]:
    """Dictionary words common enough to be a compound part. The list's rarest entries
    (count below MIN_PART_COUNT: its added words and subtitle noise such as "atie",
    "ties", "situ") would split words wrongly (situ-aties)."""
    return _dictionary()[1]


def is_dutch(word: str) -> bool:
    """True for a word of the Dutch dictionary (folded input)."""
    return word in dutch_words()


def is_common_dutch(word: str) -> bool:
    """True for a dictionary word seen at least MIN_PART_COUNT times in the list's
    corpus. The rarer entries include its spelling slips ("huislijk", 50 against
    *huiselijk*'s 1,214): such a word may still be a typo (``query.correct``)."""
    return word in dutch_parts()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Dutch, corrected where it hurts recall or precision.

    - The exceptions in ``data/stem_exceptions_nl.txt`` come first.
    - The current Snowball Dutch stemmer strips the ge- prefix, which turns words into
      others (geweld -> wel, gemeenten -> meen, gezondheid -> zon); for ge- words we
      use the original Porter-style Dutch stemmer, which keeps the prefix, unless the
      word is a participle of a verb in the dictionary (geradicaliseerd ->
      radicaliseren), where dropping it joins the verb's other forms.
    - Participles keep a double vowel (geradicaliseerd -> radicaliseer) where the
      infinitive has one (radicaliseren -> radicaliser); we undouble a final
      vowel pair and drop a final -t/-d after it (radicaliseert).
    """
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    if not word.isalpha():
        return word
    infinitive = verb_infinitive(word)
    if infinitive is not None:
        return stem(infinitive)
    if word.startswith("ge") and (len(word) <= 8 or not _is_participle(word)):
        result = _porter.stemWord(word)
    else:
        result = _new.stemWord(word)
    if len(result) > 5 and result.endswith(("eert", "eerd", "aart", "aard", "oort", "oord")):
        result = result[:-1]
    return _UNDOUBLE.sub(lambda m: m.group(1)[0] + m.group(2), result)


# Conjugated forms Snowball leaves alone: the third person (werkt, inschakelt), the
# participle (gesignaleerd) and the past tense (mishandelde). Forms ending in -en are
# not taken: a strong participle is often a word of its own (besloten, betrokken).
VERB_FORM_ENDINGS = ("t", "d", "de", "te")


@lru_cache(maxsize=200_000)
def verb_infinitive(word: str) -> str | None:
    """The infinitive of a conjugated verb form, or None.

    Snowball Dutch strips no -t, so *werkt* and *werken* never met ("hoe werkt de
    weegtafel" missed pages that say *werken*). simplemma's Dutch lemma list knows the
    forms, strong verbs too (*vindt* -> vinden, *bezochte* -> bezoeken). Only a lemma
    that is an infinitive (-en) and starts like the word counts (after a ge- prefix):
    a lemma list also maps *beste* to goed and *vaart* to ervaren.
    """
    if len(word) < 4 or not word.endswith(VERB_FORM_ENDINGS):
        return None
    lemma = simplemma.lemmatize(word, lang="nl")
    if lemma == word or not lemma.endswith("en") or not (lemma.isalpha() and lemma.islower()):
        return None
    start = word[2:4] if word.startswith("ge") and not lemma.startswith("ge") else word[:2]
    return lemma if lemma.startswith(start) else None


_PARTICIPLE = re.compile(r"^ge([a-z]{3,}?)(?:d|t)(?:e|en)?$")


def _is_participle(word: str) -> bool:
    """ge-X-d/t(e/en) where X+en is a Dutch verb: gesignaleerd (signaleren), gestopt."""
    match = _PARTICIPLE.match(word)
    if not match:
        return False
    body = _UNDOUBLE.sub(lambda m: m.group(1)[0] + m.group(2), match.group(1))
    dictionary = dutch_words()
    return any(f"{b}en" in dictionary for b in (body, body + body[-1], match.group(1)))


def decompose(word: str, vocabulary: frozenset[str] | set[str]) -> list[str] | None:
    """Split a compound into known words, longest head first; None if it does not split.

    Parts come from ``vocabulary`` (folded site words, without stopwords, see
    ``vocabulary_words``) and from the Dutch dictionary (parts of four letters or
    more), so "mishandeling" finds *ouderenmishandeling* even when the site never
    writes "ouderen" alone. The word must be at least seven letters; verbal prefixes
    and derivational suffixes never count as a part (bestaan is not best + aan,
    verwarring not verwar + ring).
    """
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return None
    if isinstance(vocabulary, frozenset):
        return _decompose_cached(word, vocabulary)
    return _decompose(word, vocabulary, 0)


@lru_cache(maxsize=100_000)
def _decompose_cached(word: str, vocabulary: frozenset[str]) -> list[str] | None:
    return _decompose(word, vocabulary, 0)


def _deeper(tail: str, vocabulary, depth: int) -> list[str] | None:
    if isinstance(vocabulary, frozenset) and depth == 1:
        return _decompose_cached(tail, vocabulary)  # the same tails recur in many words
    return _decompose(tail, vocabulary, depth)


def _is_part(part: str, vocabulary, *, head: bool) -> bool:
    if part in (NOT_A_HEAD if head else NOT_A_TAIL) or part in STOPWORDS:
        return False
    if part in vocabulary:
        return True
    return len(part) >= MIN_DICTIONARY_PART and part in dutch_parts()


def _decompose(word: str, vocabulary, depth: int) -> list[str] | None:
    if depth > 3:
        return None
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, rest = word[:cut], word[cut:]
        if not _is_part(head, vocabulary, head=True):
            continue
        for link in ("", *LINKING):
            if link and not rest.startswith(link):
                continue
            tail = rest[len(link) :]
            if len(tail) < MIN_PART:
                continue
            if _is_part(tail, vocabulary, head=False):
                return [head, tail]
            deeper = _deeper(tail, vocabulary, depth + 1) if len(tail) >= MIN_COMPOUND else None
            if deeper:
                return [head, *deeper]
    return None


def analyse(text: str, vocabulary=frozenset()) -> tuple[str, str]:
    """(stems, compound parts) of a text, each a space-separated string.

    Stop words are left out here as they are in queries, so a phrase matches the same
    way whichever stop words stand between its words. Stems keep word order (for
    phrase search); the parts of compounds go into a separate field so phrases are
    not broken by them.
    """
    stems: list[str] = []
    parts: list[str] = []
    previous = ""
    for word in content_words(text):
        stems.append(stem(word))
        split = decompose(word, vocabulary)
        if split:
            parts.extend(stem(p) for p in split)
        joined = joined_compound(previous, word)
        if joined:
            parts.append(stem(joined))
        previous = word
    return " ".join(stems), " ".join(parts)


def joined_compound(first: str, second: str) -> str:
    """The Dutch word two folded words written apart form ("drugs criminaliteit" ->
    drugscriminaliteit), or "". The index holds it with the compound parts, so a query
    for the compound finds the words written apart without a phrase search (which
    PostgreSQL must check row by row: 27 of 36 ms for "drugscriminaliteit" at 100k
    documents). Dictionary words only: unlike the site's vocabulary, the dictionary
    does not change between indexing and searching."""
    if not (first.isalpha() and second.isalpha()):  # two words, not one
        return ""
    word = first + second
    return word if is_joined_when_apart(word) else ""


def is_joined_when_apart(word: str) -> bool:
    """Whether the index holds ``word`` (folded) joined wherever a text writes it as
    two words (``joined_compound``): a Dutch dictionary word of MIN_COMPOUND letters."""
    return word.isalpha() and len(word) >= MIN_COMPOUND and is_dutch(word)


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """Folded words worth keeping in the vocabulary (for decompounding and typos)."""
    found: set[str] = set()
    for text in texts:
        found.update(
            w for w in words(text) if len(w) >= MIN_PART and w.isalpha() and w not in STOPWORDS
        )
    return found
