"""Casework access middleware: idle timeout, second factor, no-store.

For the casework URLs (/partners/) and both admins:
- a signed-in user without an activated TOTP or WebAuthn authenticator is sent
  to TOTP setup and sees nothing else there (allauth offers MFA but does not
  require it);
- a session idle for longer than CASEWORK_IDLE_TIMEOUT_SECONDS is ended; what a
  POST arriving then carried is kept for the user (``services.input_rescue``);
- responses are marked ``Cache-Control: no-store``.
"""

import logging
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from . import audit

LAST_SEEN_KEY = "casework_last_seen"
logger = logging.getLogger(__name__)
# The factors allauth's login asks for (its AuthenticateStage). Recovery codes are
# only a fallback for these: a user holding nothing but recovery codes is never
# asked for a second factor at login, so they must not count here either.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class AuditContextMiddleware:
    """Makes the request known to the audit receivers that get none of their own.

    A password set in the Django admin, a group added in the Wagtail admin or an
    authenticator deleted anywhere reaches casework.account_audit as a model signal,
    without the request; the entry must still name who did it and from where. Outside
    a request (management commands, tasks) nothing is bound and the entry says
    "system"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.bind_request(request)
        try:
            return self.get_response(request)
        finally:
            audit.unbind_request(token)


class CaseworkSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        protected = request.path_info.startswith(settings.CASEWORK_MFA_PREFIXES)
        user = getattr(request, "user", None)
        if protected and user is not None and user.is_authenticated:
            refused = self._idle_timeout(request) or self._require_mfa(request)
            if refused is not None:
                add_never_cache_headers(refused)
                return refused
        if user is not None and user.is_authenticated:
            now = int(time.time())
            # Write the session only when the stamp moves noticeably: one write per 30 s.
            if now - request.session.get(LAST_SEEN_KEY, 0) >= 30:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if protected:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response

    def _idle_timeout(self, request):
        last_seen = request.session.get(LAST_SEEN_KEY)
        if last_seen is None or time.time() - last_seen <= settings.CASEWORK_IDLE_TIMEOUT_SECONDS:
            return None
        audit.record(action="session.idle_timeout", user=request.user, request=request)
        continue_at = self._rescue(request) if request.method == "POST" else None
        logout(request)
        if continue_at:
            messages.info(
                request,
                _(
                    "You were signed out after 15 minutes without activity. What you typed "
                    "has been kept: sign in again to check it and send it."
                ),
            )
        else:
            messages.info(request, _("You were signed out after 15 minutes without activity."))
        return self._redirect(request, reverse("account_login"), next_path=continue_at)

    @staticmethod
    def _rescue(request):
        """Keep a late POST's input for the user (casework.services.input_rescue)."""
        from . import services

        try:
            return services.input_rescue(user=request.user, path=request.path, post=request.POST)
        except Exception:  # noqa: BLE001 - a broken or oversized body: sign out all the same
            logger.warning("casework input after idle timeout not kept", exc_info=False)
            return None

    def _require_mfa(self, request):
        if is_mfa_enabled(request.user, types=SECOND_FACTORS):
            return None
        return self._redirect(request, reverse("mfa_activate_totp"))

    @staticmethod
    def _redirect(request, target: str, next_path: str | None = None):
        if request.headers.get("x-requested-with") == "fetch":
            # Background saves get a status the script understands, not a login page.
            return JsonResponse({"redirect": target}, status=403)
        if next_path is None:
            next_path = request.get_full_path() if request.method == "GET" else request.path
        return HttpResponseRedirect(f"{target}?next={quote(next_path)}")
