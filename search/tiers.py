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


def search_in_tiers(backend: Any, request: SearchRequest) -> tuple[BackendResult, int, ParsedQuery]:
    """(result, how many results match every content word, the query it answers).

    Tier 1 needs every content word. When it finds fewer than TIER1_MIN_RESULTS pages
    and there are several content words, tier 2 asks for at least half of them
    (``minimum_should_match``) and, if that finds fewer than TIER2_ENOUGH, for one; pages with
    more of the words come first, so the tier-1 pages stay on top. Of two words, tier
    2 keeps the rarer one required (``anchored_on_the_rarer_word``). Phrases typed in
    quotes hold in every tier. A compound no page has is then searched as its parts
    (``ParsedQuery.split``) when that finds more. The query returned is the one whose ``scored()`` clauses
    the result's masks and counts refer to.
    """
    raw, complete, query = _in_tiers(backend, request)
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
            raw, _complete, query = split
    return raw, complete, query


def _in_tiers(
    backend: Any, request: SearchRequest, *, anchor: bool = True
) -> tuple[BackendResult, int, ParsedQuery]:
    raw = backend.search(request)
    complete = raw.total
    relaxable = len(request.query.relaxable())
    if complete >= TIER1_MIN_RESULTS or relaxable < 2:
        return raw, complete, request.query
    anchored = anchored_on_the_rarer_word(request.query) if anchor else None
    if anchored is not None:
        relaxed = backend.search(dataclasses.replace(request, query=anchored))
        if relaxed.total > raw.total:
            return relaxed, complete, anchored
        return raw, complete, request.query
    for minimum in sorted({minimum_should_match(relaxable), 1}, reverse=True):
        relaxed = backend.search(dataclasses.replace(request, minimum_match=minimum))
        if relaxed.total > raw.total:
            raw = relaxed
        if raw.total >= TIER2_ENOUGH:
            break
    return raw, complete, request.query
