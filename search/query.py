"""Parse what users type into a backend-neutral query, expanded for Dutch.

Syntax: words, "exact phrase", -exclude, -"excluded phrase", a OR b. Each word is
expanded to alternatives: its stem, its compound parts as a phrase (huiselijkgeweld
-> "huiselijk geweld"), the synonyms staff manage (HGKM -> huiselijk geweld en
kindermishandeling), and, when the word is neither Dutch nor in the vocabulary, the
closest vocabulary word (typo tolerance, "Bedoelde u ...?").

Matching is tiered (``services.search_query``): first every clause of ``must``; when
that finds fewer than ``TIER1_MIN_RESULTS`` pages, at least ``minimum_should_match``
of the content clauses (``relaxable``), pages matching more of them first. Typed
phrases always hold; numbers and unknown short words (``should``) never block.
"""

import bisect
import dataclasses
import math
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from . import analysis

MAX_COMPOUND_ALTS = 8
# Particles of Dutch separable verbs, as typed apart from the verb ("meld ... aan").
PARTICLES = frozenset(
    [
        "aan",
        "af",
        "bij",
        "door",
        "in",
        "mee",
        "na",
        "om",
        "op",
        "over",
        "terug",
        "toe",
        "uit",
        "voor",
        "weg",
    ]
)
MAX_HEAD_ALTS = 4  # an unknown compound's head, as the end of the site's compounds
OPTIONAL_WEIGHT = 0.5  # a matched number or short word counts half a content word
MAX_CONTENT, MAX_OPTIONAL = 30, 10  # clauses a query keeps (200 characters rarely reach them)
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
    required: bool = False  # a typed "phrase": holds in every tier
    weight: float = 1.0  # rarer words weigh more when only some words match (tier 2)


# Tier 1 (every content word) must find at least this many pages, else tier 2 runs.
TIER1_MIN_RESULTS = 10
# Tier 2 asks for one content word only when half of them finds fewer than this: the
# one-word statement matches most of the index for a long query (the costliest there).
TIER2_ENOUGH = 3


def minimum_should_match(count: int) -> int:
    """How many of ``count`` content clauses a page must match in tier 2: half,
    rounded up, and at least one. See docs/search.md (Matching in tiers) for why."""
    return max(1, math.ceil(count / 2))


def anchored_on_the_rarer_word(query: "ParsedQuery") -> "ParsedQuery | None":
    """Tier 2 of a two-word query: the rarer content word required, the commoner one
    optional; None when both are equally rare (then half of two, one, is asked).

    Half of two words lets a page with only the commoner word in: "parkeervergunning
    aanvragen" found an article on *verplichte zorg aanvragen*, "geradicaliseerd
    gemeente" every page on the municipality. The rarer word carries the question."""
    relaxable = query.relaxable()
    if len(relaxable) != 2 or relaxable[0].weight == relaxable[1].weight:
        return None
    rarer, commoner = sorted(relaxable, key=lambda clause: -clause.weight)
    must = [
        dataclasses.replace(clause, required=True) if clause is rarer else clause
        for clause in query.must
        if clause is not commoner
    ]
    optional = dataclasses.replace(commoner, weight=OPTIONAL_WEIGHT)
    return dataclasses.replace(query, must=must, should=[optional, *query.should])


@dataclass
class ParsedQuery:
    must: list[Clause] = field(default_factory=list)
    must_not: list[Clause] = field(default_factory=list)
    # Numbers and unknown short words: they raise a page that has them, never block.
    should: list[Clause] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> corrected
    ignored: list[str] = field(default_factory=list)  # words no document contains
    # Typed words that are compounds the site never writes, each of whose parts it
    # does: word -> parts. ``split`` is the query with those parts as words of their
    # own, for when the compound finds nothing (``tiers.search_in_tiers``).
    compound_parts: dict[str, list[str]] = field(default_factory=dict)
    split: "ParsedQuery | None" = None

    @property
    def empty(self) -> bool:
        return not self.must

    def relaxable(self) -> list[Clause]:
        """The content clauses tier 2 may leave unmatched (all but typed phrases)."""
        return [c for c in self.must if not c.required]

    def scored(self) -> list[Clause]:
        """The clauses whose matches tier 2 counts, in a fixed order (bit i = clause i)."""
        return [*self.relaxable(), *self.should]

    def highlight_stems(self) -> set[str]:
        clauses = [*self.must, *self.should]
        return {s for clause in clauses for alt in clause.alts for s in alt.stems}

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
    # Pages per stem (its most widespread word's count): how rare a word is in tier 2.
    stem_frequencies: dict[str, int] = field(default_factory=dict)


