"""Retention: purging drafts, anonymising advice requests without a case, destruction
lists (propose, approve by a second person, execute with tombstones) and casework's
``retention_run`` that ties the purges together (called by the portal-wide run,
``portal.retention.retention_run``)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, workflow
from ..models import AdviceRequest, Case, CaseDraft, DestructionList, Tombstone
from ._common import CaseworkError, _require_staff
from .attachments import _remove_attachment_files
from .rescue import rescued_inputs_purge
from .survey import survey_addresses_purge


@transaction.atomic
def drafts_purge(*, older_than_days: int | None = None) -> int:
    days = settings.RETENTION_DAYS["casework_draft"] if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    old = CaseDraft.objects.filter(updated_at__lt=cutoff)
    from ..models import Attachment

    _remove_attachment_files(Attachment.objects.filter(draft__in=old))
    count = old.count()
    old.delete()
    if count:
        audit.record(action="draft.purge", object_type="casedraft", object_id=str(count))
    return count


@transaction.atomic
def advice_requests_anonymise(*, older_than_days: int | None = None) -> int:
    """Phoned-in or e-mailed advice requests (no case) past their term lose question and
    advice; channel, organisation, municipality and dates remain for the annual figures.

    The term runs from the advice, or from the question if it was never answered.
    Requests with a case follow that case (destroyed with it)."""
    days = (
        settings.RETENTION_DAYS["casework_advice"] if older_than_days is None else older_than_days
    )
    cutoff = timezone.now() - timedelta(days=days)
    due = AdviceRequest.objects.filter(case__isnull=True, anonymised_at__isnull=True).filter(
        Q(advised_at__lt=cutoff) | Q(advised_at__isnull=True, asked_at__lt=cutoff)
    )
    count = 0
    for advice_request in due.select_for_update():
        advice_request.question = ""
        advice_request.advice = ""
        advice_request.anonymised_at = timezone.now()
        advice_request.save(update_fields=["question", "advice", "anonymised_at"])
        count += 1
    if count:
        audit.record(action="advice.anonymise", object_type="advicerequest", object_id=str(count))
    return count


def destruction_propose(
    *, actor: User, request: HttpRequest | None = None
) -> DestructionList | None:
    """List closed cases past the retention term; nothing is removed yet."""
    _require_staff(actor, "approve_destruction")
    cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS["casework_closed"])
    due = Case.objects.filter(closed_at__lt=cutoff, status__in=workflow.CLOSED_STATUSES)
    pending = DestructionList.objects.filter(executed_at__isnull=True, cases__isnull=False)
    listed = list(due.exclude(pk__in=pending.values("cases")))
    if not listed:
        return None
    with transaction.atomic():
        destruction_list = DestructionList.objects.create(proposed_by=actor)
        destruction_list.cases.set(listed)
        audit.record(
            action="destruction.propose",
            user=actor,
            request=request,
            obj=destruction_list,
            purpose=f"{len(listed)} cases",
        )
    return destruction_list


@transaction.atomic
def destruction_approve(
    *, destruction_list: DestructionList, actor: User, request: HttpRequest | None = None
) -> DestructionList:
    """The second pair of eyes: someone other than the proposer."""
    _require_staff(actor, "approve_destruction")
    destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
    if destruction_list.proposed_by_id == actor.pk:
        raise CaseworkError(
            _("A destruction list must be approved by someone other than its proposer.")
        )
    if destruction_list.approved_at:
        raise CaseworkError(_("This destruction list has already been approved."))
    destruction_list.approved_by = actor
    destruction_list.approved_at = timezone.now()
    destruction_list.save(update_fields=["approved_by", "approved_at"])
    audit.record(action="destruction.approve", user=actor, request=request, obj=destruction_list)
    return destruction_list


@transaction.atomic
def destruction_execute(
    *,
    destruction_list: DestructionList,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> dict[str, Any]:
    """Remove the listed cases and everything hanging off them; keep a tombstone each.

    The audit log keeps its entries: they refer to references, not rows."""
    destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
    if not destruction_list.approved_at:
        raise CaseworkError(_("This destruction list has not been approved yet."))
    if destruction_list.executed_at:
        raise CaseworkError(_("This destruction list has already been carried out."))
    removed: list[dict[str, object]] = []
    for case in destruction_list.cases.select_related("municipality", "organisation"):
        if case.status not in workflow.CLOSED_STATUSES:
            continue
        Tombstone.objects.create(
            reference=case.reference,
            kind=case.kind,
            municipality_name=case.municipality.name,
            organisation_name=case.organisation.name if case.organisation else "",
            submitted_at=case.submitted_at,
            closed_at=case.closed_at,
            final_status=case.status,
            destruction_list=destruction_list,
        )
        removed.append(
            {
                "reference": case.reference,
                "timeline_entries": case.timeline.count(),
                "shares": case.shares.count(),
                "advice_requests": AdviceRequest.objects.filter(case=case).count(),
                "attachments": case.attachments.count(),
            }
        )
        audit.record(action="case.destroy", user=actor, request=request, obj=case)
        _remove_attachment_files(case.attachments.all())
        case.delete()
    destruction_list.executed_at = timezone.now()
    report: dict[str, Any] = {"removed": removed, "count": len(removed)}
    destruction_list.report = report
    destruction_list.save(update_fields=["executed_at", "report"])
    audit.record(
        action="destruction.execute",
        user=actor,
        request=request,
        obj=destruction_list,
        purpose=f"{len(removed)} cases",
    )
    return report


def retention_run() -> dict[str, int]:
    """Casework's part of the hourly retention run (``portal.retention.retention_run``):
    purge drafts past their term, clear spent survey addresses, erase old advice requests
    without a case, purge input kept at idle timeouts and carry out approved destruction
    lists. Each step commits on its own; a step that fails stops the run, and the next
    run picks up what is left."""
    counts = {
        "drafts": drafts_purge(),
        "survey_addresses": survey_addresses_purge(),
        "advice_requests": advice_requests_anonymise(),
        "rescued_inputs": rescued_inputs_purge(),
        "cases_destroyed": 0,
    }
    for destruction_list in DestructionList.objects.filter(
        approved_at__isnull=False, executed_at__isnull=True
    ):
        counts["cases_destroyed"] += destruction_execute(destruction_list=destruction_list)["count"]
    return counts
