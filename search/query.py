"""Parse what users type into a backend-neutral query, expanded for Dutch.

Syntax: words (all must match), "exact phrase", -exclude, -"excluded phrase",
a OR b. Each word is expanded to alternatives: its stem, its compound parts as a
phrase (huiselijkgeweld -> "huiselijk geweld"), the synonyms staff manage
(HGKM -> huiselijk geweld en kindermishandeling), and, when the word is not in the
vocabulary, the closest vocabulary word (typo tolerance, "Bedoelde u ...?").
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from . import analysis

MAX_COMPOUND_ALTS = 8
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')

# What the user typed, token by token: (kind, value, negated). Kinds: "word", "phrase",
# "or", and "joined" (two words that form a vocabulary compound; value is the pair).
Token = tuple[str, str, bool]
JoinedToken = tuple[str, str | tuple[str, str], bool]


@dataclass(frozen=True)
class Alt:
    """One way to satisfy a clause: all ``stems`` (adjacent and in order if phrase)."""

    stems: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False  # the last stem is a prefix (suggestions)


@dataclass
class Clause:
    alts: list[Alt]
    text: str  # what the user typed, for messages


@dataclass
class ParsedQuery:
    must: list[Clause] = field(default_factory=list)
    must_not: list[Clause] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> corrected
    ignored: list[str] = field(default_factory=list)  # words no document contains

    @property
    def empty(self) -> bool:
        return not self.must

    def highlight_stems(self) -> set[str]:
        return {s for clause in self.must for alt in clause.alts for s in alt.stems}

    def corrected_text(self, original: str) -> str:
        text = original
        for wrong, right in self.corrections.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text, flags=re.IGNORECASE)
        return text


@dataclass
class Lexicon:
    """What expansion needs: the vocabulary and the synonym groups (folded words)."""

    vocabulary: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    synonyms: tuple[tuple[tuple[str, ...], ...], ...] = ()  # groups of word tuples
    frequencies: dict[str, int] = field(default_factory=dict)
    sorted_terms: tuple[str, ...] = ()  # the vocabulary of the index, sorted (completion)
    theme_labels: dict[str, str] = field(default_factory=dict)  # slug -> name (facets)
    # Synonym members written with a Dutch elliptical compound ("Zorg- en
    # Veiligheidshuis"): "zorg" there is not a term of its own, so such a member is
    # never split on "en"/"of" (which would let "ZVH" match every text about zorg).
    unsplittable: frozenset[tuple[str, ...]] = frozenset()


ELLIPTICAL_COMPOUND = re.compile(r"\w-\s+(?:en|of)\s+\w", re.IGNORECASE)


def is_elliptical(text: str) -> bool:
    """True for "Zorg- en Veiligheidshuis"-style text (a hyphen standing for a shared tail)."""
    return bool(ELLIPTICAL_COMPOUND.search(text))


def parse(text: str, lexicon: Lexicon, *, prefix: bool = False) -> ParsedQuery:
    query = ParsedQuery()
    text = (text or "").strip()[:200]
    raw: list[Token] = []
    for match in TOKEN.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            raw.append(("phrase", phrase, bool(negated)))
        elif word == "OR":
            raw.append(("or", word, False))
        elif word.startswith("-") and len(word) > 1:
            raw.append(("word", word[1:], True))
        else:
            raw.append(("word", word, False))

    positive_words = [v for k, v, neg in raw if k == "word" and not neg]
    used_by_synonym = _synonym_clauses(positive_words, lexicon, query)

    tokens = _join_split_compounds(raw, lexicon)
    pending_or = False
    last_index = max(
        (i for i, (k, _, neg) in enumerate(tokens) if k == "word" and not neg), default=-1
    )
    clause: Clause | None
    for i, (kind, value, negated) in enumerate(tokens):
        if isinstance(value, tuple):  # kind "joined"
            first, second = value
            clause = Clause(
                [
                    Alt((analysis.stem(first), analysis.stem(second)), phrase=True),
                    Alt((analysis.stem(first + second),)),
                ],
                f"{first} {second}",
            )
            query.must.append(clause)
            continue
        if kind == "or":
            pending_or = bool(query.must)
            continue
        if kind == "phrase":
            stems = tuple(analysis.stem(w) for w in analysis.words(value))
            clause = Clause([Alt(stems, phrase=len(stems) > 1)], value) if stems else None
        else:
            if not negated and value.lower() in used_by_synonym:
                continue
            clause = _word_clause(value, lexicon, query, prefix=prefix and i == last_index)
        if clause is None:
            continue
        if negated:
            query.must_not.append(clause)
        elif pending_or and query.must:
            query.must[-1].alts.extend(clause.alts)
            query.must[-1].text += f" OR {clause.text}"
        else:
            query.must.append(clause)
        pending_or = False
    return query


def _join_split_compounds(raw: list[Token], lexicon: Lexicon) -> list[JoinedToken]:
    """Two typed words that together form a vocabulary word ("weeg tafel") also find
    the compound ("weegtafel"): the other direction of compound handling."""
    out: list[JoinedToken] = []
    i = 0
    while i < len(raw):
        kind, value, negated = raw[i]
        if (
            kind == "word"
            and not negated
            and i + 1 < len(raw)
            and raw[i + 1][0] == "word"
            and not raw[i + 1][2]
        ):
            first, second = analysis.fold(value), analysis.fold(raw[i + 1][1])
            if first.isalpha() and second.isalpha() and first + second in lexicon.vocabulary:
                out.append(("joined", (first, second), False))
                i += 2
                continue
        out.append(raw[i])
        i += 1
    return out


def _word_clause(word: str, lexicon: Lexicon, query: ParsedQuery, *, prefix: bool) -> Clause | None:
    folded = analysis.words(word)
    if not folded:
        return None
    if len(folded) > 1:  # e.g. "zorg-en-veiligheid": treat as a phrase
        return Clause([Alt(tuple(analysis.stem(w) for w in folded), phrase=True)], word)
    token = folded[0]
    if token in analysis.STOPWORDS and not prefix:
        return None
    if prefix:
        return Clause([Alt((token,), prefix=True), Alt((analysis.stem(token),))], word)
    stemmed = analysis.stem(token)
    alts = [Alt((stemmed,))]
    known = token in lexicon.vocabulary or stemmed in lexicon.stems
    parts = analysis.decompose(token, lexicon.vocabulary)
    if parts:
        # Both ways: the compound typed as one word finds the words written apart.
        alts.append(Alt(tuple(analysis.stem(p) for p in parts), phrase=True))
    if not known and token.isalpha() and len(token) >= 5:
        # The word as the last part of compounds whose head is not a word of its own
        # ("uitbuiting" finds "arbeidsuitbuiting"): cheap suffix scan of the vocabulary.
        compounds = sorted(
            (w for w in lexicon.vocabulary if w.endswith(token) and len(w) - len(token) >= 3),
            key=lambda w: -lexicon.frequencies.get(w, 0),
        )[:MAX_COMPOUND_ALTS]
        alts.extend(Alt((analysis.stem(w),)) for w in compounds)
        known = bool(compounds)
    if not known and not parts and lexicon.vocabulary and token.isalpha() and len(token) >= 4:
        corrected = correct(token, lexicon)
        if corrected:
            query.corrections[word] = corrected
            alts.append(Alt((analysis.stem(corrected),)))
            corrected_parts = analysis.decompose(corrected, lexicon.vocabulary)
            if corrected_parts:
                alts.append(Alt(tuple(analysis.stem(p) for p in corrected_parts), phrase=True))
        elif lexicon.vocabulary and token.isalpha():
            # A word no document contains and nothing close to it: leave it out rather
            # than let it turn every result away ("dpia casusoverleg" -> "dpia").
            query.ignored.append(word)
            return None
    return Clause(alts, word)


def correct(token: str, lexicon: Lexicon) -> str | None:
    """The closest vocabulary word (Levenshtein ratio >= 80), most frequent on a tie."""
    candidates = process.extract(
        token,
        lexicon.vocabulary,
        scorer=fuzz.ratio,
        limit=5,
        score_cutoff=80,
    )
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[1], lexicon.frequencies.get(c[0], 0)))
    return best[0]


def _synonym_clauses(words: list[str], lexicon: Lexicon, query: ParsedQuery) -> set[str]:
    """Add one clause per synonym group found in the typed words; return the words used."""
    folded = [analysis.fold(w) for w in words]
    used: set[str] = set()
    for group in lexicon.synonyms:
        for member in group:
            n = len(member)
            hit = next(
                (i for i in range(len(folded) - n + 1) if tuple(folded[i : i + n]) == member), None
            )
            if hit is None:
                continue
            alts = []
            for other in group:
                # "A en B" (HGKM = huiselijk geweld en kindermishandeling) covers A
                # and B each; within a part all words must occur, in any order.
                parts = [other] if other in lexicon.unsplittable else _split_on(other, ("en", "of"))
                for part in parts:
                    content = [w for w in part if w not in analysis.STOPWORDS] or list(part)
                    alts.append(Alt(tuple(analysis.stem(w) for w in content), phrase=False))
            query.must.append(Clause(alts, " ".join(words[hit : hit + n])))
            used.update(w.lower() for w in words[hit : hit + n])
            break
    return used


def _split_on(words: tuple[str, ...], separators: tuple[str, ...]) -> list[tuple[str, ...]]:
    parts: list[tuple[str, ...]] = []
    current: list[str] = []
    for word in words:
        if word in separators and current:
            parts.append(tuple(current))
            current = []
        elif word not in separators:
            current.append(word)
    if current:
        parts.append(tuple(current))
    return parts or [words]
