"""URLs of the events app (mounted under /agenda/ by portal.urls)."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("aanmelden/<id:event_id>/", views.register, name="register"),
    path("aanmelden/controleer-uw-e-mail/", views.check_mail, name="check_mail"),
    path("bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("aanmelding/<str:token>/", views.manage, name="manage"),
    path("aanmelding/<str:token>/annuleren/", views.cancel, name="cancel"),
    path("plaats/<str:token>/", views.offer, name="offer"),
    path("evaluatie/<str:token>/", views.survey, name="survey"),
    path("agenda.ics", views.feed_ics, name="feed"),
    path("thema/<slug:theme_slug>.ics", views.feed_ics, name="theme_feed"),
    path("evenement/<id:event_id>.ics", views.event_ics, name="event_ics"),
    path("aanmelding/<str:token>/certificaat.pdf", views.certificate, name="certificate"),
    path("certificaat/controleren/", views.certificate_verify, name="certificate_verify"),
    path("mijn-trainingen/", views.my_registrations, name="mine"),
    path("mijn-trainingen/download/", views.my_registrations_export, name="mine_export"),
    path("mijn-trainingen/verwijderen/", views.my_registrations_delete, name="mine_delete"),
]
