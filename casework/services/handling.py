"""Handling a case: status transitions (with the annual report's facts), notes,
meetings, plans and assigning the procesregisseur and casusregisseur."""

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, workflow
from ..models import Case, CaseEvaluation, TimelineEntry
from ..roles import has_role_perm
from ._common import CaseworkError, _require_open, _require_staff, _require_write_access


@transaction.atomic
def case_transition(
    *, case: Case, to_status: str, actor: User, note: str = "", request: HttpRequest | None = None
) -> Case:
    _require_staff(actor)
    _require_write_access(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not workflow.is_allowed(case.kind, case.status, to_status):
        raise CaseworkError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": workflow.status_label(case.status), "to": workflow.status_label(to_status)}
        )
    if (
        to_status in workflow.CLOSED_STATUSES
        and not CaseEvaluation.objects.filter(case=case).exists()
    ):
        # Closing goes through case_close, which stores the evaluation first.
        raise CaseworkError(
            _("A case can only be closed with an evaluation. Fill in the closure form.")
        )
    from_status = case.status
    case.status = to_status
    case.status_changed_at = timezone.now()
    case.closed_at = case.status_changed_at if to_status in workflow.CLOSED_STATUSES else None
    _record_report_dimensions(case, from_status, to_status)
    case.save(
        update_fields=[
            "status",
            "status_changed_at",
            "closed_at",
            "triage_outcome",
            "triaged_at",
            "direction_started_at",
            "weegtafel_decision",
        ]
    )
    TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.STATUS,
        author=actor,
        from_status=from_status,
        to_status=to_status,
        body=note,
    )
    audit.record(action="case.transition", user=actor, request=request, obj=case, purpose=to_status)
    return case


def _record_report_dimensions(case: Case, from_status: str, to_status: str) -> None:
    """Keep the facts the annual report counts on the case itself (see casework.reports)."""
    now = case.status_changed_at
    outcome = workflow.TRIAGE_OUTCOME_BY_STATUS.get(to_status)
    if outcome and not case.triage_outcome:
        case.triage_outcome = outcome
        case.triaged_at = now
    if to_status == "in_procesregie" and case.direction_started_at is None:
        case.direction_started_at = now
    if from_status == "weegtafel" and to_status in workflow.WEEGTAFEL_DECISIONS:
        case.weegtafel_decision = workflow.WEEGTAFEL_DECISIONS[to_status]


@transaction.atomic
def case_add_note(
    *, case: Case, actor: User, body: str, request: HttpRequest | None = None
) -> TimelineEntry:
    _require_staff(actor)
    _require_write_access(actor, case)
    entry = TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.NOTE, author=actor, body=body
    )
    audit.record(action="case.note", user=actor, request=request, obj=case)
    return entry


@transaction.atomic
def case_add_meeting(
    *,
    case: Case,
    actor: User,
    meeting_date: datetime.date,
    participants: str,
    agreements: str,
    request: HttpRequest | None = None,
) -> TimelineEntry:
    """A free-text meeting entry, as cases recorded them before structured procesregie
    (``services.meetings``); the case page no longer offers it."""
    _require_staff(actor)
    _require_write_access(actor, case)
    _require_open(case)
    entry = TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.MEETING,
        author=actor,
        meeting_date=meeting_date,
        participants=participants,
        agreements=agreements,
    )
    audit.record(action="case.meeting", user=actor, request=request, obj=case)
    return entry


@transaction.atomic
def case_add_plan(
    *, case: Case, actor: User, body: str, request: HttpRequest | None = None
) -> TimelineEntry:
    _require_staff(actor)
    _require_write_access(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    version = case.timeline.filter(kind=TimelineEntry.Kind.PLAN).count() + 1
    entry = TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.PLAN, author=actor, version=version, body=body
    )
    audit.record(action="case.plan", user=actor, request=request, obj=case, purpose=f"v{version}")
    return entry


@transaction.atomic
def case_assign(
    *,
    case: Case,
    actor: User,
    procesregisseur: User | None = None,
    casusregisseur: User | None = None,
    request: HttpRequest | None = None,
) -> Case:
    _require_staff(actor)
    _require_write_access(actor, case)
    _require_open(case)
    if procesregisseur is not None and not has_role_perm(procesregisseur, "triage_case"):
        raise CaseworkError(_("This person is not a procesregisseur."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    changes: list[str] = []
    if procesregisseur is not None and procesregisseur.pk != case.procesregisseur_id:
        case.procesregisseur = procesregisseur
        changes.append(_("procesregisseur: %(name)s") % {"name": procesregisseur.get_username()})
    if casusregisseur is not None and casusregisseur.pk != case.casusregisseur_id:
        case.casusregisseur = casusregisseur
        changes.append(_("casusregisseur: %(name)s") % {"name": casusregisseur.get_username()})
    if not changes:
        return case
    case.save(update_fields=["procesregisseur", "casusregisseur"])
    TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.ASSIGNMENT, author=actor, body="; ".join(changes)
    )
    audit.record(action="case.assign", user=actor, request=request, obj=case)
    return case
