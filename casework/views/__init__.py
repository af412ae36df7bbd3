"""Casework views, one module per screen family. Every case read goes through
``selectors.cases_visible_to``; every write goes through a service; every read of case
data is audited.

URLs carry opaque ids (UUIDs), never names or other case content. The URLconfs
(``casework/urls.py``, ``casework/survey_urls.py``) use the names re-exported here.
"""

from .actions import ACTIONS, case_action
from .cases import (
    case_attachment_download,
    case_attachment_upload,
    case_break_glass,
    case_detail,
    case_export,
)
from .follow_up import follow_up
from .gcos import IMPORT_SESSION_KEY, case_import
from .home import home
from .intake import intake_autosave, intake_discard, intake_start, intake_step
from .privacy import audit_log, audit_verify, retention
from .procesregie import (
    action_update,
    meeting_ics,
    meeting_minutes,
    meeting_plan,
    monitoring,
    my_procesregie,
    plan_action_add,
    plan_action_remove,
    plan_adopt,
    plan_draft,
    plan_version,
    procesregie_context,
)
from .role_grants import role_requests
from .staff import advice, advice_answer, invitation_accept, invite, overdue
from .survey import SURVEY_RATE, survey, survey_signed_in, survey_thanks

__all__ = [
    "ACTIONS",
    "IMPORT_SESSION_KEY",
    "SURVEY_RATE",
    "action_update",
    "advice",
    "advice_answer",
    "audit_log",
    "audit_verify",
    "case_action",
    "case_attachment_download",
    "case_attachment_upload",
    "case_break_glass",
    "case_detail",
    "case_export",
    "case_import",
    "follow_up",
    "home",
    "intake_autosave",
    "intake_discard",
    "intake_start",
    "intake_step",
    "invitation_accept",
    "invite",
    "meeting_ics",
    "meeting_minutes",
    "meeting_plan",
    "monitoring",
    "my_procesregie",
    "overdue",
    "plan_action_add",
    "plan_action_remove",
    "plan_adopt",
    "plan_draft",
    "plan_version",
    "procesregie_context",
    "retention",
    "role_requests",
    "survey",
    "survey_signed_in",
    "survey_thanks",
]
