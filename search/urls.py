"""URLs of the search app (mounted under /zoeken/ by portal.urls)."""

app_name = "search"
urlpatterns: list = []
