"""URLs of the newsletter app (mounted under /abonnement/ by portal.urls)."""

app_name = "newsletter"
urlpatterns: list = []
