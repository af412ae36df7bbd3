"""URLs of the knowledge app (mounted under /expertise/ by portal.urls)."""

app_name = "knowledge"
urlpatterns: list = []
