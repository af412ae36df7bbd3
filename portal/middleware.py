"""Response-header middleware: the parts of the security baseline Django lacks."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from csp.middleware import CSPMiddleware, PolicyParts


class SecurityHeadersMiddleware:
    """Adds Permissions-Policy (Django sets the other headers itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PortalCSPMiddleware(CSPMiddleware):
    """A strict nonce-based policy for the site, a looser one for the admin.

    The Wagtail and Django admins render inline scripts and styles that we do
    not control, so they cannot run under the public site's policy.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(settings.ADMIN_URL_PREFIXES):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY
        return parts


class PortalLocaleMiddleware(LocaleMiddleware):
    """Always Dutch: the portal's content exists in Dutch only, so its interface is
    Dutch too and ``<html lang="nl">`` is true (WCAG 3.1.1).

    Django's LocaleMiddleware would follow the browser's Accept-Language or a language
    cookie and put English navigation around Dutch content under ``lang="en"``. The
    former English switch did exactly that; it is gone (docs/site.md, "Language").
    The Wagtail admin still speaks each editor's own preferred language (their
    account settings), which Wagtail activates itself for its views.
    """

    def process_request(self, request):
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # No ``Vary: Accept-Language``: the answer is the same for every browser, so
        # caches (ours and any in front) keep one copy of a page, not one per language.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


View = TypeVar("View", bound=Callable[..., Any])


def no_store(view: View) -> View:
    """Mark a view whose page belongs to one person (a signed-link page, their own
    data): ``NoStoreMiddleware`` sends every response of it with ``no-store``.

    A mark, like Django's ``csrf_exempt``: the header itself is set in one place.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    wrapper.no_store = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def is_private(request: HttpRequest) -> bool:
    """Whether the response to this request is someone's own page: never stored by a
    browser, proxy or the page cache. Signed-in users (every page), the URLs under
    ``NO_STORE_PREFIXES`` (accounts, the secure area, the survey) and views marked
    with ``no_store`` (pages behind a token)."""
    if getattr(request, "no_store", False):
        return True
    if request.path_info.startswith(settings.NO_STORE_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` (and no-cache, max-age=0, an Expires in the
    past) on every response that ``is_private`` says belongs to one person.

    Sits inside the page cache, which therefore never stores such a response, and
    outside session, auth and the views, so redirects, error pages and refusals of
    those URLs are marked as well (docs/security.md, "Pages that are someone's own").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_private(request):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if getattr(view_func, "no_store", False):
            request.no_store = True  # type: ignore[attr-defined]
