"""The one search service: the site search page, suggestions, index sync and the log.

``search_query`` is what views (and the benchmark) call; it parses the user's text
with the Dutch analyzer, runs it on the configured backend, and returns results with
highlighted snippets, facets with counts, and "Bedoelde u ...?" suggestions.
"""

import bisect
import datetime
import heapq
import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wagtail.models import Page, get_page_models

from . import analysis, navigation
from .backends import BackendResult, SearchRequest, get_backend
from .backends.base import FACETS
from .documents import (
    IndexedDoc,
    build_document,
    build_expert_document,
    expert_document_id,
    is_indexable,
)
from .lexicon import lexicon_get, lexicon_invalidate, vocabulary_rebuild, vocabulary_update
from .models import SearchQueryLog, SynonymGroup
from .query import (
    Lexicon,
    ParsedQuery,
    default_synonyms,
    parse,
    uncovered_word,
)
from .tiers import search_in_tiers

SNIPPET_WORDS = 32
SORTS = ("relevance", "date")


# --- querying -------------------------------------------------------------------
@dataclass
class Hit:
    page_id: int
    title: str
    url: str
    kind: str
    kind_label: str
    date: datetime.date | None
    snippet: SafeString
    title_html: SafeString
    missing_words: list[str] = field(default_factory=list)  # typed words this page lacks


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    text: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    sort: str
    filters: dict[str, list[str]]
    facets: dict[str, list[FacetValue]]
    did_you_mean: str = ""
    excluded_only: bool = False
    suggestions: list[dict[str, str]] = field(default_factory=list)  # title, url
    # Tier 2 ran: not every result has every word ("Resultaten voor een deel van uw
    # zoekwoorden"); ``complete_total`` results have them all, and come first.
    partial: bool = False
    complete_total: int = 0
    # Typed words no result uses: unknown to the index, or in none of the results.
    unused_words: list[str] = field(default_factory=list)
    # Compounds no page has, searched as their parts: typed word -> parts.
    split_words: dict[str, list[str]] = field(default_factory=dict)
    # A two-word query whose one word no page has (``query.uncovered_word``): nothing
    # is shown; the other word alone is offered (missing, text, total).
    narrower: dict[str, Any] = field(default_factory=dict)

    page_size: int = 10

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    cleaned = {}
    for name in FACETS:
        values = (filters or {}).get(name) or []
        if isinstance(values, str):
            values = [values]
        values = [str(v)[:80] for v in values if str(v).strip()][:20]
        if values:
            cleaned[name] = values
    return cleaned


