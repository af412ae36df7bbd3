from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from . import seo, views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": seo.sitemaps()}, name="sitemap"),
    path(".well-known/security.txt", seo.security_txt, name="security_txt"),
    # One login path: both admins hand login and logout to allauth.
    path("admin/login/", views.login_redirect, name="wagtailadmin_login"),
    path("admin/logout/", views.logout_redirect, name="wagtailadmin_logout"),
    path("django-admin/login/", views.login_redirect),
    path("django-admin/logout/", views.logout_redirect),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    # Wagtail's own pattern, through our view (sandboxed responses); its URL name and
    # the rest of wagtaildocs_urls (password form) stay Wagtail's.
    re_path(r"^documents/(\d+)/(.*)$", views.serve_document),
    path("documents/", include(wagtaildocs_urls)),
    path("expertise/", include("knowledge.urls")),
    path("agenda/", include("events.urls")),
    path("abonnement/", include("newsletter.urls")),
    path("partners/", include("casework.urls")),
    path("enquete/", include("casework.survey_urls")),
    path("zoeken/", include("search.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

# Wagtail's frontend login (/_util/login/, where private pages and documents send
# visitors) is Django's plain LoginView: password only, past the second factor and the
# rate limits. It leads to allauth's login like the admins' do.
urlpatterns.append(path("_util/login/", views.login_redirect))
urlpatterns.append(path("", include(wagtail_urls)))
