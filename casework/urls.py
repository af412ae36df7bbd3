"""URLs of the casework app (mounted under /partners/ by portal.urls)."""

app_name = "casework"
urlpatterns: list = []
