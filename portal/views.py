from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import last_worker_heartbeat, run_checks


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    heartbeat = None
    if checks["database"] == "ok":
        seen = last_worker_heartbeat()
        heartbeat = seen.isoformat() if seen else None
    body = {"status": "ok" if healthy else "down", "checks": checks, "worker_last_seen": heartbeat}
    return JsonResponse(body, status=200 if healthy else 503)


def login_redirect(request):
    """The admins' own login pages send people to allauth: one login path.

    Only a local ``next`` survives; anything off-site falls back to the admin.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/admin/"
    query = urlencode({REDIRECT_FIELD_NAME: next_url})
    return HttpResponseRedirect(f"{reverse('account_login')}?{query}")


def logout_redirect(request):
    # 307 keeps the method and body: the admins' logout buttons POST (with their
    # CSRF token), and allauth then logs out without asking a second time.
    return HttpResponseRedirect(reverse("account_logout"), status=307)
