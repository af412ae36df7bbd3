"""The public closing-satisfaction survey, mounted at /enquete/ by portal.urls.

Deliberately outside /partners/: respondents follow an e-mailed link without signing
in, and the casework middleware demands a second factor under /partners/.
"""

from django.urls import path

from . import views

app_name = "casework_survey"
urlpatterns = [
    path("bedankt/", views.survey_thanks, name="thanks"),
    path("<str:token>/", views.survey, name="survey"),
]
