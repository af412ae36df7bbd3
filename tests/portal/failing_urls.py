"""The portal's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

SECRET_DETAIL = "kapot-door-test-7f3a"


def failing_view(request):
    raise RuntimeError(f"boom: {SECRET_DETAIL}")


urlpatterns = [path("kapot/", failing_view), *portal_urlpatterns]