ELLIPTICAL_COMPOUND = re.compile(r"\w-\s+(?:en|of)\s+\w", re.IGNORECASE)


def is_elliptical(text: str) -> bool:
    """True for "Zorg- en Veiligheidshuis"-style text (a hyphen standing for a shared tail)."""
    return bool(ELLIPTICAL_COMPOUND.search(text))


def default_synonyms() -> list[tuple[str, str]]:
    """(terms, note) of the default synonym groups, from ``data/synonyms_nl.txt``."""
    groups = []
    for line in (analysis.DATA / "synonyms_nl.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            terms, _sep, note = line.partition(" | ")
            groups.append((terms.strip(), note.strip()))
    return groups


def keeps_whole(member: str) -> bool:
    """A synonym member never split on en/of: elliptical, or written in double quotes
    ("Wet zorg en dwang" is one law, not "wet zorg" or "dwang")."""
    member = member.strip()
    return is_elliptical(member) or (len(member) > 1 and member[0] == member[-1] == '"')


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
            joined = Alt((analysis.stem(first + second),))
            apart = Alt((analysis.stem(first), analysis.stem(second)), phrase=True)
            # A Dutch word written apart is in the index joined (analysis.joined_compound).
            alts = [joined] if analysis.joined_compound(first, second) else [apart, joined]
            clause = Clause(alts, f"{first} {second}")
            query.must.append(clause)
            continue
        if kind == "or":
            pending_or = bool(query.must)
            continue
        if kind == "phrase":
            # Stop words are not in the index either: "kind in nood" is kind, nood.
            stems = tuple(analysis.stem(w) for w in analysis.content_words(value))
            clause = (
                Clause([Alt(stems, phrase=len(stems) > 1)], value, required=True) if stems else None
            )
        else:
            if not negated and value.lower() in used_by_synonym:
                continue
            particles = _particles_after(tokens, i)
            clause = _word_clause(
                value, lexicon, query, prefix=prefix and i == last_index, particles=particles
            )
        if clause is None:
            continue
        if negated:
            query.must_not.append(clause)
        elif pending_or and query.must:
            query.must[-1].alts.extend(clause.alts)
            query.must[-1].text += f" OR {clause.text}"
            query.must[-1].required = False
        elif clause.weight == 0:  # optional: a number or an unknown short word
            clause.weight = OPTIONAL_WEIGHT
            query.should.append(clause)
        else:
            query.must.append(clause)
        pending_or = False
    if not query.must and query.should:
        # Only numbers or short words ("E33", "2025"): then they are the query.
        query.must, query.should = query.should, []
    # Each scored clause is a bit of a 63-bit mask (backends): a long list of short
    # words keeps its first ones and names the rest as not used.
    query.ignored += [c.text for c in query.should[MAX_OPTIONAL:]]
    query.should = query.should[:MAX_OPTIONAL]
    relaxable = query.relaxable()
    if len(relaxable) > MAX_CONTENT:
        dropped = {id(c) for c in relaxable[MAX_CONTENT:]}
        query.ignored += [c.text for c in relaxable[MAX_CONTENT:]]
        query.must = [c for c in query.must if id(c) not in dropped]
    if query.compound_parts and not prefix:
        split_text = text
        for word, parts in query.compound_parts.items():
            split_text = re.sub(
                rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ".join(parts), split_text
            )
        if split_text != text:
            query.split = parse(split_text, lexicon)
    return query


def uncovered_word(query: ParsedQuery) -> str | None:
    """The common Dutch word of a two-word query that no page has, when the other word
    is all that is left to search ("paspoort verlengen": pages that mention a passport
    do not say how to renew one). The site does not answer that question; its pages on
    the other word are offered, not shown as its answer. None otherwise: a longer
    question or description still finds the pages with most of its words, and a
    word that is no Dutch word (an acronym, a name) is left out as before."""
    if len(query.ignored) != 1 or len(query.must) != 1 or query.should or query.corrections:
        return None
    if query.must[0].required or query.split is not None:
        return None
    folded = analysis.words(query.ignored[0])
    if len(folded) == 1 and analysis.is_common_dutch(folded[0]):
        return query.ignored[0]
    return None


def _on_the_site(part: str, lexicon: Lexicon) -> bool:
    """The site writes ``part``: as a word, or as a part of its own compounds."""
    return (
        part in lexicon.vocabulary
        or _heads_a_word(part, lexicon)
        or any(_ends_a_compound(word, part) for word in lexicon.vocabulary)
    )


def _join_split_compounds(raw: list[Token], lexicon: Lexicon) -> list[JoinedToken]:
    """Two typed words that together form a vocabulary word ("weeg tafel") also find
    the compound ("weegtafel"): the other direction of compound handling. Stop words
    never join: "bij een gezin" is no question about *bijeen*."""
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
            if (
                first.isalpha()
                and second.isalpha()
                and first not in analysis.STOPWORDS
                and second not in analysis.STOPWORDS
                and first + second in lexicon.vocabulary
            ):
                out.append(("joined", (first, second), False))
                i += 2
                continue
        out.append(raw[i])
        i += 1
    return out


def _particles_after(tokens: list[JoinedToken], index: int) -> tuple[str, ...]:
    """The separable-verb particles typed after token ``index`` ("meld ... aan")."""
    return tuple(
        folded
        for kind, value, negated in tokens[index + 1 :]
        if kind == "word" and not negated and isinstance(value, str)
        for folded in [analysis.fold(value.strip(".,;:!?"))]
        if folded in PARTICLES
    )


def _word_clause(
    word: str,
    lexicon: Lexicon,
    query: ParsedQuery,
    *,
    prefix: bool,
    particles: tuple[str, ...] = (),
) -> Clause | None:
    """The clause of one typed word; weight 0 marks it optional (see ``parse``)."""
    folded = analysis.words(word)
    if not folded:
        return None
    if len(folded) > 1:  # e.g. "zorg-en-veiligheid": treat as a phrase
        stems = tuple(analysis.stem(w) for w in folded if w not in analysis.STOPWORDS)
        return Clause([Alt(stems, phrase=True)], word) if stems else None
    token = folded[0]
    if token in analysis.STOPWORDS and not prefix and not analysis.is_acronym(word):
        return None
    if prefix:
        return Clause([Alt((token,), prefix=True), Alt((analysis.stem(token),))], word)
    stemmed = analysis.stem(token)
    alts = [Alt((stemmed,))]
    known = token in lexicon.vocabulary or stemmed in lexicon.stems or _heads_a_word(token, lexicon)
    if token.isalpha() and (particles or not known):
        # A verb typed in the first person ("hoe herken ik"): Snowball stems "herken" to
        # herk but the infinitive *herkennen* to herken. The infinitive's stem finds it,
        # with a particle typed later in the question in front: a separable verb ("hoe
        # meld ik een casus aan" is *aanmelden*, "schakel ... in" is *inschakelen*).
        relatives = _infinitive_stems(token, lexicon, particles)
        alts.extend(Alt((s,)) for s in relatives if s != stemmed)
        known = known or bool(relatives)
    if not known and (not token.isalpha() or len(token) < analysis.MIN_PART + 1):
        # A number or an unknown short word: it may raise a page, never block one.
        return Clause(alts, word, weight=0)
    weight = _rarity(token, lexicon)
    parts = analysis.decompose(token, lexicon.vocabulary)
    if parts:
        # Both ways: the compound typed as one word finds the words written apart,
        # side by side ("huiselijkgeweld") or anywhere in the page: a compound the site
        # never writes is found by its parts ("gegevensuitwisseling": gegevens and
        # uitwisselen). Never by one part alone: "parkeervergunning" is no question
        # about every page on vergunningen.
        stems = tuple(analysis.stem(p) for p in parts)
        if not (len(parts) == 2 and analysis.is_joined_when_apart(token)):
            # Written apart: a Dutch word of two parts is in the index joined as well
            # (analysis.joined_compound), found by its stem without this phrase.
            alts.append(Alt(stems, phrase=True))
        if not known and len(set(stems)) > 1:
            alts.append(Alt(stems))
            if all(_on_the_site(part, lexicon) for part in parts):
                query.compound_parts[word] = parts
            if parts[-1] not in lexicon.vocabulary:
                # The head only inside the site's own compounds: "jeugdcriminaliteit"
                # finds jeugd with *drugscriminaliteit* (the site never writes
                # "criminaliteit" alone).
                alts.extend(
                    Alt((*stems[:-1], analysis.stem(w)))
                    for w in _compounds_ending(parts[-1], lexicon)[:MAX_HEAD_ALTS]
                )
    if not known and len(token) >= 5:
        # The word as the last part of compounds whose head is not a word of its own
        # ("uitbuiting" finds "arbeidsuitbuiting"): cheap suffix scan of the vocabulary.
        compounds = _compounds_ending(token, lexicon)[:MAX_COMPOUND_ALTS]
        alts.extend(Alt((analysis.stem(w),)) for w in compounds)
        if not compounds and len(stemmed) >= 5:
            # Another form of that last part: "mishandelde" (stem mishandel) finds
            # *kindermishandeling* (stem kindermishandel), whose part the site never
            # writes alone.
            tails = sorted(
                s for s in lexicon.stems if s.endswith(stemmed) and len(s) - len(stemmed) >= 3
            )
            compounds = tails[:MAX_COMPOUND_ALTS]
            alts.extend(Alt((s,)) for s in compounds)
        known = bool(compounds)
    if known or parts or not lexicon.vocabulary:
        return Clause(alts, word, weight=weight)
    # A Dutch word is never "corrected" into another word: if no page has it, it is
    # left out (and the visitor told). Only a word that is not Dutch is a typo.
    # A rare dictionary entry may be a slip ("huislijk"): it is corrected, but only into
    # a common Dutch word, never into the site's own jargon.
    if not analysis.is_dutch(token):
        corrected = correct(token, lexicon)
    elif not analysis.is_common_dutch(token):
        corrected = correct(token, lexicon)
        corrected = corrected if corrected and analysis.is_common_dutch(corrected) else None
    else:
        corrected = None
    if not corrected:
        # Nothing contains it and nothing close: leave it out rather than let it turn
        # every result away ("dpia casusoverleg" -> "casusoverleg").
        query.ignored.append(word)
        return None
    query.corrections[word] = corrected
    alts.append(Alt((analysis.stem(corrected),)))
    corrected_parts = analysis.decompose(corrected, lexicon.vocabulary)
    if corrected_parts:
        alts.append(Alt(tuple(analysis.stem(p) for p in corrected_parts), phrase=True))
    return Clause(alts, word, weight=_rarity(corrected, lexicon))


def _compounds_ending(tail: str, lexicon: Lexicon) -> list[str]:
    """Vocabulary words that end in ``tail`` after at least three letters, the most
    frequent first."""
    return sorted(
        (w for w in lexicon.vocabulary if _ends_a_compound(w, tail)),
        key=lambda w: (-lexicon.frequencies.get(w, 0), w),
    )


def _ends_a_compound(word: str, tail: str) -> bool:
    return word.endswith(tail) and len(word) - len(tail) >= 3


def _infinitive_stems(token: str, lexicon: Lexicon, particles: tuple[str, ...] = ()) -> list[str]:
    """Stems of the index for the infinitive of a first-person verb form: herken ->
    herkennen, meld -> melden, hoor -> horen (a long vowel written once before -en);
    and for its third person (herkent: Snowball leaves the -t); with each particle in
    front too (meld + aan -> aanmelden, schakel + in -> inschakelt)."""
    bare = [token + "en", token + token[-1] + "en", token + "t"]
    if len(token) >= 3 and token[-2] == token[-3] and token[-2] in "aeou":
        bare.append(token[:-2] + token[-1] + "en")
    forms = [particle + form for particle in particles for form in bare]
    forms += [] if token in lexicon.vocabulary else bare
    stems = []
    for form in forms:
        stemmed = analysis.stem(form)
        if (
            (analysis.is_dutch(form) or form in lexicon.vocabulary)
            and stemmed in lexicon.stems
            and stemmed not in stems
        ):
            stems.append(stemmed)
    return stems


def _heads_a_word(token: str, lexicon: Lexicon) -> bool:
    """True when a vocabulary word starts with ``token`` and splits there: the index has
    it as a compound part ("veiligheid" in *veiligheidshuis*)."""
    terms = lexicon.sorted_terms
    start = bisect.bisect_left(terms, token)
    for word in terms[start : start + 50]:
        if not word.startswith(token):
            break
        parts = analysis.decompose(word, lexicon.vocabulary) if len(word) > len(token) else None
        if parts and parts[0] == token:
            return True
    return False


def _rarity(token: str, lexicon: Lexicon) -> float:
    """1 for a word on one page, less the more pages have it (tier-2 ranking). Counted
    by stem: "zorgen" is as common as *zorg*."""
    frequency = lexicon.stem_frequencies.get(analysis.stem(token)) or lexicon.frequencies.get(
        token, 0
    )
    return 1.0 / math.log2(2 + frequency)


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
    """Add one clause per synonym group found in the typed words; return the words used.

    Typed words are compared token by token ("Top-X" is top, x), longest member first,
    and a typed word serves one group only: "Wet verplichte ggz" is the Wvggz, not
    also GGZ.
    """
    tokens = [(token, i) for i, word in enumerate(words) for token in analysis.words(word)]
    folded = [token for token, _ in tokens]
    hits: list[tuple[int, int, int]] = []  # (length, start, group)
    for g, group in enumerate(lexicon.synonyms):
        for member in group:
            n = len(member)
            for start in range(len(folded) - n + 1):
                if tuple(folded[start : start + n]) != member:
                    continue
                raw = words[tokens[start][1]]
                if n == 1 and member[0] in analysis.STOPWORDS and not analysis.is_acronym(raw):
                    continue  # "om" in a sentence is not the OM (Openbaar Ministerie)
                hits.append((n, start, g))
    taken: set[int] = set()
    done: set[int] = set()
    used: set[str] = set()
    for n, start, g in sorted(hits, key=lambda h: (-h[0], h[1])):
        span = set(range(start, start + n))
        if g in done or span & taken:
            continue
        taken |= span
        done.add(g)
        alts = []
        for other in lexicon.synonyms[g]:
            # "A en B" (HGKM = huiselijk geweld en kindermishandeling) covers A
            # and B each; within a part all words must occur, in any order.
            parts = [other] if other in lexicon.unsplittable else _split_on(other, ("en", "of"))
            for part in parts:
                content = [w for w in part if w not in analysis.STOPWORDS] or list(part)
                alts.append(Alt(tuple(analysis.stem(w) for w in content), phrase=False))
        raw_words = sorted({tokens[i][1] for i in span})
        query.must.append(Clause(alts, " ".join(words[i] for i in raw_words)))
        used.update(words[i].lower() for i in raw_words)
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
