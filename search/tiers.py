"""Matching in tiers (docs/search.md, "Matching in tiers"): every content word first,
then a minimum of them when that finds too little. Backend-neutral: it only builds
requests and compares their totals."""

import dataclasses
from typing import Any

from .backends.base import BackendResult, SearchRequest
from .query import (
    TIER1_MIN_RESULTS,
    TIER2_ENOUGH,
    ParsedQuery,
    anchored_on_the_rarer_word,
    minimum_should_match,
)

# A long description of a case (this many content words or more) that tier 2 answers is
# ranked again with the themes of its best hits: results on the themes of the first
# THEME_FOCUS_TOP hits gain up to THEME_FOCUS_WEIGHT matched words (docs/search.md,
# "Theme focus"). Such a text shares common words ("samen", "gemeente", "hulp") with
# pages on every subject; the best hits say which subject it is about.
THEME_FOCUS_MIN_WORDS = 6
THEME_FOCUS_TOP = 3
THEME_FOCUS_WEIGHT = 4.0


def search_in_tiers(backend: Any, request: SearchRequest) -> tuple[BackendResult, int, ParsedQuery]:
    """(result, how many results match every content word, the query it answers).

    Tier 1 needs every content word. When it finds fewer than TIER1_MIN_RESULTS pages
    and there are several content words, tier 2 asks for at least half of them
    (``minimum_should_match``) and, if that finds fewer than TIER2_ENOUGH, for one; pages with
    more of the words come first, so the tier-1 pages stay on top. Of two words, tier
    2 keeps the rarer one required (``anchored_on_the_rarer_word``). Phrases typed in
    quotes hold in every tier. A long description answered in tier 2 is ranked again
    with the themes of its best hits (``_focused_on_themes``). A compound no page has
    is then searched as its parts (``ParsedQuery.split``) when that finds more. The
    query returned is the one whose ``scored()`` clauses the result's masks and counts
    refer to.
    """
    raw, complete, used = _in_tiers(backend, request)
    if raw.total < TIER1_MIN_RESULTS and request.query.split is not None:
        # A compound the site never writes found too little by its parts together (a
        # theme page listing pages on both): search the parts as words of their own
        # ("jeugdcriminaliteit": pages on *jeugd*, pages on *drugscriminaliteit*), the
        # pages with both still first. A compound with a part the site never writes is
        # not split: "parkeervergunning" is no question about every page on
        # vergunningen. The parts are equals: either may answer ("jeugd" as much as
        # "criminaliteit"), so tier 2 asks for one, not for the rarer.
        split = _in_tiers(
            backend, dataclasses.replace(request, query=request.query.split), anchor=False
        )
        if split[0].total > raw.total:
            raw, _complete, used = split
    return raw, complete, used.query


def _in_tiers(
    backend: Any, request: SearchRequest, *, anchor: bool = True
) -> tuple[BackendResult, int, SearchRequest]:
    """(result, how many match every word, the request that gave the result)."""
    raw = backend.search(request)
    complete = raw.total
    relaxable = len(request.query.relaxable())
    if complete >= TIER1_MIN_RESULTS or relaxable < 2:
        return raw, complete, request
    anchored = anchored_on_the_rarer_word(request.query) if anchor else None
    if anchored is not None:
        relaxed_request = dataclasses.replace(request, query=anchored)
        relaxed = backend.search(relaxed_request)
        if relaxed.total > raw.total:
            return relaxed, complete, relaxed_request
        return raw, complete, request
    used = request
    for minimum in sorted({minimum_should_match(relaxable), 1}, reverse=True):
        relaxed_request = dataclasses.replace(request, minimum_match=minimum)
        relaxed = backend.search(relaxed_request)
        if relaxed.total > raw.total:
            raw, used = relaxed, relaxed_request
        if raw.total >= TIER2_ENOUGH:
            break
    if used.minimum_match and relaxable >= THEME_FOCUS_MIN_WORDS and used.sort == "relevance":
        raw, used = _focused_on_themes(backend, used, raw)
    return raw, complete, used


def _focused_on_themes(
    backend: Any, request: SearchRequest, raw: BackendResult
) -> tuple[BackendResult, SearchRequest]:
    """The tier-2 result ranked again with ``theme_focus``: the themes of its first
    THEME_FOCUS_TOP hits, weighed 1, 1/2, 1/3 by rank and scaled so that a theme all
    of them share is worth THEME_FOCUS_WEIGHT matched words (a result gains the most
    of its themes' worth). The same pages match; only their order changes. Unchanged
    when the best hits have no theme."""
    best = raw
    if request.offset:
        top = dataclasses.replace(request, offset=0, limit=THEME_FOCUS_TOP, facets=False)
        best = backend.search(top)
    ranks = best.page_ids[:THEME_FOCUS_TOP]
    weights: dict[str, float] = {}
    for rank, page_id in enumerate(ranks):
        for slug in best.docs.get(page_id, {}).get("themes") or ():
            weights[slug] = weights.get(slug, 0.0) + 1 / (rank + 1)
    if not weights:
        return raw, request
    scale = THEME_FOCUS_WEIGHT / sum(1 / (rank + 1) for rank in range(len(ranks)))
    focused = dataclasses.replace(
        request, theme_focus={slug: weight * scale for slug, weight in weights.items()}
    )
    return backend.search(focused), focused
