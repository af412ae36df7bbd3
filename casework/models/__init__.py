"""Casework: organisations, roles, aanmeldingen, their timeline and the audit log.

Personal fields and narrative text are ``EncryptedTextField``s (ciphertext in the
database). Who may see which case is decided in ``casework.selectors`` only.

One module per part of the domain; this package re-exports every model and choice, so
``from casework.models import Case`` keeps working:

- ``organisations``: partner kinds and organisations, memberships, relatiebeheer,
  invitations, role requests awaiting a second person's approval;
- ``cases``: the case (aanmelding) and its choices, shares, break-the-glass;
- ``drafts``: intake drafts and input rescued after the idle timeout;
- ``timeline``: timeline entries (status, notes, meetings, plans, messages), attachments;
- ``advice``: advice requests;
- ``audit``: the hash-chained audit log;
- ``retention``: destruction lists and tombstones;
- ``closure``: the closure evaluation and its choices;
- ``survey``: the satisfaction survey and follow-up tasks;
- ``prognosis``: the year plan's expected registrations;
- ``procesregie``: case meetings, their invitees and minutes, the versioned plan van
  aanpak and its actions.

Imports between the modules run one way: ``organisations`` imports none of the others,
``cases`` uses ``organisations``, the rest use those two (``timeline`` also ``drafts``).
"""

# isort: off
# Imported in the domain's order, which is also the order Django registers the models
# in (content types, permissions, casework_rotate_keys follow it).
from .organisations import (
    Department,
    Invitation,
    Membership,
    PartnerKind,
    PartnerOrganisation,
    Relatiebeheer,
    RoleGrantRequest,
)
from .cases import (
    AveLevel,
    BreakGlass,
    Case,
    CaseKind,
    CaseShare,
    CaseSource,
    JeugdEntry,
    TriageOutcome,
    Urgency,
    WeegtafelDecision,
)

# The migrations name this default as ``casework.models._new_public_id``.
from .cases import _new_public_id as _new_public_id
from .drafts import CaseDraft, JsonPayload, RescuedInput
from .timeline import Attachment, TimelineEntry
from .advice import AdviceRequest
from .audit import AuditEntry
from .retention import DestructionList, Tombstone
from .closure import Achievement, CaseEvaluation, ClosureReason, JeugdClosureResult
from .survey import FollowUpTask, SurveyInvitation, SurveyResponse
from .prognosis import Prognosis
from .procesregie import CarePlan, CaseMeeting, MeetingInvitee, PlanAction
# isort: on

__all__ = [
    "PartnerKind",
    "Department",
    "PartnerOrganisation",
    "Membership",
    "Relatiebeheer",
    "Invitation",
    "RoleGrantRequest",
    "CaseKind",
    "Urgency",
    "AveLevel",
    "JeugdEntry",
    "TriageOutcome",
    "WeegtafelDecision",
    "CaseSource",
    "Case",
    "CaseShare",
    "BreakGlass",
    "JsonPayload",
    "CaseDraft",
    "RescuedInput",
    "TimelineEntry",
    "Attachment",
    "AdviceRequest",
    "AuditEntry",
    "DestructionList",
    "Tombstone",
    "Achievement",
    "ClosureReason",
    "JeugdClosureResult",
    "CaseEvaluation",
    "SurveyInvitation",
    "SurveyResponse",
    "FollowUpTask",
    "Prognosis",
    "CaseMeeting",
    "MeetingInvitee",
    "CarePlan",
    "PlanAction",
]
