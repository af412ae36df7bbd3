"""URLs of the casework app (mounted under /partners/ by portal.urls).

Only opaque ids appear in these URLs; never names or other case content.
"""

from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("aanmelden/", views.intake_start, name="intake_start"),
    path("aanmelden/<uuid:draft_id>/opslaan/", views.intake_autosave, name="intake_autosave"),
    path("aanmelden/<uuid:draft_id>/verwijderen/", views.intake_discard, name="intake_discard"),
    path("aanmelden/<uuid:draft_id>/<slug:step>/", views.intake_step, name="intake_step"),
    path("casus/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("casus/<uuid:public_id>/inzage/", views.case_break_glass, name="case_break_glass"),
    path("casus/<uuid:public_id>/export/", views.case_export, name="case_export"),
    path(
        "casus/<uuid:public_id>/bijlage/",
        views.case_attachment_upload,
        name="case_attachment_upload",
    ),
    path(
        "casus/<uuid:public_id>/bijlage/<uuid:attachment_id>/",
        views.case_attachment_download,
        name="case_attachment_download",
    ),
    # Procesregie: meetings, the plan van aanpak and its actions (views/procesregie.py).
    path("casus/<uuid:public_id>/overleg/nieuw/", views.meeting_plan, name="meeting_plan"),
    path(
        "casus/<uuid:public_id>/overleg/<uuid:meeting_id>/verslag/",
        views.meeting_minutes,
        name="meeting_minutes",
    ),
    path(
        "casus/<uuid:public_id>/overleg/<uuid:meeting_id>/casusoverleg.ics",
        views.meeting_ics,
        name="meeting_ics",
    ),
    path("casus/<uuid:public_id>/plan/concept/", views.plan_draft, name="plan_draft"),
    path("casus/<uuid:public_id>/plan/actie/", views.plan_action_add, name="plan_action_add"),
    path(
        "casus/<uuid:public_id>/plan/actie/<uuid:action_id>/verwijderen/",
        views.plan_action_remove,
        name="plan_action_remove",
    ),
    path("casus/<uuid:public_id>/plan/vaststellen/", views.plan_adopt, name="plan_adopt"),
    path(
        "casus/<uuid:public_id>/plan/versie/<id:version>/", views.plan_version, name="plan_version"
    ),
    path(
        "casus/<uuid:public_id>/actie/<uuid:action_id>/", views.action_update, name="action_update"
    ),
    path("casus/<uuid:public_id>/<slug:action>/", views.case_action, name="case_action"),
    path("te-laat/", views.overdue, name="overdue"),
    path("procesregie/", views.monitoring, name="monitoring"),
    path("mijn-overleggen-en-acties/", views.my_procesregie, name="my_procesregie"),
    path("advies/", views.advice, name="advice"),
    path("advies/<id:pk>/", views.advice_answer, name="advice_answer"),
    path("uitnodigen/", views.invite, name="invite"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("rollen/", views.role_requests, name="role_requests"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/controleren/", views.audit_verify, name="audit_verify"),
    path("bewaartermijn/", views.retention, name="retention"),
    path("importeren/", views.case_import, name="case_import"),
    path("opvolging/", views.follow_up, name="follow_up"),
    path("enquete/<uuid:public_id>/", views.survey_signed_in, name="survey_signed_in"),
]
