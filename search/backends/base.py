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


@dataclass
class BackendResult:
    page_ids: list[int]  # in result order, this page only
    total: int
    facets: dict[str, dict[str, int]]  # facet -> value -> count (disjunctive)
    # Stored fields of the hits on this page: page_id -> title, url, summary, body, kind, date
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)


class SearchBackend:
    name = "abstract"

    def index(self, docs: Iterable[IndexedDoc], lexicon: Lexicon) -> None:
        raise NotImplementedError

    def delete(self, page_ids: Iterable[int]) -> None:
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
