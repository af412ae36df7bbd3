"""URLs of the newsletter app (mounted under /abonnement/ by portal.urls)."""

from django.urls import path

from . import views

app_name = "newsletter"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("controleer-uw-mail/", views.check_mail, name="check_mail"),
    path("bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("voorkeuren/<str:token>/", views.preferences, name="preferences"),
    path("voorkeuren/<str:token>/gegevens.json", views.export, name="export"),
    path("voorkeuren/<str:token>/verwijderen/", views.delete, name="delete"),
    path("afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("k/<str:token>/<id:link_id>/<str:signature>/", views.click, name="click"),
    path("o/<str:token>/", views.open_pixel, name="open"),
    path("archief/rss/", views.IssuesFeed(), name="rss"),
    path("archief/atom/", views.IssuesAtomFeed(), name="atom"),
    # The tracking webhook of the configured Anymail provider only, and only with a
    # secret set (views.anymail_tracking): bounces and complaints unsubscribe people.
    path("anymail/<slug:provider>/tracking/", views.anymail_tracking, name="anymail_tracking"),
]
