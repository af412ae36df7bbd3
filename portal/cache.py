"""A whole-page cache for anonymous visitors that keeps CSP nonces per request.

Django's cache middleware and wagtail-cache replay a stored response byte for
byte, so every visitor would receive the same CSP nonce: the nonce would become
a public constant and the strict policy would protect nothing. This middleware
stores the nonce a page was rendered with and, on a hit, swaps in a fresh one
taken from django-csp; django-csp's middleware (which wraps this one) then
writes the header with that same fresh nonce. See docs/performance.md.

The same holds for CSRF tokens: the footer's newsletter form (and any public
form) carries the visitor's own masked CSRF token. Replaying it would hand one
visitor's CSRF secret to the next, so the stored page remembers which tokens
belong to the rendering visitor and a hit replaces them with tokens for the
current visitor, through Django's own CsrfViewMiddleware (which also sets their
cookie). Every other cookie makes a response uncacheable.

Invalidation bumps a generation number that is part of every key instead of
calling ``cache.clear()``: the cache may share a Redis instance with the Celery
broker, and clearing it would drop queued tasks. Entries of old generations
simply expire.
"""

import hashlib
import logging
import re
import time
from typing import cast

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token

from wagtail.signals import page_published, page_unpublished, post_page_move

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
HIT_HEADER = "X-Page-Cache"
# Headers that belong to one response only: set fresh on every hit (CSP) or
# never replayed (cookies).
_NOT_STORED = {
    "set-cookie",
    "content-security-policy",
    "content-security-policy-report-only",
    HIT_HEADER.lower(),
}
# Any Vary beyond these means the page depends on something the key lacks.
# Cookie is covered because requests carrying a session or messages cookie bypass
# the cache and CSRF-bearing pages set a cookie. The language is not in the key: the
# public site is Dutch only (portal.middleware.PortalLocaleMiddleware).
_VARY_HANDLED = {"cookie"}
_UNCACHEABLE_DIRECTIVES = {"private", "no-store", "no-cache"}
MESSAGES_COOKIE_NAME = "messages"  # django.contrib.messages' CookieStorage
# A masked CSRF token: 64 characters of [a-zA-Z0-9], standing alone.
_TOKEN_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def current_generation() -> int:
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Start from the clock, not 1: if Redis evicted the counter, a restart
        # at 1 could revive entries of an old generation that have not expired.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    # Counter gone again (evicted at once): a key of its own is never a stale hit.
    return time.time_ns() if generation is None else generation


def invalidate_page_cache() -> None:
    """Make every cached page stale at once (they expire by themselves)."""
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet: any new one is a new generation
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:  # a cache outage must not break publishing
        logger.warning("page cache: could not invalidate", exc_info=True)


def _invalidate_on_commit(**kwargs) -> None:
    # After the commit, so no request renders the old content into the new generation.
    transaction.on_commit(invalidate_page_cache)


def _invalidates_pages(model) -> bool:
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.models import BaseViewRestriction
    from wagtail.snippets.models import get_snippet_models

    return issubclass(model, (BaseSiteSetting, BaseGenericSetting, BaseViewRestriction)) or (
        model in get_snippet_models()
    )


def _on_model_change(sender, signal, raw=False, **kwargs) -> None:
    from wagtail.models import Page

    if raw:  # fixtures loading
        return
    if issubclass(sender, Page):
        # Saving a page is a draft; publish/unpublish/move have their own
        # signals. Deleting a live page goes straight to post_delete.
        if signal is post_delete:
            _invalidate_on_commit()
    elif _invalidates_pages(sender):
        # Snippets, site settings and view restrictions have no publish step.
        _invalidate_on_commit()


def connect_signals() -> None:
    """Called from PortalConfig.ready()."""
    page_published.connect(_invalidate_on_commit, dispatch_uid="pagecache-published")
    page_unpublished.connect(_invalidate_on_commit, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_invalidate_on_commit, dispatch_uid="pagecache-moved")
    post_save.connect(_on_model_change, dispatch_uid="pagecache-saved")
    post_delete.connect(_on_model_change, dispatch_uid="pagecache-deleted")


def _request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)):
        return False
    cookies = request.COOKIES
    # Anyone with a session (logged in, or a half-finished login or form) or a
    # pending flash message sees a page of their own.
    return not (
        settings.SESSION_COOKIE_NAME in cookies
        or MESSAGES_COOKIE_NAME in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def _response_is_cacheable(response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    # The CSRF cookie is handled by token substitution; any other cookie is
    # someone's own state.
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME} or (
        response.cookies and settings.CSRF_USE_SESSIONS
    ):
        return False
    cache_control = {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    if cache_control & _UNCACHEABLE_DIRECTIVES:
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= _VARY_HANDLED


def _visitor_csrf_tokens(request, content: bytes) -> list[str]:
    """The masked CSRF tokens in ``content`` that belong to this visitor.

    Found by unmasking every token-shaped string, so a token in a data
    attribute or JSON is found as well as one in a hidden input.
    """
    # No public API for this (so django-stubs leaves it out).
    from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]

    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return []
    return sorted(
        {
            candidate.decode("ascii")
            for candidate in _TOKEN_CANDIDATE.findall(content)
            if _unmask_cipher_token(candidate.decode("ascii")) == secret
        }
    )


def _entry_key(request, generation: int) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "backslashreplace")).hexdigest()
    return f"pagecache:{generation}:{digest}"


def _used_nonce(request) -> str | None:
    # django-csp's lazy nonce is falsy until a template has read it.
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if nonce else None


def _replay(entry: dict, request) -> HttpResponse:
    def build(request) -> HttpResponse:
        content = entry["content"]
        if entry["nonce"]:
            fresh = str(request.csp_nonce)  # django-csp puts this one in the header
            content = content.replace(entry["nonce"].encode("ascii"), fresh.encode("ascii"))
        for token in entry["csrf_tokens"]:
            # This visitor's own token (from their cookie, or a new secret).
            content = content.replace(token.encode("ascii"), get_token(request).encode("ascii"))
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(content))
        response[HIT_HEADER] = "hit"
        return response

    if entry["csrf_tokens"]:
        # Reads the visitor's CSRF cookie before and sets it after, as on a miss.
        # Called synchronously: the response itself, never an awaitable.
        return cast(HttpResponse, CsrfViewMiddleware(build)(request))
    return build(request)


class AnonymousPageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache.

    Sits inside django-csp's middleware (so the CSP header is written per
    request, hits included) and outside the session, CSRF and auth
    middleware (so a hit costs no database query and the cookies they set
    are visible here).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _request_is_cacheable(request):
            return self.get_response(request)
        try:
            key = _entry_key(request, current_generation())
            entry = _cache().get(key)
        except DisallowedHost:
            return self.get_response(request)  # Django answers 400 further in
        except Exception:  # a cache outage only costs speed
            logger.warning("page cache: lookup failed", exc_info=True)
            return self.get_response(request)
        if entry is not None:
            return _replay(entry, request)

        response = self.get_response(request)
        if request.method == "GET" and _response_is_cacheable(response):
            entry = {
                "status": response.status_code,
                "headers": [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in _NOT_STORED
                ],
                "content": response.content,
                "nonce": _used_nonce(request),
                "csrf_tokens": _visitor_csrf_tokens(request, response.content),
            }
            try:
                _cache().set(key, entry, seconds)
            except Exception:
                logger.warning("page cache: store failed", exc_info=True)
            else:
                response[HIT_HEADER] = "miss"
        return response
