"""Navigational queries: a query that *is* a title (a page's, or an expert's name),
names a main section, or has an editor's promoted result puts that page first.

"contact", "nieuwsbrief", "Marieke van Dongen": people who type a title want that
page, not the ten pages that mention the word most. Full-text ranking cannot
promise that (a long article that says "contact" often may outrank the short
contact page), so the documents whose analysed title equals the analysed query
(the same stems in the same order: case, accents, punctuation and inflection do
not matter; stop words count) are pinned above the ranked hits. A corrected typo
counts too ("marieke van dongn").

Two more ways a query names a page, both checked before the ranked search's hits:

- **Promoted results** (Wagtail's ``search_promotions``, *Instellingen → Uitgelichte
  zoekresultaten* in the admin): an editor says which pages answer a query such as
  "agenda" (the section is called "Trainingen en bijeenkomsten"). Editors see what
  people type in the search report and add a promotion where a word of theirs is
  not a word of the site. The query is compared as Wagtail stores it (lower case,
  no punctuation).
- **Main sections**: a one-word query that is a word of a main section's title (a
  page directly under the home page: "trainingen", "bijeenkomsten", "kennis") or the
  head of a compound in it ("privacy" for the Privacyverklaring) opens with that
  section. Words of the section's title count, not of its text, so this stays a
  handful of obvious cases.
"""

import dataclasses
import re
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page, Site
from wagtail.search.utils import normalise_query_string

from . import analysis
from .backends import BackendResult, SearchBackend
from .documents import build_document, is_indexable
from .query import ParsedQuery

MAX_PINNED = 3
SECTIONS_KEY = "search:main-sections"
SECTIONS_SECONDS = 300  # a bound for changes that no index sync follows (a site root moved)
CANDIDATES = 20  # documents sharing one title, of which the shallowest are pinned
STOPWORD_TITLES = 100  # documents whose title has stop words only: a handful
# Quotes, exclusions and OR are search syntax: such a query is not a title.
SEARCH_SYNTAX = re.compile(r'"|(^|\s)-\S|\sOR\s')
WORDS = re.compile(r"[^\W_]+")


def title_keys(text: str, parsed: ParsedQuery) -> list[str]:
    """The analysed forms of the query a title must equal (as typed, and corrected)."""
    if SEARCH_SYNTAX.search(text):
        return []
    keys: list[str] = []
    candidates = [text, parsed.corrected_text(text) if parsed.corrections else ""]
    for candidate in candidates:
        key = analysis.analyse(candidate)[0]
        if key and key not in keys:
            keys.append(key)
    return keys


def exact_title_rows(
    backend: SearchBackend, text: str, parsed: ParsedQuery
) -> list[dict[str, Any]]:
    """The documents the query names, shallowest URL first (a section before a page
    deeper down with the same title)."""
    keys = title_keys(text, parsed)
    if keys:
        rows = backend.exact_titles(keys, CANDIDATES)
    elif analysis.words(text) and not SEARCH_SYNTAX.search(text):
        # A title of stop words only ("Over ons") is indexed without any: its analysed
        # title is empty, so its own words decide among those few documents.
        typed = analysis.words(text)
        rows = [
            row
            for row in backend.exact_titles([""], STOPWORD_TITLES)
            if analysis.words(row["title"]) == typed
        ]
    else:
        rows = []
    rows.sort(key=lambda row: (row["url"].count("/"), row["url"]))
    return rows[:MAX_PINNED]


def named_rows(backend: SearchBackend, text: str, parsed: ParsedQuery) -> list[dict[str, Any]]:
    """The documents to put first: promoted, then named by title, then a main section."""
    rows: list[dict[str, Any]] = []
    for row in [
        *promoted_rows(text),
        *exact_title_rows(backend, text, parsed),
        *section_rows(text),
    ]:
        if all(row["page_id"] != other["page_id"] for other in rows):
            rows.append(row)
    return rows[:MAX_PINNED]


