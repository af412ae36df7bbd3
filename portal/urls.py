from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

urlpatterns = [
    path("health/", views.health, name="health"),
    # One login path: both admins hand login and logout to allauth.
    path("admin/login/", views.login_redirect, name="wagtailadmin_login"),
    path("admin/logout/", views.logout_redirect, name="wagtailadmin_logout"),
    path("django-admin/login/", views.login_redirect),
    path("django-admin/logout/", views.logout_redirect),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
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

urlpatterns.append(path("", include(wagtail_urls)))
