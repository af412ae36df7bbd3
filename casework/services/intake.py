"""Intake: drafts (start, autosave, discard), submitting a draft as a case, and the
duplicate checks on the person's blind index."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.types import AnyUser

from .. import audit, workflow
from ..crypto import blind_index
from ..models import AdviceRequest, Case, CaseDraft, CaseKind, CaseShare, TimelineEntry
from ..selectors import cases_visible_to, organisation_of
from ._common import CaseworkError
from .attachments import _remove_attachment_files
from .messaging import _enqueue_mail, _notify
from .organisations import regisseur_default_for

DRAFT_VALUE_LIMIT = 20_000


def _clean_raw(value: object) -> str | list[Any]:
    """What a draft keeps of a posted value: text without NUL bytes, bounded."""
    if isinstance(value, list):
        return [_clean_raw(item) for item in value[:50]]
    return str(value).replace("\x00", "")[:DRAFT_VALUE_LIMIT]


def draft_start(*, user: User, kind: str) -> CaseDraft:
    if kind not in CaseKind.values:
        raise CaseworkError(_("Unknown case kind."))
    organisation = organisation_of(user)
    if organisation is None:
        raise CaseworkError(_("Only partner users can register a case."))
    return CaseDraft.objects.create(owner=user, organisation=organisation, kind=kind)


@transaction.atomic
def draft_update(*, draft: CaseDraft, values: Mapping[str, object], step: str = "") -> CaseDraft:
    data = draft.data
    for key, value in values.items():
        data[key] = _clean_raw(value)
    if step:
        data["_step"] = step
    draft.data = data
    draft.updated_at = timezone.now()
    draft.save(update_fields=["payload", "updated_at"])
    return draft


def _next_reference(case: Case) -> str:
    return f"ZVH-{case.submitted_at:%Y}-{case.pk:05d}"


@transaction.atomic
def case_submit(
    *,
    draft: CaseDraft,
    cleaned: Mapping[str, Any],
    user: User,
    request: HttpRequest | None = None,
) -> Case:
    """Turn a complete draft into a case with a reference; the draft is removed."""
    draft = CaseDraft.objects.select_for_update().get(pk=draft.pk)
    organisation = organisation_of(user)
    if organisation is None or draft.owner_id != user.pk:
        raise CaseworkError(_("Only partner users can register a case."))
    municipality = cleaned["municipality"]
    case = Case(
        kind=draft.kind,
        status=workflow.INITIAL_STATUS[draft.kind],
        organisation=organisation,
        registered_by=user,
        municipality=municipality,
        registering_kind=organisation.kind,
        region=municipality.basisteams.order_by("name").first(),
        procesregisseur=regisseur_default_for(municipality=municipality),
        urgency=cleaned["urgency"],
        ave_level=cleaned.get("ave_level") or "",
        jeugd_entry=cleaned.get("jeugd_entry") or "",
        person_name=cleaned.get("person_name", ""),
        person_birth_date=str(cleaned.get("person_birth_date") or ""),
        other_persons=cleaned.get("other_persons", ""),
        problem=cleaned.get("problem", ""),
        safety_risk=cleaned.get("safety_risk", ""),
        tried=cleaned.get("tried", ""),
        question=cleaned.get("question", ""),
    )
    case.person_index = blind_index(case.person_name, case.person_birth_date)
    case.save()
    case.reference = _next_reference(case)
    case.save(update_fields=["reference"])
    for partner in cleaned.get("partners") or []:
        if partner.pk != organisation.pk:
            CaseShare.objects.get_or_create(case=case, organisation=partner)
    if draft.kind == CaseKind.ADVIES:
        AdviceRequest.objects.create(
            case=case,
            organisation=organisation,
            municipality=municipality,
            channel=AdviceRequest.Channel.PORTAL,
            question=case.question,
            logged_by=user,
        )
    TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.STATUS,
        author=user,
        author_organisation=organisation,
        to_status=case.status,
    )
    draft.attachments.update(case=case, draft=None)
    draft.delete()
    audit.record(action="case.create", user=user, request=request, obj=case)
    _enqueue_mail("send_registration_confirmation", case.pk, user.pk)
    if case.procesregisseur is not None:
        _notify(case, [case.procesregisseur])
    return case


def duplicates_of(*, case: Case, user: AnyUser) -> list[Case]:
    """Other visible cases about the same person (by blind index, never by name)."""
    if not case.person_index:
        return []
    return list(
        cases_visible_to(user).filter(person_index=case.person_index).exclude(pk=case.pk)[:20]
    )


def duplicate_count(*, case: Case) -> int:
    """How many other cases share the person's blind index (a number, no details)."""
    if not case.person_index:
        return 0
    return Case.objects.filter(person_index=case.person_index).exclude(pk=case.pk).count()


@transaction.atomic
def draft_discard(*, draft: CaseDraft, user: User) -> None:
    if draft.owner_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    _remove_attachment_files(draft.attachments.all())
    draft.delete()