def _page_row(page: Page) -> dict[str, Any]:
    """A page as the backends return a hit (built from what would be indexed)."""
    doc = build_document(page)
    return {
        "page_id": doc.page_id,
        "score": 0.0,
        "id": doc.page_id,
        "title": doc.title,
        "url": doc.url,
        "summary": doc.summary,
        "body": doc.body,
        "kind": doc.kind,
        "date": doc.date,
    }


def promoted_rows(text: str) -> list[dict[str, Any]]:
    """The pages editors promoted for this query, in their order (live, public pages
    only: a promotion of a page taken offline shows nothing)."""
    if SEARCH_SYNTAX.search(text):
        return []
    # As Wagtail stores it (lower case, spaces collapsed), and without punctuation:
    # "Agenda!" is the promotion for "agenda".
    keys = {normalise_query_string(text), normalise_query_string(" ".join(WORDS.findall(text)))}
    keys.discard("")
    if not keys:
        return []
    query = (
        Query.objects.filter(query_string__in=keys)
        .prefetch_related(
            Prefetch(
                "editors_picks",
                queryset=SearchPromotion.objects.filter(page__isnull=False)
                .select_related("page")
                .order_by("sort_order"),
            )
        )
        .first()
    )
    if query is None:
        return []
    pages = [pick.page for pick in query.editors_picks.all()]
    rows = [_page_row(page) for page in pages if is_indexable(page)]
    for row in rows:
        row["promoted"] = True  # an editor's choice need not contain the words typed
    return rows[:MAX_PINNED]


def section_rows(text: str) -> list[dict[str, Any]]:
    """A main section whose title has the one word typed (see the module docstring)."""
    typed = analysis.content_words(text)
    if len(typed) != 1 or SEARCH_SYNTAX.search(text):
        return []
    wanted = analysis.stem(typed[0])
    ids = [page_id for page_id, stems in _section_stems() if wanted in stems]
    pages = Page.objects.filter(pk__in=ids).order_by("path") if ids else []
    return [_page_row(page) for page in pages if is_indexable(page)][:MAX_PINNED]


def _section_stems() -> list[tuple[int, list[str]]]:
    """(page id, title stems) of each live, public main section, cached: every
    one-word search and suggestion asks, and reading them costs five queries (6 ms of a
    10 ms suggestion at 100k documents). ``sections_forget`` runs with every index
    sync of a page, so a published, moved or restricted section counts at once."""
    cached = cache.get(SECTIONS_KEY)
    if cached is not None:
        return cached
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    sections = []
    for page in site.root_page.get_children().live().public().order_by("path") if site else []:
        stems = set()
        for word in analysis.content_words(page.title):
            stems.add(analysis.stem(word))
            parts = analysis.decompose(word, frozenset())
            if parts:
                stems.add(analysis.stem(parts[0]))
        sections.append((page.pk, sorted(stems)))
    cache.set(SECTIONS_KEY, sections, SECTIONS_SECONDS)
    return sections


def sections_forget() -> None:
    cache.delete(SECTIONS_KEY)


def pin(raw: BackendResult, rows: list[dict[str, Any]], *, first_page: bool) -> BackendResult:
    """``raw`` with the named documents first on the first page and nowhere else.

    They are taken out of every page's ranked hits and shown on top of the first
    page's, so none is shown twice and paging skips no ranked hit (the first page may
    be longer by the named documents). The total counts them when the ranked search
    did not: a title of stop words only, such as "Over ons", and a promoted page that
    lacks the words typed ("agenda"; one that has them and ranks beyond this page is
    counted twice, an error of at most three in a rare case).
    """
    if not rows:
        return raw
    pinned = [row["page_id"] for row in rows]
    ranked = [page_id for page_id in raw.page_ids if page_id not in pinned]
    docs = dict(raw.docs)
    if first_page:
        docs.update((row["page_id"], row) for row in rows)
        ranked = pinned + ranked
    extra = sum(1 for row in rows if row.get("promoted") and row["page_id"] not in raw.page_ids)
    total = max(raw.total, len(pinned)) if not extra else raw.total + extra
    return dataclasses.replace(raw, page_ids=ranked, total=total, docs=docs)
