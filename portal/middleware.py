"""Response-header middleware: the parts of the security baseline Django lacks."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
    """Dutch unless the visitor chose another language with the footer switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an
    English browser would get English navigation around Dutch page content with
    ``lang="en"``. The portal is Dutch; English is an explicit choice (the
    language cookie set by /i18n/setlang/).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
