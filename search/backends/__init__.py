"""Search backends behind one interface; ``get_backend()`` picks one from settings."""

from functools import cache

from django.conf import settings

from .base import BackendResult, SearchBackend, SearchRequest


@cache
def _backend(name: str) -> SearchBackend:
    if name == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(
            url=settings.ELASTICSEARCH_URL, index=settings.SEARCH_ELASTICSEARCH_INDEX
        )
    if name == "database":
        from .database import DatabaseBackend

        return DatabaseBackend()
    raise ValueError(f"Unknown SEARCH_BACKEND {name!r}")


def get_backend(name: str | None = None) -> SearchBackend:
    return _backend(name or settings.SEARCH_BACKEND)


__all__ = ["BackendResult", "SearchBackend", "SearchRequest", "get_backend"]
