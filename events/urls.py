"""URLs of the events app (mounted under /agenda/ by portal.urls)."""

app_name = "events"
urlpatterns: list = []