def search_query(
    *,
    text: str,
    filters: Mapping[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int | None = None,
    backend: str | None = None,
    log: bool = False,
) -> SearchResults:
    """Search public content. Always returns; bad input gives an empty result."""
    page_size = page_size or settings.SEARCH_PAGE_SIZE
    sort = sort if sort in SORTS else "relevance"
    cleaned = clean_filters(filters)
    page = max(1, min(int(page or 1), 1000))
    lexicon = lexicon_get()
    parsed = parse(text, lexicon)
    if parsed.empty and not text.strip():
        sort = "date"  # browsing by filters only
    request = SearchRequest(
        query=parsed, filters=cleaned, sort=sort, offset=(page - 1) * page_size, limit=page_size
    )
    engine = get_backend(backend)
    split_words: dict[str, list[str]] = {}
    if parsed.empty and text.strip():
        # Only stopwords or exclusions: nothing to look for.
        raw = BackendResult(page_ids=[], total=0, facets={})
        complete_total = 0
    else:
        raw, complete_total, answered = search_in_tiers(engine, request)
        if answered is parsed.split:
            split_words = parsed.compound_parts
        parsed = answered
    narrower: dict[str, Any] = {}
    uncovered = uncovered_word(parsed)
    if uncovered and raw.total:
        narrower = {
            "missing": _shown(uncovered),
            "text": parsed.must[0].text,
            "total": raw.total,
        }
        raw, complete_total = BackendResult(page_ids=[], total=0, facets={}), 0
    partial = raw.total > complete_total
    scored = parsed.scored()
    unused = [*parsed.ignored]
    unused += [c.text for c, n in zip(scored, raw.clause_counts, strict=False) if n == 0]
    unused = [w for w in (_shown(word) for word in unused) if w and not narrower]
    matched = raw.matched  # clause masks of the hits (a pinned title may add a hit)
    if sort == "relevance" and not cleaned and text.strip() and not narrower:
        # A query that is a title (or an expert's name) opens with that document.
        named = navigation.named_rows(engine, text, parsed)
        raw = navigation.pin(raw, named, first_page=page == 1)
    did_you_mean = ""
    if parsed.corrections:
        did_you_mean = parsed.corrected_text(text)
    hits = _hits(raw, parsed, lexicon)
    for hit in hits:
        mask = matched.get(hit.page_id)
        if mask is not None:
            missing = [_shown(c.text) for i, c in enumerate(scored) if not mask & (1 << i)]
            hit.missing_words = [w for w in missing if w and w not in unused]
    result = SearchResults(
        text=text,
        hits=hits,
        total=raw.total,
        page=page,
        pages=max(1, math.ceil(raw.total / page_size)),
        sort=sort,
        filters=cleaned,
        facets=_facets(raw.facets, cleaned, lexicon),
        did_you_mean=did_you_mean,
        excluded_only=parsed.empty and bool(parsed.must_not),
        page_size=page_size,
        partial=partial,
        complete_total=complete_total,
        unused_words=unused,
        split_words=split_words,
        narrower=narrower,
    )
    if raw.total == 0 and text.strip():
        result.suggestions = _zero_result_suggestions(text, lexicon)
    if log and text.strip():
        search_log_record(text=text, result_count=raw.total)
    return result


def _shown(word: str) -> str:
    """A typed word as the page names it: without the punctuation around it ("2025?")."""
    return word.strip(".,;:!?()[]{}\"'")


def kind_labels() -> dict[str, str]:
    from knowledge.selectors import article_kind_labels

    return {
        **article_kind_labels(),
        "publicatie": _("Publication"),
        "thema": _("Theme page"),
        "pagina": _("Page"),
        "evenement": _("Training or event"),
        "expert": _("Expert"),
        "nieuwsbrief": _("Newsletter issue"),
    }


def _hits(raw: BackendResult, parsed: ParsedQuery, lexicon: Lexicon) -> list[Hit]:
    stems = parsed.highlight_stems()
    labels = kind_labels()
    hits = []
    for page_id in raw.page_ids:
        row = raw.docs.get(page_id)
        if row is None:
            continue
        hits.append(
            Hit(
                page_id=page_id,
                title=row["title"],
                url=row["url"],
                kind=row["kind"],
                kind_label=str(labels.get(row["kind"], row["kind"])),
                date=row["date"],
                snippet=highlight(f"{row['summary']} {row['body']}", stems, lexicon=lexicon),
                title_html=highlight(row["title"], stems, words=0, lexicon=lexicon),
            )
        )
    return hits


def _facets(
    raw: dict[str, dict[str, int]], filters: dict[str, list[str]], lexicon: Lexicon
) -> dict[str, list[FacetValue]]:
    from knowledge.selectors import audience_labels

    labels: dict[str, Mapping[str, object]] = {
        # Cached with the lexicon; a theme saved or deleted invalidates it (signals).
        "theme": lexicon.theme_labels,
        "kind": kind_labels(),
        "audience": audience_labels(),
        "year": {},
    }
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        counts = raw.get(name, {})
        selected = set(filters.get(name, []))
        # All buckets: values with no hits stay visible (count 0) so filters can be undone.
        values = set(counts) | selected
        if name != "year":
            values |= set(labels[name]) if name == "theme" else set()
        items = [
            FacetValue(
                value=v,
                label=str(labels[name].get(v, v)),
                count=counts.get(v, 0),
                selected=v in selected,
            )
            for v in values
        ]
        if name == "year":
            items.sort(key=lambda f: f.value, reverse=True)
        else:
            items.sort(key=lambda f: (-f.count, f.label))
        facets[name] = items
    return facets


def _zero_result_suggestions(text: str, lexicon: Lexicon) -> list[dict[str, str]]:
    """Popular themes for the zero-result page."""
    from knowledge.selectors import theme_pages

    return [{"title": p.title, "url": p.url} for p in theme_pages()[:7]]


def highlight(
    text: str, stems: set[str], *, words: int = SNIPPET_WORDS, lexicon: Lexicon | None = None
) -> SafeString:
    """Escape ``text`` and wrap words whose stem (or compound part) matched in <mark>.

    ``words``: cut a snippet of that many words around the densest matches (0 = all).
    """
    tokens = list(analysis.spans(text))
    lexicon = lexicon or lexicon_get()

    seen: dict[str, bool] = {}  # words repeat: analyse each once

    def matches(folded: str) -> bool:
        if folded in seen:
            return seen[folded]
        hit = analysis.stem(folded) in stems or folded in stems
        if not hit:
            parts = analysis.decompose(folded, lexicon.vocabulary)
            hit = any(analysis.stem(p) in stems for p in parts) if parts else False
        seen[folded] = hit
        return hit

    marked = [matches(t[2]) for t in tokens]
    start_token, end_token = 0, len(tokens)
    if words and len(tokens) > words:
        best, best_start = -1, 0
        window = sum(marked[:words])
        for i in range(len(tokens) - words + 1):
            if i:
                window += marked[i + words - 1] - marked[i - 1]
            if window > best:
                best, best_start = window, i
        start_token = max(0, best_start - 3) if best > 0 else 0
        end_token = min(len(tokens), start_token + words)
    if not tokens:
        return mark_safe(html.escape(text))  # noqa: S308 (escaped)
    out = []
    begin = tokens[start_token][0] if words and start_token else 0
    end = tokens[end_token - 1][1] if words and end_token < len(tokens) else len(text)
    cursor = begin
    for (s, e, _word), hit in zip(
        tokens[start_token:end_token], marked[start_token:end_token], strict=True
    ):
        out.append(html.escape(text[cursor:s]))
        word = html.escape(text[s:e])
        out.append(f"<mark>{word}</mark>" if hit else word)
        cursor = e
    out.append(html.escape(text[cursor:end]))
    snippet = "".join(out).strip()
    if words and begin > 0:
        snippet = "… " + snippet
    if words and end < len(text):
        snippet += " …"
    return mark_safe(snippet)  # noqa: S308 (every piece is escaped above)


class Suggestions(TypedDict):
    query: str
    pages: list[dict[str, str]]  # title, url
    terms: list[str]


def search_suggest(*, text: str, limit: int = 6, backend: str | None = None) -> Suggestions:
    """As-you-type suggestions: pages whose title matches, and completed words."""
    text = (text or "").strip()[:100]
    if len(text) < 2:
        return {"query": text, "pages": [], "terms": []}
    lexicon = lexicon_get()
    parsed = parse(text, lexicon, prefix=True)
    engine = get_backend(backend)
    # A title typed in full comes first, as on the results page.
    named = navigation.named_rows(engine, text, parsed)
    pages: list[dict[str, str]] = []
    for page in [*named, *engine.suggest(parsed, limit)]:
        if len(pages) < limit and all(page["url"] != p["url"] for p in pages):
            pages.append({"title": page["title"], "url": page["url"]})
    last = analysis.words(text)[-1] if analysis.words(text) else ""
    terms = complete_term(last, lexicon) if len(last) >= 2 else []
    return {"query": text, "pages": pages, "terms": terms}


def complete_term(prefix: str, lexicon: Lexicon, limit: int = 5) -> list[str]:
    """The most frequent vocabulary words starting with ``prefix`` (from memory)."""
    terms = lexicon.sorted_terms
    start = bisect.bisect_left(terms, prefix)
    end = bisect.bisect_left(terms, prefix + "\uffff", lo=start)
    best = heapq.nsmallest(
        limit, terms[start:end], key=lambda t: (-lexicon.frequencies.get(t, 0), t)
    )
    return list(best)


# --- index maintenance -----------------------------------------------------------
def search_schedule_page(*, page_id: int) -> None:
    """Queue (re)indexing of one page and its descendants after the transaction commits."""
    from .tasks import sync_page

    sync_page.delay_on_commit(page_id)


def search_schedule_removal(*, page_ids: list[int]) -> None:
    from .tasks import remove_pages

    remove_pages.delay_on_commit(page_ids)


def search_sync_page(*, page_id: int, descendants: bool = True) -> dict[str, int]:
    """Index the page (and its subtree) if public and live; otherwise remove it."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        search_remove_pages(page_ids=[page_id])
        return {"indexed": 0, "removed": 1}
    navigation.sections_forget()  # it may be a main section (or have become one)
    pages = [page]
    if descendants:
        pages += list(page.get_descendants())
    indexable: list[Page] = []
    removable: list[Page] = []
    for item in pages:
        (indexable if is_indexable(item) else removable).append(item)
    _index([build_document(p) for p in indexable])
    if removable:
        _remove([p.pk for p in removable])
    _index(_listing_documents(changed=pages, skip={p.pk for p in pages}))
    return {"indexed": len(indexable), "removed": len(removable)}


def search_remove_pages(*, page_ids: list[int]) -> None:
    """Remove deleted pages from the index. Every page that lists others is indexed
    again: the deleted pages leave their lists (their type is not known any more)."""
    navigation.sections_forget()
    _remove(page_ids)
    _index(_listing_documents(changed=None, skip=set(page_ids)))


def _index(docs: list[IndexedDoc]) -> None:
    """Index these documents, the vocabulary's counts following the change."""
    if not docs:
        return
    backend = get_backend()
    vocabulary_update(
        before=backend.stored_texts(d.page_id for d in docs),
        after={d.page_id: d.text for d in docs},
    )
    backend.index(docs, lexicon_get())


def _remove(page_ids: list[int]) -> None:
    backend = get_backend()
    vocabulary_update(before=backend.stored_texts(page_ids), after={})
    backend.delete(page_ids)


def _listing_documents(*, changed: list[Page] | None, skip: set[int]) -> list[IndexedDoc]:
    """The documents of the live, public pages that carry the titles of ``changed`` pages:
    page types that name the types they list in ``search_lists`` (a theme page its
    articles and publications, the newsletter archive its issues). Every such page
    when ``changed`` is None (a deletion)."""
    labels = {p.specific_class._meta.label_lower for p in changed or () if p.specific_class}
    pages: list[Page] = []
    for model in get_page_models():
        lists = set(getattr(model, "search_lists", ()))
        if lists and (changed is None or lists & labels):
            pages += [p for p in model.objects.live().public() if p.pk not in skip]
    return [build_document(p) for p in pages]


def search_schedule_expert(*, expert_id: int) -> None:
    """Queue (re)indexing of one expert after the transaction commits."""
    from .tasks import sync_expert

    sync_expert.delay_on_commit(expert_id)


def search_sync_expert(*, expert_id: int) -> dict[str, int]:
    """Index the expert if the site shows it (active); otherwise remove it."""
    from knowledge.selectors import active_experts

    expert = active_experts().filter(pk=expert_id).first()
    if expert is None:
        _remove([expert_document_id(expert_id)])
        return {"indexed": 0, "removed": 1}
    _index([build_expert_document(expert)])
    return {"indexed": 1, "removed": 0}


def search_rebuild(
    *, backend: str | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild vocabulary and index from all public live pages and the active experts."""
    from knowledge.selectors import active_experts

    candidates = [p for p in Page.objects.live().filter(depth__gte=2).specific() if is_indexable(p)]
    docs = [build_document(p) for p in candidates]
    docs += [build_expert_document(expert) for expert in active_experts()]
    vocabulary_rebuild(texts=[d.text for d in docs])
    lexicon = lexicon_get()
    total = len(docs)
    return get_backend(backend).rebuild(
        docs, lexicon, lambda n: progress(n, total) if progress else None
    )


# --- privacy-safe search log ------------------------------------------------------
def search_log_record(*, text: str, result_count: int) -> None:
    """Store the query and how many results it gave: never who searched.

    E-mail addresses and long digit runs (phone, BSN) are masked first.
    """
    query = " ".join(text.lower().split())[:200]
    query = re.sub(r"\S+@\S+", "[e-mail]", query)
    query = re.sub(r"\d{6,}", "[nummer]", query)
    SearchQueryLog.objects.create(query=query, result_count=result_count)


def search_log_purge(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = (now - timedelta(days=settings.RETENTION_DAYS["search_log"])).date()
    deleted, _ = SearchQueryLog.objects.filter(searched_on__lt=cutoff).delete()
    return deleted


# --- defaults ------------------------------------------------------------------------
def synonyms_ensure_defaults() -> int:
    """Create the default synonym groups that are missing (demo and first install)."""
    created = 0
    for terms, note in default_synonyms():
        _, new = SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})
        created += new
    if created:
        lexicon_invalidate()
    return created


def search_warm_up() -> None:
    """Load the Dutch word list (2–5 s, about 45 MB) and the lemma list (0.7 s, about
    58 MB) now rather than on a visitor's first search: gunicorn calls this in each
    worker before it takes requests."""
    analysis.dutch_words()
    analysis.verb_infinitive("werkt")
