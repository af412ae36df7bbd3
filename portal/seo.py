"""What search engines and security researchers read: robots.txt, the sitemap,
security.txt (RFC 9116), and the canonical address and image of a page."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from wagtail.contrib.sitemaps import Sitemap

from .mail import absolute_url

if TYPE_CHECKING:
    from wagtail.models import Page

# Never for search engines: the secure area, accounts, the admins, the survey, the
# search results (a visitor's query), and the apps' forms and personal links (events'
# registration and calendar routes, the newsletter's tokens; its sign-up form stays).
ROBOTS_DISALLOW = (
    "/partners/",
    "/admin/",
    "/django-admin/",
    "/accounts/",
    "/enquete/",
    "/zoeken/",
    "/agenda/",
    "/abonnement/bevestigen/",
    "/abonnement/voorkeuren/",
    "/abonnement/afmelden/",
    "/abonnement/k/",
    "/abonnement/o/",
    "/expertise/vraag/",
)


def canonical_url(request: HttpRequest, page: "Page | None") -> str:
    """The one public address of what is shown: the page's own URL (so a page reached
    under another host or with a query string names its real address), else the
    request's path without its query, on the portal's public address (``BASE_URL``)."""
    path = request.path
    if page is not None and hasattr(page, "get_url"):
        path = page.get_url(request) or path
    return path if path.startswith(("http://", "https://")) else absolute_url(path)


def og_image_url(page: Any) -> str:
    """An absolute address of the page's image, cropped for link previews, or ""."""
    image = getattr(page, "image", None)
    if image is None or not hasattr(image, "get_rendition"):
        return ""
    url: str = image.get_rendition("fill-1200x630").url
    return url if url.startswith(("http://", "https://")) else absolute_url(url)


class PortalSitemap(Sitemap):
    """Wagtail's sitemap (live, public pages of the site), with every address on
    ``BASE_URL`` like the canonical links, not on the Wagtail site's host name."""

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            location = url["location"]
            if location.startswith(("http://", "https://")):
                # Wagtail makes it absolute on the site's host: keep only the path.
                location = "/" + location.split("/", 3)[3] if location.count("/") >= 3 else "/"
            url["location"] = absolute_url(location)
        return urls


def sitemaps() -> dict[str, type[Sitemap]]:
    return {"pages": PortalSitemap}


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def security_txt_body(*, now: dt.datetime | None = None) -> str:
    """The fields of RFC 9116: who to write to, until when this holds (Expires is
    computed, so the file never goes stale), languages, and its own address."""
    now = now or timezone.now()
    expires = (now + dt.timedelta(days=settings.SECURITY_TXT_EXPIRES_DAYS)).astimezone(dt.UTC)
    lines = [f"Contact: {contact}" for contact in settings.SECURITY_CONTACT]
    lines += [
        f"Expires: {expires.replace(microsecond=0).isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {absolute_url(reverse('security_txt'))}",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return "\n".join(lines) + "\n"


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    # Without a contact the file would be invalid (Contact is required): rather none.
    if not settings.SECURITY_CONTACT:
        raise Http404("No SECURITY_CONTACT configured")
    return HttpResponse(security_txt_body(), content_type="text/plain; charset=utf-8")
