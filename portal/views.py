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
    """The admins' own login pages send people to allauth: one login path."""
    next_url = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?next={next_url}")


def logout_redirect(request):
    return HttpResponseRedirect(reverse("account_logout"))
