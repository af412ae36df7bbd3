"""The portal's URLs plus views that fail, to see the error pages."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

SECRET_DETAIL = "kapot-door-test-7f3a"


def failing_view(request):
    raise RuntimeError(f"boom: {SECRET_DETAIL}")


def forbidden_view(request):
    raise PermissionDenied(f"verboden: {SECRET_DETAIL}")


def bad_request_view(request):
    raise SuspiciousOperation(f"verdacht: {SECRET_DETAIL}")


urlpatterns = [
    path("kapot/", failing_view),
    path("verboden/", forbidden_view),
    path("verdacht/", bad_request_view),
    *portal_urlpatterns,
]
