"""The Dutch analyzer: one implementation in Python, used for every backend.

Documents and queries go through the same steps, so SQLite FTS5, PostgreSQL and
Elasticsearch see identical tokens:

1. fold: lower case, diacritics removed (casuïstiek -> casuistiek);
2. tokenize on letters and digits;
3. stem with the Snowball Dutch stemmer, with two corrections (see ``stem``);
4. decompound: a long word that splits into known words (from the corpus
   vocabulary and the staff-managed synonym list) also yields its parts
   (veiligheidshuis -> veiligheid + huis), so "veiligheid" finds it.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+(?:[+][+])?", re.UNICODE)
LINKING = ("s", "e", "en", "er")  # Dutch linking morphemes: veiligheid-s-huis
MIN_PART = 3
MIN_COMPOUND = 7

# Frequent words dropped from free-text queries (kept in the index for phrases).
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "in",
        "op",
        "te",
        "van",
        "voor",
        "met",
        "aan",
        "bij",
        "door",
        "naar",
        "om",
        "over",
        "uit",
        "tot",
        "als",
        "dan",
        "dat",
        "die",
        "dit",
        "deze",
        "wat",
        "wie",
        "hoe",
        "is",
        "zijn",
        "was",
        "wordt",
        "worden",
        "kan",
        "kunnen",
        "er",
        "ook",
        "niet",
        "wel",
        "maar",
        "nog",
        "al",
        "je",
        "u",
        "we",
        "wij",
        "ik",
        "zij",
        "ze",
        "hij",
    ]
)

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


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each word of the original text, for highlighting.

    Folding keeps offsets only for precomposed characters; we fold per token instead.
    """
    for match in WORD.finditer(text):
        yield match.start(), match.end(), fold(match.group()).replace("++", "")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Dutch, corrected where it hurts recall or precision.

    - The current Snowball Dutch stemmer strips the ge- prefix, which turns short
      words into others (geweld -> wel, gedrag -> drag); for short ge- words we use
      the original Porter-style Dutch stemmer, which keeps them.
    - Participles keep a double vowel (geradicaliseerd -> radicaliseer) where the
      infinitive has one (radicaliseren -> radicaliser); we undouble a final
      vowel pair and drop a final -t/-d after it (radicaliseert).
    """
    if not word.isalpha():
        return word
    if word.startswith("ge") and len(word) <= 8:
        result = _porter.stemWord(word)
    else:
        result = _new.stemWord(word)
    if len(result) > 5 and result.endswith(("eert", "eerd", "aart", "aard", "oort", "oord")):
        result = result[:-1]
    return _UNDOUBLE.sub(lambda m: m.group(1)[0] + m.group(2), result)


def decompose(word: str, vocabulary: frozenset[str] | set[str]) -> list[str] | None:
    """Split a compound into known words, longest head first; None if it does not split.

    ``vocabulary`` holds folded words (without stopwords, see ``vocabulary_words``).
    Parts must be at least three letters and the word at least seven, which keeps
    false splits rare (bestaan is not best + aan).
    """
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return None
    return _decompose(word, vocabulary, 0)


def _decompose(word: str, vocabulary, depth: int) -> list[str] | None:
    if depth > 3:
        return None
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, rest = word[:cut], word[cut:]
        if head not in vocabulary:
            continue
        for link in ("", *LINKING):
            if link and not rest.startswith(link):
                continue
            tail = rest[len(link) :]
            if len(tail) < MIN_PART:
                continue
            if tail in vocabulary:
                return [head, tail]
            deeper = _decompose(tail, vocabulary, depth + 1) if len(tail) >= MIN_COMPOUND else None
            if deeper:
                return [head, *deeper]
    return None


def analyse(text: str, vocabulary=frozenset()) -> tuple[str, str]:
    """(stems, compound parts) of a text, each a space-separated string.

    Stems keep word order (for phrase search); the parts of compounds go into a
    separate field so phrases are not broken by them.
    """
    stems: list[str] = []
    parts: list[str] = []
    for word in words(text):
        stems.append(stem(word))
        split = decompose(word, vocabulary) if vocabulary else None
        if split:
            parts.extend(stem(p) for p in split)
    return " ".join(stems), " ".join(parts)


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """Folded words worth keeping in the vocabulary (for decompounding and typos)."""
    found: set[str] = set()
    for text in texts:
        found.update(
            w for w in words(text) if len(w) >= MIN_PART and w.isalpha() and w not in STOPWORDS
        )
    return found
