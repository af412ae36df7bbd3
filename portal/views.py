import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.documents.views.serve import serve as wagtail_serve_document

from .health import last_worker_heartbeat, run_checks
from .mail import outbox_message_get, outbox_message_list


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    heartbeat = None
    if checks["database"] == "ok":
        try:
            seen = last_worker_heartbeat()
        except DatabaseError:
            # Reachable but unusable (e.g. not migrated yet): down, and never a 500.
            checks["database"] = "down"
        else:
            heartbeat = seen.isoformat() if seen else None
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    body = {"status": "ok" if healthy else "down", "checks": checks, "worker_last_seen": heartbeat}
    return JsonResponse(body, status=200 if healthy else 503)


def serve_document(request, document_id, document_filename):
    """Wagtail's document view (privacy per collection, attachment, "default-src 'none'"),
    plus ``sandbox``: should a browser still render a download (HTML, SVG in a PDF
    viewer), it runs in an opaque origin, without the site's cookies or scripts."""
    response = wagtail_serve_document(request, document_id, document_filename)
    if response.get("Content-Security-Policy") == "default-src 'none'":
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


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


class OutboxAccessMixin:
    """The demo outbox: demo mode only, staff and superusers only.

    Wagtail already requires admin access for every admin URL; the outbox shows
    other people's mail, so editors without staff status are refused too.
    """

    def dispatch(self, request, *args, **kwargs):
        if not settings.DEMO:
            raise Http404
        if not outbox_visible_to(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def outbox_visible_to(user) -> bool:
    return bool(settings.DEMO and user.is_active and (user.is_staff or user.is_superuser))


class OutboxIndexView(OutboxAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/outbox/index.html"
    page_title = _("Sent e-mail (demo)")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        messages, total = outbox_message_list()
        return super().get_context_data(
            outbox_messages=messages, total=total, outbox_dir=settings.MAIL_OUTBOX_DIR, **kwargs
        )


class OutboxMessageView(OutboxAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/outbox/message.html"
    header_icon = "mail"

    def get(self, request, *args, message_id: str, **kwargs):
        self.message = outbox_message_get(message_id=message_id)
        if self.message is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return self.message.subject or _("(no subject)")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("portal_outbox:index"), "label": _("Sent e-mail (demo)")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            mail=self.message, html_document=links_open_in_new_tab(self.message.html), **kwargs
        )


def links_open_in_new_tab(html: str) -> str:
    """The HTML part is shown in a sandboxed iframe; a <base target> makes its links
    open in a new tab (a link followed inside the small frame would be useless)."""
    if not html:
        return ""
    base = '<base target="_blank">'
    head = re.search(r"<head\b[^>]*>", html, flags=re.IGNORECASE)
    if head:
        return html[: head.end()] + base + html[head.end() :]
    return base + html
