"""Casework business rules. Views, forms, commands and tasks call these; they hold no rules.

Every write is transactional and audited (``casework.audit.record``). E-mails
never carry case content: only a reference and a link.

The rules live in one module per part of the work; this package re-exports every
public name, so callers keep writing ``from casework import services`` and
``services.case_submit(...)``:

- ``_common``: ``CaseworkError``, the logger and the permission checks they share;
- ``organisations``: relatiebeheer (default procesregisseur), memberships, invitations;
- ``role_grants``: giving, requesting, approving, rejecting and revoking ZVH roles
  (four eyes, ``roles.GRANT_RULES``);
- ``intake``: drafts, submitting a case, duplicate checks;
- ``handling``: transitions, notes, meetings, plans, assignment;
- ``messaging``: secure messages, notification and confirmation e-mails, the timeline;
- ``advice``: advice requests logged by staff;
- ``access``: break the glass (read-only, the privacy officers told at once);
- ``attachments``: adding and reading attachments;
- ``closure``: the closure evaluation and ``case_close``;
- ``survey``: the closing-satisfaction survey and follow-up tasks;
- ``rescue``: input posted after the idle timeout;
- ``retention``: purges, destruction lists and casework's ``retention_run``;
- ``meetings``: case meetings (casusoverleg), their invitations (.ics) and minutes;
- ``plans``: the versioned plan van aanpak, its actions and their reminders.

Imports between the modules run one way: ``_common`` imports none of the others;
``role_grants`` uses ``messaging``; ``organisations`` uses ``role_grants``;
``intake`` uses ``organisations``, ``messaging`` and ``attachments``; ``survey`` and
``access`` use ``messaging``; ``rescue`` uses ``intake``; ``closure`` uses ``handling``
and ``survey``; ``retention`` uses ``attachments``, ``rescue`` and ``survey``; ``meetings`` uses
``messaging``; ``plans`` uses ``meetings`` and ``messaging``.

To replace a function in a test, patch it in the module that calls it (for example
``casework.services.retention.drafts_purge`` for ``retention_run``): patching the
package's name only changes what callers of ``services.<name>`` get.
"""

from ._common import CaseworkError, logger
from .access import break_glass_alert_send, break_glass_open
from .advice import advice_answer, advice_log
from .attachments import attachment_add, attachment_read
from .closure import (
    EVALUATION_FLAGS,
    EVALUATION_GOALS,
    ClosureRefused,
    case_close,
    case_was_in_procesregie,
    evaluation_validate,
)
from .handling import case_add_meeting, case_add_note, case_add_plan, case_assign, case_transition
from .intake import (
    DRAFT_VALUE_LIMIT,
    case_submit,
    draft_discard,
    draft_start,
    draft_update,
    duplicate_count,
    duplicates_of,
)
from .meetings import (
    involved_organisations,
    meeting_invitation_send,
    meeting_plan,
    meeting_record_minutes,
)
from .messaging import message_send, notification_send, registration_confirmation_send, timeline_for
from .organisations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    membership_set,
    regisseur_default_for,
)
from .plans import (
    REMINDER_PHASES,
    may_update_action,
    plan_action_add,
    plan_action_reminder_send,
    plan_action_reminders_send,
    plan_action_remove,
    plan_action_update,
    plan_adopt,
    plan_draft_start,
    plan_draft_update,
)
from .rescue import RESCUED_CASE_FORMS, input_rescue, rescued_input_take, rescued_inputs_purge
from .retention import (
    advice_requests_anonymise,
    destruction_approve,
    destruction_execute,
    destruction_propose,
    drafts_purge,
    retention_run,
)
from .role_grants import (
    role_change_notice_send,
    role_grant_approve,
    role_grant_reject,
    role_grant_request,
    role_revoke,
)
from .survey import (
    NEGATIVE_GRADE_MAX,
    NEGATIVE_SCALE_MAX,
    SurveyState,
    follow_up_complete,
    survey_addresses_purge,
    survey_invitation_for_token,
    survey_invitations_create,
    survey_is_strongly_negative,
    survey_recipients,
    survey_reminders_send,
    survey_submit,
)

__all__ = [
    "CaseworkError",
    "logger",
    "regisseur_default_for",
    "membership_set",
    "invitation_create",
    "invitation_for_token",
    "invitation_accept",
    "role_grant_request",
    "role_grant_approve",
    "role_grant_reject",
    "role_revoke",
    "role_change_notice_send",
    "DRAFT_VALUE_LIMIT",
    "draft_start",
    "draft_update",
    "case_submit",
    "duplicates_of",
    "duplicate_count",
    "draft_discard",
    "case_transition",
    "case_add_note",
    "case_add_meeting",
    "case_add_plan",
    "case_assign",
    "notification_send",
    "registration_confirmation_send",
    "message_send",
    "timeline_for",
    "advice_log",
    "advice_answer",
    "break_glass_open",
    "break_glass_alert_send",
    "attachment_add",
    "attachment_read",
    "EVALUATION_GOALS",
    "EVALUATION_FLAGS",
    "ClosureRefused",
    "case_was_in_procesregie",
    "evaluation_validate",
    "case_close",
    "NEGATIVE_SCALE_MAX",
    "NEGATIVE_GRADE_MAX",
    "SurveyState",
    "survey_recipients",
    "survey_invitations_create",
    "survey_invitation_for_token",
    "survey_is_strongly_negative",
    "survey_submit",
    "survey_reminders_send",
    "survey_addresses_purge",
    "follow_up_complete",
    "RESCUED_CASE_FORMS",
    "input_rescue",
    "rescued_input_take",
    "rescued_inputs_purge",
    "drafts_purge",
    "advice_requests_anonymise",
    "destruction_propose",
    "destruction_approve",
    "destruction_execute",
    "retention_run",
    "involved_organisations",
    "meeting_plan",
    "meeting_invitation_send",
    "meeting_record_minutes",
    "REMINDER_PHASES",
    "may_update_action",
    "plan_draft_start",
    "plan_draft_update",
    "plan_action_add",
    "plan_action_remove",
    "plan_adopt",
    "plan_action_update",
    "plan_action_reminders_send",
    "plan_action_reminder_send",
]
