"""Navigational queries: a query that *is* a title (a page's, or an expert's name)
puts that document first.

"contact", "nieuwsbrief", "Marieke van Dongen": people who type a title want that
page, not the ten pages that mention the word most. Full-text ranking cannot
promise that (a long article that says "contact" often may outrank the short
contact page), so the documents whose analysed title equals the analysed query
(the same stems in the same order: case, accents, punctuation and inflection do
not matter; stop words count) are pinned above the ranked hits. A corrected typo
counts too ("marieke van dongn").
"""

import dataclasses
import re
from typing import Any

from . import analysis
from .backends import BackendResult, SearchBackend
from .query import ParsedQuery

MAX_PINNED = 3
CANDIDATES = 20  # documents sharing one title, of which the shallowest are pinned
STOPWORD_TITLES = 100  # documents whose title has stop words only: a handful
# Quotes, exclusions and OR are search syntax: such a query is not a title.
SEARCH_SYNTAX = re.compile(r'"|(^|\s)-\S|\sOR\s')


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


def pin(raw: BackendResult, rows: list[dict[str, Any]], *, first_page: bool) -> BackendResult:
    """``raw`` with the named documents first on the first page and nowhere else.

    They are taken out of every page's ranked hits and shown on top of the first
    page's, so none is shown twice and paging skips no ranked hit (the first page may
    be longer by the named documents). The total counts them when the ranked search
    did not (a title of stop words only, such as "Over ons").
    """
    if not rows:
        return raw
    pinned = [row["page_id"] for row in rows]
    ranked = [page_id for page_id in raw.page_ids if page_id not in pinned]
    docs = dict(raw.docs)
    if first_page:
        docs.update((row["page_id"], row) for row in rows)
        ranked = pinned + ranked
    return dataclasses.replace(raw, page_ids=ranked, total=max(raw.total, len(pinned)), docs=docs)
