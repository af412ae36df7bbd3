"""The contract every backend fulfils (see tests/search/test_contract.py)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from ..documents import IndexedDoc
from ..query import Lexicon, ParsedQuery

FACETS = ("theme", "kind", "audience", "year")


class Suggestion(TypedDict):
    """One as-you-type suggestion: a page whose title matches."""

    page_id: int
    title: str
    url: str


@dataclass
class SearchRequest:
    query: ParsedQuery
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet -> values (OR)
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 10
    facets: bool = True  # suggestions skip them
    # 0: tier 1, every clause of ``query.must``. n > 0: tier 2, at least n of
    # ``query.relaxable()`` (typed phrases still hold), more matched clauses first.
    minimum_match: int = 0
    # Tier 2 only: theme slug -> how many matched words a result on that theme gains
    # (the most of its themes counts). See ``tiers`` (a long description's themes).
    theme_focus: dict[str, float] = field(default_factory=dict)


@dataclass
class BackendResult:
    page_ids: list[int]  # in result order, this page only
    total: int
    facets: dict[str, dict[str, int]]  # facet -> value -> count (disjunctive)
    # Stored fields of the hits on this page: page_id -> title, url, summary, body, kind,
    # date, themes (slugs)
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)
    # page_id -> bit i set when the hit matches ``query.scored()[i]`` (this page's hits)
    matched: dict[int, int] = field(default_factory=dict)
    # For each clause of ``query.scored()``: how many results match it (tier 2 only).
    clause_counts: list[int] = field(default_factory=list)


class SearchBackend:
    name = "abstract"

    def index(self, docs: Iterable[IndexedDoc], lexicon: Lexicon) -> None:
        raise NotImplementedError

    def delete(self, page_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def stored_texts(self, page_ids: Iterable[int]) -> dict[int, str]:
        """The text (title, summary, body) each of these documents is indexed with now,
        for those that are in the index: what the vocabulary counts."""
        raise NotImplementedError

    def rebuild(
        self, docs: Iterable[IndexedDoc], lexicon: Lexicon, progress: Callable[[int], None]
    ) -> int:
        """Replace the whole index; search keeps working until the new one is ready."""
        raise NotImplementedError

    def search(self, request: SearchRequest) -> BackendResult:
        raise NotImplementedError

    def suggest(self, query: ParsedQuery, limit: int) -> list[Suggestion]:
        """As-you-type: up to ``limit`` pages whose *title* matches, best first."""
        raise NotImplementedError

    def exact_titles(self, keys: list[str], limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` documents whose analysed title (its stems in order) is one of
        ``keys``, for navigational queries; each row has the stored fields of a hit
        (``BackendResult.docs``)."""
        raise NotImplementedError
