"""The lexicon a search works with (vocabulary, stems, synonyms, theme names), loaded
once per process, and the vocabulary's upkeep as documents come, change and go.

See docs/search.md ("Dutch handling": the vocabulary and its document frequencies).
"""

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import analysis
from .models import SearchTerm, SynonymGroup
from .query import Lexicon, keeps_whole

LEXICON_VERSION_KEY = "search:lexicon:version"

# --- lexicon (vocabulary + synonyms), cached per process ------------------------
# The version in the shared cache says when another process changed the lexicon; a
# process looks at it at most every LEXICON_CHECK_SECONDS, so a search costs no
# cache round trip. Changes made in this process apply at once.
LEXICON_CHECK_SECONDS = 2.0


@dataclass
class _LexiconCache:
    version: object = None  # the shared cache's version when ``lexicon`` was loaded
    lexicon: Lexicon | None = None
    checked: float = 0.0  # time.monotonic() of the last look at the version


_lexicon_cache = _LexiconCache()


def lexicon_invalidate() -> None:
    cache.set(LEXICON_VERSION_KEY, timezone.now().timestamp(), None)
    _lexicon_cache.lexicon = None


def lexicon_get() -> Lexicon:
    now = time.monotonic()
    current = _lexicon_cache.lexicon
    if current is not None and now - _lexicon_cache.checked < LEXICON_CHECK_SECONDS:
        return current
    version = cache.get(LEXICON_VERSION_KEY)
    if version is None:
        version = timezone.now().timestamp()
        cache.set(LEXICON_VERSION_KEY, version, None)
    if _lexicon_cache.version != version or current is None:
        current = _lexicon_cache.lexicon = _lexicon_load()
        _lexicon_cache.version = version
    _lexicon_cache.checked = now
    return current


def _stem_frequencies(frequencies: Mapping[str, int]) -> dict[str, int]:
    """Pages per stem, estimated as the count of its most widespread word: a sum would
    count a page on radicalisation three times (radicaliseren, geradicaliseerd,
    radicalisering), and make the topic word look common exactly where it is the
    topic."""
    counts: dict[str, int] = {}
    for word, frequency in frequencies.items():
        stemmed = analysis.stem(word)
        counts[stemmed] = max(counts.get(stemmed, 0), frequency)
    return counts


def _lexicon_load() -> Lexicon:
    from knowledge.selectors import theme_labels

    frequencies = dict(SearchTerm.objects.values_list("term", "doc_freq"))
    groups: list[tuple[tuple[str, ...], ...]] = []
    unsplittable: set[tuple[str, ...]] = set()
    for group in SynonymGroup.objects.all():
        members = tuple(tuple(analysis.words(m)) for m in group.members if analysis.words(m))
        if len(members) > 1:
            groups.append(members)
            unsplittable.update(tuple(analysis.words(m)) for m in group.members if keeps_whole(m))
    synonym_words = {w for g in groups for m in g for w in m if len(w) >= 3}
    vocabulary = frozenset((set(frequencies) | synonym_words) - analysis.STOPWORDS)
    return Lexicon(
        vocabulary=vocabulary,
        stems=frozenset(analysis.stem(w) for w in vocabulary),
        synonyms=tuple(groups),
        unsplittable=frozenset(unsplittable),
        frequencies=frequencies,
        sorted_terms=tuple(sorted(frequencies)),
        theme_labels=theme_labels(),
        stem_frequencies=_stem_frequencies(frequencies),
    )


def vocabulary_update(*, before: Mapping[int, str], after: Mapping[int, str]) -> int:
    """Keep each word's document frequency true as documents change.

    ``before``: the text each affected document is indexed with now (absent: not in
    the index); ``after``: its text from now on (absent: it leaves the index). A word
    counts once per document. Words no document has any more leave the vocabulary, so
    "Bedoelde u" never offers them. Returns how many words came or went; only then is
    the lexicon reloaded (a changed count alone waits for the next load: tier 2 weighs
    words by it, and a count off by one for a few seconds changes nothing visible).
    """
    delta: Counter[str] = Counter()
    for doc_id in set(before) | set(after):
        old = analysis.vocabulary_words([before.get(doc_id, "")])
        new = analysis.vocabulary_words([after.get(doc_id, "")])
        delta.update(new - old)
        delta.subtract(old - new)
    delta = Counter({w: n for w, n in delta.items() if n and len(w) <= 100})
    if not delta:
        return 0
    with transaction.atomic():
        known = set(SearchTerm.objects.filter(term__in=list(delta)).values_list("term", flat=True))
        added = [w for w in delta if w not in known and delta[w] > 0]
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=w, doc_freq=delta[w]) for w in added],
            ignore_conflicts=True,
            batch_size=1000,
        )
        by_change: dict[int, list[str]] = {}
        for word in known:
            by_change.setdefault(delta[word], []).append(word)
        for change, words in by_change.items():  # one UPDATE per distinct change (+1, -1)
            SearchTerm.objects.filter(term__in=words).update(doc_freq=F("doc_freq") + change)
        gone, _ = SearchTerm.objects.filter(term__in=list(delta), doc_freq__lte=0).delete()
    if added or gone:
        lexicon_invalidate()
    return len(added) + gone


def vocabulary_rebuild(*, texts: Iterable[str]) -> int:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(analysis.vocabulary_words([text]))
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=w, doc_freq=n) for w, n in counts.items() if len(w) <= 100],
            batch_size=2000,
        )
    lexicon_invalidate()
    return len(counts)
