"""Casework business rules. Views, forms, commands and tasks call these; they hold no rules.

Every write is transactional and audited (``casework.audit.record``). E-mails
never carry case content: only a reference and a link.
"""

import logging
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from allauth.account.models import EmailAddress

from portal import locks
from portal.mail import absolute_url, normalise_email

from . import audit, workflow
from .crypto import blind_index
from .models import (
    Achievement,
    AdviceRequest,
    BreakGlass,
    Case,
    CaseDraft,
    CaseEvaluation,
    CaseKind,
    CaseShare,
    ClosureReason,
    DestructionList,
    FollowUpTask,
    Invitation,
    JeugdClosureResult,
    Membership,
    PartnerKind,
    PartnerOrganisation,
    Relatiebeheer,
    RescuedInput,
    SurveyInvitation,
    SurveyResponse,
    TimelineEntry,
    Tombstone,
    TriageOutcome,
)
from .roles import STAFF_ROLES, has_role_perm
from .selectors import cases_visible_to, organisation_of, users_to_notify

logger = logging.getLogger(__name__)


class CaseworkError(Exception):
    """A refused action; the message is shown to the user as it is (translated)."""


# --- Organisations and relatiemanagement ---------------------------------------


def regisseur_default_for(*, municipality):
    """The procesregisseur holding the municipality, else one of its basisteams."""
    row = (
        Relatiebeheer.objects.filter(municipality=municipality).select_related("regisseur").first()
    )
    if row is None:
        row = (
            Relatiebeheer.objects.filter(basisteam__municipalities=municipality)
            .select_related("regisseur")
            .order_by("basisteam__name")
            .first()
        )
    return row.regisseur if row else None


def membership_set(*, user, organisation: PartnerOrganisation) -> Membership:
    if user.groups.filter(name__in=STAFF_ROLES).exists():
        raise CaseworkError(_("ZVH staff cannot belong to a partner organisation."))
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"organisation": organisation}
    )
    return membership


# --- Invitations ---------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    email: str,
    organisation: PartnerOrganisation | None,
    group_names: list[str],
    invited_by,
    request=None,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and the one-time token."""
    email = normalise_email(email)
    unknown = set(group_names) - set(STAFF_ROLES)
    if unknown:
        raise CaseworkError(_("Unknown role."))
    if organisation is None and not group_names:
        raise CaseworkError(_("Choose an organisation or a ZVH role."))
    if organisation is not None and group_names:
        raise CaseworkError(_("A partner user cannot also hold a ZVH role."))
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise CaseworkError(_("There is already an account for this e-mail address."))
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        group_names=list(group_names),
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.CASEWORK_INVITATION_DAYS),
    )
    link = absolute_url(reverse("casework:invitation_accept", args=[token]))
    audit.record(action="invitation.create", user=invited_by, request=request, obj=invitation)
    # Sent inside the transaction, last, and not by a task: the one-time token should not
    # sit in the broker. If the mail server is down the invitation is not saved either,
    # and the inviter is told to try again (a token without an invitation opens nothing).
    try:
        send_mail(
            _("[ZVH] Invitation to the secure partner environment"),
            _(
                "You have been invited to the secure environment of the Zorg- en Veiligheidshuis "
                "Brabant Zuidoost. Choose your password here (valid for %(days)s days):\n\n%(link)s\n"
            )
            % {"days": settings.CASEWORK_INVITATION_DAYS, "link": link},
            None,
            [email],
        )
    except OSError as exc:
        raise CaseworkError(
            _("The invitation e-mail could not be sent. Nothing was saved; please try again later.")
        ) from exc
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=Invitation.hash_token(token)).first()
    if invitation is None or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request=None):
    """Create the account with a verified e-mail address; the token works once."""
    invitation = invitation_for_token(token=token)
    if invitation is None:
        raise CaseworkError(_("This invitation is no longer valid."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise CaseworkError(_("This invitation is no longer valid."))
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise CaseworkError(_("There is already an account for this e-mail address."))
    user = User(email=invitation.email, username=invitation.email[:150])
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    if invitation.organisation_id:
        Membership.objects.create(user=user, organisation=invitation.organisation)
    for name in invitation.group_names:
        user.groups.add(Group.objects.get(name=name))
    if "Functioneel beheer" in invitation.group_names:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(action="invitation.accept", user=user, request=request, obj=invitation)
    return user


# --- Drafts and submission -----------------------------------------------------

DRAFT_VALUE_LIMIT = 20_000


def _clean_raw(value):
    """What a draft keeps of a posted value: text without NUL bytes, bounded."""
    if isinstance(value, list):
        return [_clean_raw(item) for item in value[:50]]
    return str(value).replace("\x00", "")[:DRAFT_VALUE_LIMIT]


def draft_start(*, user, kind: str) -> CaseDraft:
    if kind not in CaseKind.values:
        raise CaseworkError(_("Unknown case kind."))
    organisation = organisation_of(user)
    if organisation is None:
        raise CaseworkError(_("Only partner users can register a case."))
    return CaseDraft.objects.create(owner=user, organisation=organisation, kind=kind)


@transaction.atomic
def draft_update(*, draft: CaseDraft, values: dict, step: str = "") -> CaseDraft:
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
def case_submit(*, draft: CaseDraft, cleaned: dict, user, request=None) -> Case:
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
    if case.procesregisseur_id:
        _notify(case, [case.procesregisseur])
    return case


def duplicates_of(*, case: Case, user) -> list[Case]:
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


# --- Workflow -------------------------------------------------------------------


def _require_staff(user, codename: str = "triage_case") -> None:
    if not has_role_perm(user, codename):
        raise CaseworkError(_("You are not allowed to do this."))


def _require_visible(user, case: Case) -> None:
    if not cases_visible_to(user).filter(pk=case.pk).exists():
        raise CaseworkError(_("You are not allowed to do this."))


@transaction.atomic
def case_transition(*, case: Case, to_status: str, actor, note: str = "", request=None) -> Case:
    _require_staff(actor)
    _require_visible(actor, case)
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
def case_add_note(*, case: Case, actor, body: str, request=None) -> TimelineEntry:
    _require_staff(actor)
    _require_visible(actor, case)
    entry = TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.NOTE, author=actor, body=body
    )
    audit.record(action="case.note", user=actor, request=request, obj=case)
    return entry


@transaction.atomic
def case_add_meeting(
    *, case: Case, actor, meeting_date, participants: str, agreements: str, request=None
) -> TimelineEntry:
    _require_staff(actor)
    _require_visible(actor, case)
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
def case_add_plan(*, case: Case, actor, body: str, request=None) -> TimelineEntry:
    _require_staff(actor)
    _require_visible(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    version = case.timeline.filter(kind=TimelineEntry.Kind.PLAN).count() + 1
    entry = TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.PLAN, author=actor, version=version, body=body
    )
    audit.record(action="case.plan", user=actor, request=request, obj=case, purpose=f"v{version}")
    return entry


@transaction.atomic
def case_assign(
    *, case: Case, actor, procesregisseur=None, casusregisseur=None, request=None
) -> Case:
    _require_staff(actor)
    _require_visible(actor, case)
    if procesregisseur is not None and not has_role_perm(procesregisseur, "triage_case"):
        raise CaseworkError(_("This person is not a procesregisseur."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    changes = []
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


# --- Messages -------------------------------------------------------------------


def _notify(case: Case, users) -> None:
    """A content-free e-mail to each user who may see the case, one task per recipient."""
    for user in users_to_notify(case, users):
        if user.email:
            _enqueue_mail("send_case_notification", case.pk, user.pk)


def _after_commit_quietly(send, **context) -> None:
    """Run ``send`` (a mail, or queueing one) once the action has committed. If it fails
    (broker down; or, without a broker, the mail server), the saved action stands and a
    warning without content is logged. Survey links are sent this way, not queued in
    Celery (the token would sit in the broker, as with invitations); a lost first survey
    invitation is covered by the reminder, which carries a fresh link."""

    def run():
        try:
            send()
        except Exception as exc:  # noqa: BLE001 - the action has been saved already
            logger.warning("casework mail not sent", extra={**context, "error": type(exc).__name__})

    transaction.on_commit(run)


def _enqueue_mail(task_name: str, case_id: int, user_id: int) -> None:
    """Queue a mail task once the case action has committed."""
    from . import tasks

    _after_commit_quietly(
        lambda: getattr(tasks, task_name).delay(case_id, user_id),
        task=task_name,
        case_id=case_id,
    )


def notification_send(*, case_id: int, user_id: int) -> bool:
    """Send "there is news" with a link and nothing else, if the user may still see the case.

    Mail errors propagate: the Celery task retries them."""
    case = Case.objects.filter(pk=case_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if case is None or user is None or not user.email or not users_to_notify(case, [user]):
        return False
    link = absolute_url(reverse("casework:case_detail", args=[case.public_id]))
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("[ZVH] New message in the secure environment"),
            _("There is news about one of your cases. Log in to read it:\n\n%(link)s\n")
            % {"link": link},
            None,
            [user.email],
        )
    return True


def registration_confirmation_send(*, case_id: int, user_id: int) -> bool:
    """The aanmelder's confirmation: the reference and a link, never case content."""
    case = Case.objects.filter(pk=case_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if case is None or user is None or not user.email:
        return False
    link = absolute_url(reverse("casework:case_detail", args=[case.public_id]))
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("[ZVH] Registration received: %(reference)s") % {"reference": case.reference},
            _(
                "We have received your registration with reference %(reference)s.\n"
                "Follow it in the secure environment:\n\n%(link)s\n"
            )
            % {"reference": case.reference, "link": link},
            None,
            [user.email],
        )
    return True


@transaction.atomic
def message_send(
    *, case: Case, author, body: str, to_organisation=None, request=None
) -> TimelineEntry:
    """A partner writes to the ZVH, or staff write to a partner organisation on the case."""
    _require_visible(author, case)
    body = body.strip()
    if not body:
        raise CaseworkError(_("Write a message first."))
    own_organisation = organisation_of(author)
    if own_organisation is not None:
        partner_organisation = own_organisation
        recipients = [user for user in [case.procesregisseur, case.casusregisseur] if user]
    else:
        # Messages are between partners and the regisseurs directing the case.
        _require_staff(author)
        if to_organisation is None:
            raise CaseworkError(_("Choose the organisation the message is for."))
        involved = {case.organisation_id, *case.shares.values_list("organisation_id", flat=True)}
        if to_organisation.pk not in involved:
            raise CaseworkError(_("This organisation is not involved in the case."))
        partner_organisation = to_organisation
        recipients = [
            membership.user
            for membership in to_organisation.memberships.select_related("user")
            if membership.user.is_active
        ]
    entry = TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.MESSAGE,
        author=author,
        author_organisation=own_organisation,
        partner_organisation=partner_organisation,
        body=body,
    )
    audit.record(action="message.send", user=author, request=request, obj=case)
    _notify(case, recipients)
    return entry


def timeline_for(*, case: Case, user, access) -> list[TimelineEntry]:
    """Staff and the registering organisation see everything on the timeline except
    messages with other partners; a shared partner sees status changes and its own messages."""
    from .selectors import Access

    entries = case.timeline.select_related("author")
    organisation = organisation_of(user)
    if organisation is None:
        return list(entries)
    visible = []
    for entry in entries:
        if entry.kind == TimelineEntry.Kind.MESSAGE:
            if entry.partner_organisation_id == organisation.pk:
                visible.append(entry)
        elif (
            entry.kind == TimelineEntry.Kind.STATUS
            or access == Access.FULL
            and entry.kind
            in {
                TimelineEntry.Kind.ASSIGNMENT,
            }
        ):
            visible.append(entry)
    return visible


# --- Advice requests -----------------------------------------------------------


@transaction.atomic
def advice_log(
    *,
    actor,
    channel: str,
    question: str,
    advice: str = "",
    organisation=None,
    municipality=None,
    request=None,
) -> AdviceRequest:
    """Staff log an advice request that came in by phone or e-mail."""
    _require_staff(actor, "log_advice")
    advice_request = AdviceRequest.objects.create(
        organisation=organisation,
        municipality=municipality,
        channel=channel,
        question=question,
        advice=advice,
        advised_at=timezone.now() if advice else None,
        logged_by=actor,
    )
    audit.record(action="advice.log", user=actor, request=request, obj=advice_request)
    return advice_request


@transaction.atomic
def advice_answer(
    *, advice_request: AdviceRequest, actor, advice: str, request=None
) -> AdviceRequest:
    _require_staff(actor, "log_advice")
    if advice_request.anonymised_at:
        raise CaseworkError(_("This advice request has passed its retention term."))
    advice_request.advice = advice
    advice_request.advised_at = timezone.now()
    advice_request.save(update_fields=["advice", "advised_at"])
    audit.record(action="advice.answer", user=actor, request=request, obj=advice_request)
    return advice_request


# --- Break the glass -------------------------------------------------------------


@transaction.atomic
def break_glass_open(*, user, case: Case, reason: str, request=None) -> BreakGlass:
    reason = reason.strip()
    if not has_role_perm(user, "break_glass"):
        raise CaseworkError(_("You are not allowed to do this."))
    if len(reason) < 10:
        raise CaseworkError(_("State why you need access to this case (at least 10 characters)."))
    grant = BreakGlass.objects.create(
        user=user,
        case=case,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=settings.CASEWORK_BREAK_GLASS_HOURS),
    )
    # The reason is kept encrypted with the grant; the audit log records that it was given.
    audit.record(
        action="case.break_glass", user=user, request=request, obj=case, purpose="reason given"
    )
    return grant


# --- Retention ---------------------------------------------------------------------


@transaction.atomic
def drafts_purge(*, older_than_days: int | None = None) -> int:
    days = settings.CASEWORK_DRAFT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    old = CaseDraft.objects.filter(updated_at__lt=cutoff)
    from .models import Attachment

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
    days = settings.CASEWORK_ADVICE_RETENTION_DAYS if older_than_days is None else older_than_days
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


def destruction_propose(*, actor, request=None) -> DestructionList | None:
    """List closed cases past the retention term; nothing is removed yet."""
    _require_staff(actor, "approve_destruction")
    cutoff = timezone.now() - timedelta(days=settings.CASEWORK_CLOSED_RETENTION_DAYS)
    due = Case.objects.filter(closed_at__lt=cutoff, status__in=workflow.CLOSED_STATUSES)
    pending = DestructionList.objects.filter(executed_at__isnull=True, cases__isnull=False)
    due = list(due.exclude(pk__in=pending.values("cases")))
    if not due:
        return None
    with transaction.atomic():
        destruction_list = DestructionList.objects.create(proposed_by=actor)
        destruction_list.cases.set(due)
        audit.record(
            action="destruction.propose",
            user=actor,
            request=request,
            obj=destruction_list,
            purpose=f"{len(due)} cases",
        )
    return destruction_list


@transaction.atomic
def destruction_approve(
    *, destruction_list: DestructionList, actor, request=None
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
def destruction_execute(*, destruction_list: DestructionList, actor=None, request=None) -> dict:
    """Remove the listed cases and everything hanging off them; keep a tombstone each.

    The audit log keeps its entries: they refer to references, not rows."""
    destruction_list = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
    if not destruction_list.approved_at:
        raise CaseworkError(_("This destruction list has not been approved yet."))
    if destruction_list.executed_at:
        raise CaseworkError(_("This destruction list has already been carried out."))
    removed = []
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
    destruction_list.report = {"removed": removed, "count": len(removed)}
    destruction_list.save(update_fields=["executed_at", "report"])
    audit.record(
        action="destruction.execute",
        user=actor,
        request=request,
        obj=destruction_list,
        purpose=f"{len(removed)} cases",
    )
    return destruction_list.report


# --- Input posted after the idle timeout ------------------------------------------------

# Case-page forms whose text is worth keeping, by the action in their URL.
RESCUED_CASE_FORMS = ("notitie", "overleg", "plan", "bericht")


def _rescue_form_fields(form: str) -> list[str]:
    from . import forms

    classes = {
        "notitie": forms.NoteForm,
        "overleg": forms.MeetingForm,
        "plan": forms.PlanForm,
        "advies": forms.AdviceLogForm,
    }
    if form == "bericht":
        return list(forms.MessageForm(organisations=PartnerOrganisation.objects.none()).fields)
    return list(classes[form]().fields)


def input_rescue(*, user, path: str, post) -> str | None:
    """Keep what a POST carried when the idle timeout ended the session.

    Intake steps and autosaves go into the user's own draft, as any step POST does;
    case-page forms and the advice log are kept encrypted for the user until they
    return. Nothing is carried out: the user checks and sends it again. Returns the
    page to continue at after signing in, or None when there is nothing to keep."""
    from .forms import STEP_SLUGS, step_form
    from .selectors import drafts_of

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "casework":
        return None
    name, kwargs = match.url_name, match.kwargs
    if name in ("intake_step", "intake_autosave"):
        draft = drafts_of(user).filter(public_id=kwargs["draft_id"]).first()
        step = kwargs.get("step") or post.get("_step", "")
        if draft is None or step not in STEP_SLUGS:
            return None
        values = {
            field: post.getlist(field) if field == "partners" else post.get(field, "")
            for field in step_form(step, draft.kind).fields
            if field in post and field != "confirm"
        }
        if values:
            draft_update(draft=draft, values=values)
        return reverse("casework:intake_step", args=[draft.public_id, step])
    if name == "case_action" and kwargs["action"] in RESCUED_CASE_FORMS:
        target = reverse("casework:case_detail", args=[kwargs["public_id"]])
        form = kwargs["action"]
    elif name == "advice":
        target, form = reverse("casework:advice"), "advies"
    else:
        return None
    values = {
        field: _clean_raw(post.get(field, ""))
        for field in _rescue_form_fields(form)
        if field in post
    }
    if not any(str(value).strip() for value in values.values()):
        return target
    rescued, _created = RescuedInput.objects.get_or_create(owner=user, target=target, form=form)
    rescued.data = values
    rescued.created_at = timezone.now()
    rescued.save(update_fields=["payload", "created_at"])
    audit.record(action="session.input_kept", user=user, object_type="form", object_id=form)
    return target


@transaction.atomic
def rescued_input_take(*, user, target: str) -> dict[str, dict]:
    """The kept input for this page, by form; handed out once."""
    cutoff = timezone.now() - timedelta(hours=settings.CASEWORK_RESCUE_HOURS)
    rows = list(
        RescuedInput.objects.select_for_update().filter(
            owner=user, target=target, created_at__gte=cutoff
        )
    )
    RescuedInput.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return {row.form: row.data for row in rows}


def rescued_inputs_purge() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.CASEWORK_RESCUE_HOURS)
    count, _detail = RescuedInput.objects.filter(created_at__lt=cutoff).delete()
    return count


def retention_run() -> dict[str, int]:
    """The daily retention run (beat ``casework-retention``, ``manage.py casework_retention``):
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


# --- Attachments ------------------------------------------------------------------------


def attachment_add(
    *, upload, user, case: Case | None = None, draft: CaseDraft | None = None, request=None
):
    """Check, scan, strip and store a file on a case the user may see fully, or on their own draft."""
    from . import attachments
    from .models import Attachment
    from .selectors import Access, case_access

    if case is not None:
        if case_access(user, case) != Access.FULL:
            raise CaseworkError(_("You are not allowed to do this."))
    elif draft is None or draft.owner_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    try:
        name, content_type, data = attachments.check(upload)
    except attachments.AttachmentRefused as exc:
        audit.record(
            action="attachment.refused",
            user=user,
            request=request,
            obj=case,
            object_type="attachment",
            result="refused",
        )
        raise CaseworkError(str(exc)) from exc
    storage_name, digest = attachments.store(data)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case,
                draft=draft,
                original_name=name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                storage_name=storage_name,
                uploaded_by=user,
            )
            audit.record(
                action="attachment.upload",
                user=user,
                request=request,
                obj=case or draft,
                object_type="attachment",
            )
    except Exception:
        attachments.remove(storage_name)
        raise
    return attachment


def attachment_read(*, attachment, user, request=None) -> bytes:
    """The decrypted bytes, for someone who may see the whole case; audited."""
    from . import attachments
    from .selectors import Access, case_access

    if attachment.case is None or case_access(user, attachment.case) != Access.FULL:
        raise CaseworkError(_("You are not allowed to do this."))
    audit.record(
        action="attachment.download",
        user=user,
        request=request,
        obj=attachment.case,
        purpose=str(attachment.public_id),
    )
    return attachments.load(attachment.storage_name)


def _remove_attachment_files(queryset) -> None:
    from . import attachments

    names = list(queryset.values_list("storage_name", flat=True))
    transaction.on_commit(lambda: [attachments.remove(name) for name in names])


@transaction.atomic
def draft_discard(*, draft: CaseDraft, user) -> None:
    if draft.owner_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    _remove_attachment_files(draft.attachments.all())
    draft.delete()


# --- Closure with evaluation ------------------------------------------------------------

EVALUATION_GOALS = ("content_goal", "process_goal_1", "process_goal_2", "process_goal_3")
EVALUATION_FLAGS = ("extra_expertise", "escalated", "policy_signal")


class ClosureRefused(CaseworkError):
    """The evaluation breaks a rule; ``errors`` maps form field names to Dutch messages."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(str(message) for message in errors.values()))


def case_was_in_procesregie(case: Case) -> bool:
    """Only a case that came into procesregie had a plan whose goals can be evaluated."""
    return case.triage_outcome == TriageOutcome.PROCESREGIE or case.direction_started_at is not None


def _partner_kinds(values) -> tuple[list[PartnerKind], bool]:
    ids = set()
    for value in values or []:
        raw = getattr(value, "pk", value)
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            return [], False
    kinds = list(PartnerKind.objects.filter(pk__in=ids))
    return kinds, len(kinds) == len(ids)


def evaluation_validate(*, case: Case, evaluation: dict) -> dict:
    """The evaluation's values for this case, or ``ClosureRefused`` naming every problem.

    Goals are required for a case that was in procesregie and refused otherwise; a
    closure reason is always required; the PGA Jeugd closure result only (and always)
    for PGA Jeugd cases.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    in_regie = case_was_in_procesregie(case)
    for name in EVALUATION_GOALS:
        value = evaluation.get(name) or ""
        if in_regie and value not in Achievement.values:
            errors[name] = _("Choose whether this goal was achieved fully, partly or not.")
        elif not in_regie and value:
            errors[name] = _("Goals are only evaluated for cases that were in procesregie.")
        clean[name] = value
    for name in EVALUATION_FLAGS:
        clean[name] = bool(evaluation.get(name))
    reason = evaluation.get("closure_reason") or ""
    if reason not in ClosureReason.values:
        errors["closure_reason"] = _("Choose the reason for closing the case.")
    clean["closure_reason"] = reason
    result = evaluation.get("jeugd_result") or ""
    if case.kind == CaseKind.PGA_JEUGD:
        if not result or result not in JeugdClosureResult.values:
            errors["jeugd_result"] = _("Choose the closure result for PGA Jeugd.")
    elif result:
        errors["jeugd_result"] = _("A closure result is only recorded for PGA Jeugd cases.")
    clean["jeugd_result"] = result
    kinds, known = _partner_kinds(evaluation.get("partners_involved"))
    if not known:
        errors["partners_involved"] = _("Choose the partners involved from the list.")
    clean["partners_involved"] = kinds
    if errors:
        raise ClosureRefused(errors)
    return clean


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor,
    evaluation: dict,
    to_status: str = "afgesloten",
    note: str = "",
    request=None,
) -> Case:
    """Store the evaluation, close the case (or hand over direction), invite to the survey."""
    _require_staff(actor)
    _require_visible(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_status not in workflow.CLOSED_STATUSES or not workflow.is_allowed(
        case.kind, case.status, to_status
    ):
        raise CaseworkError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": workflow.status_label(case.status), "to": workflow.status_label(to_status)}
        )
    clean = evaluation_validate(case=case, evaluation=evaluation)
    partners = clean.pop("partners_involved")
    record, _created = CaseEvaluation.objects.update_or_create(
        case=case, defaults={**clean, "evaluated_by": actor, "evaluated_at": timezone.now()}
    )
    record.partners_involved.set(partners)
    case = case_transition(case=case, to_status=to_status, actor=actor, note=note, request=request)
    audit.record(action="case.close", user=actor, request=request, obj=case, purpose=to_status)
    survey_invitations_create(case=case, actor=actor, request=request)
    return case


# --- Closing-satisfaction survey ----------------------------------------------------------

# A strongly negative answer: satisfaction (overall or with the process direction) of 1
# or 2 out of 5, or a rapportcijfer of 4 or lower. With consent it becomes a follow-up task.
NEGATIVE_SCALE_MAX = 2
NEGATIVE_GRADE_MAX = 4


class SurveyState(StrEnum):
    OPEN = "open"
    GONE = "gone"  # answered or expired: 410
    UNKNOWN = "unknown"  # no such token: 404


def survey_recipients(*, case: Case) -> list[tuple[str, object, PartnerOrganisation | None]]:
    """Who is asked, as (role, user, organisation); each person once.

    - the aanmelder: the user who registered the case, if active with an address;
    - the involved partners' contacts: the casusregisseur when a partner user of an
      involved organisation, and every partner user of a shared (involved)
      organisation who wrote a secure message on the case. Organisations nobody
      worked for on the case are not mailed as a whole.
    Only people who may still see the case are asked.
    """
    Role = SurveyInvitation.Role
    shared = set(case.shares.values_list("organisation_id", flat=True))
    involved = shared | {case.organisation_id}
    candidates = []
    if case.registered_by is not None:
        candidates.append((Role.AANMELDER, case.registered_by, case.organisation))
    partner_users = []
    if case.casusregisseur is not None:
        partner_users.append((case.casusregisseur, involved))
    writer_ids = case.timeline.filter(
        kind=TimelineEntry.Kind.MESSAGE, author_organisation_id__in=shared
    ).values("author_id")
    for writer in get_user_model().objects.filter(pk__in=writer_ids).order_by("pk"):
        partner_users.append((writer, shared))
    for user, allowed in partner_users:
        organisation = organisation_of(user)
        if organisation is not None and organisation.pk in allowed:
            candidates.append((Role.PARTNER, user, organisation))
    seen = set()
    recipients = []
    for role, user, organisation in candidates:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        recipients.append((role, user, organisation))
    may_see = {user.pk for user in users_to_notify(case, [row[1] for row in recipients])}
    return [row for row in recipients if row[1].pk in may_see]


def _survey_mail(*, reference: str, token: str, email: str, expires_at, reminder: bool) -> None:
    """Only the reference and the link: no case content."""
    link = absolute_url(reverse("casework_survey:survey", args=[token]))
    with translation.override(settings.LANGUAGE_CODE):
        until = date_format(timezone.localtime(expires_at), "j F Y")
        values = {"reference": reference, "link": link, "date": until}
        if reminder:
            subject = _("[ZVH] Reminder: how satisfied are you? Case %(reference)s") % values
            intro = _(
                "A week ago we asked how satisfied you are with our work on case "
                "%(reference)s. If you have not answered yet, you can still do so until "
                "%(date)s."
            )
        else:
            subject = _("[ZVH] How satisfied are you? Case %(reference)s") % values
            intro = _(
                "The Zorg- en Veiligheidshuis has closed case %(reference)s. Would you tell "
                "us in two minutes how satisfied you are with our work? The link works once "
                "and is valid until %(date)s."
            )
        body = (
            intro % values
            + "\n\n"
            + link
            + "\n\n"
            + _("You do not need to sign in. Only ZVH staff see your answers.")
            + "\n"
        )
    send_mail(subject, body, None, [email])


def survey_invitations_create(*, case: Case, actor=None, request=None) -> list[SurveyInvitation]:
    """One single-use, expiring link per recipient; only the token's hash is stored."""
    now = timezone.now()
    expires_at = now + timedelta(days=settings.CASEWORK_SURVEY_DAYS)
    invitations, mails = [], []
    for role, user, organisation in survey_recipients(case=case):
        token = SurveyInvitation.new_token()
        invitations.append(
            SurveyInvitation.objects.create(
                case=case,
                role=role,
                organisation=organisation,
                user=user,
                email=user.email,
                token_hash=SurveyInvitation.hash_token(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
        mails.append((token, user.email))
    audit.record(
        action="survey.invite",
        user=actor,
        request=request,
        obj=case,
        purpose=f"{len(invitations)} invitations",
    )
    reference = case.reference
    for token, email in mails:
        _after_commit_quietly(
            lambda token=token, email=email: _survey_mail(
                reference=reference, token=token, email=email, expires_at=expires_at, reminder=False
            ),
            mail="survey.invite",
        )
    return invitations


def _survey_open(invitation: SurveyInvitation) -> bool:
    return invitation.used_at is None and invitation.expires_at > timezone.now()


def survey_invitation_for_token(*, token: str) -> tuple[SurveyInvitation | None, SurveyState]:
    """The invitation behind a link, and whether it can still be answered."""
    if not token or len(token) > 128:
        return None, SurveyState.UNKNOWN
    digest = SurveyInvitation.hash_token(token)
    invitation = (
        SurveyInvitation.objects.select_related("case")
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .first()
    )
    if invitation is None:
        return None, SurveyState.UNKNOWN
    return invitation, (SurveyState.OPEN if _survey_open(invitation) else SurveyState.GONE)


def survey_is_strongly_negative(*, overall: int, process: int, grade: int) -> bool:
    return (
        overall <= NEGATIVE_SCALE_MAX
        or process <= NEGATIVE_SCALE_MAX
        or grade <= NEGATIVE_GRADE_MAX
    )


def _managers():
    """Active users holding view_all_cases through a role or directly."""
    has_perm = Q(
        groups__permissions__codename="view_all_cases",
        groups__permissions__content_type__app_label="casework",
    ) | Q(
        user_permissions__codename="view_all_cases",
        user_permissions__content_type__app_label="casework",
    )
    return get_user_model().objects.filter(has_perm, is_active=True).distinct()


def _notify_managers_of_follow_up() -> None:
    """A content-free e-mail: there is a follow-up task, and where to find it."""
    recipients = [user.email for user in _managers() if user.email]
    if not recipients:
        return
    link = absolute_url(reverse("casework:follow_up"))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[ZVH] New follow-up task")
        body = _(
            "There is a new follow-up task in the secure environment. Sign in to see it:"
            "\n\n%(link)s\n"
        ) % {"link": link}
    for address in recipients:
        _after_commit_quietly(
            lambda address=address: send_mail(subject, body, None, [address]), mail="follow_up"
        )


@transaction.atomic
def survey_submit(
    *, invitation: SurveyInvitation, answers: dict, user=None, request=None
) -> SurveyResponse:
    """Store the answers once; the link dies and the stored address is cleared.

    A strongly negative answer with consent to be contacted creates a follow-up task
    for the manager."""
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if user is not None and invitation.user_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    if not _survey_open(invitation):
        raise CaseworkError(_("This survey has already been filled in or has expired."))
    overall, process, grade = answers["overall"], answers["process"], answers["grade"]
    if not (1 <= overall <= 5 and 1 <= process <= 5 and 1 <= grade <= 10):
        raise CaseworkError(_("Choose a score on each scale."))
    response = SurveyResponse.objects.create(
        invitation=invitation,
        case=invitation.case,
        role=invitation.role,
        overall=overall,
        process=process,
        grade=grade,
        would_involve_again=bool(answers["would_involve_again"]),
        went_well=(answers.get("went_well") or "").strip(),
        could_improve=(answers.get("could_improve") or "").strip(),
        contact_consent=bool(answers.get("contact_consent")),
    )
    invitation.used_at = response.submitted_at
    invitation.email = ""
    invitation.save(update_fields=["used_at", "email"])
    audit.record(
        action="survey.answer",
        user=user,
        request=request,
        obj=invitation.case,
        purpose=invitation.role,
    )
    if response.contact_consent and survey_is_strongly_negative(
        overall=overall, process=process, grade=grade
    ):
        task = FollowUpTask.objects.create(
            case=invitation.case,
            survey_response=response,
            # Stored untranslated; the follow-up page translates it.
            reason=gettext_noop("Strongly negative survey answer; consent to be contacted"),
        )
        audit.record(
            action="followup.create",
            user=user,
            request=request,
            obj=invitation.case,
            purpose=f"follow-up {task.pk}",
        )
        _notify_managers_of_follow_up()
    return response


def survey_reminders_send() -> int:
    """One reminder to each non-responder, CASEWORK_SURVEY_REMINDER_DAYS after the
    invitation. The reminder carries a new link (only hashes are kept); the first
    link keeps working too. Returns the number sent."""
    now = timezone.now()
    due = (
        SurveyInvitation.objects.filter(
            used_at__isnull=True,
            reminded_at__isnull=True,
            expires_at__gt=now,
            created_at__lte=now - timedelta(days=settings.CASEWORK_SURVEY_REMINDER_DAYS),
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        try:
            sent += _survey_remind_one(pk=pk, now=now)
        except OSError as exc:
            # Mail server down: the reminder rolled back and goes out on the next run.
            logger.warning("survey reminder not sent", extra={"error": type(exc).__name__})
    return sent


def _survey_remind_one(*, pk: int, now) -> int:
    with transaction.atomic():
        invitation = locks.skip_locked(
            SurveyInvitation.objects.select_related("case").filter(
                pk=pk, reminded_at__isnull=True, used_at__isnull=True
            )
        ).first()
        if invitation is None or not invitation.email:
            return 0
        token = SurveyInvitation.new_token()
        invitation.reminder_token_hash = SurveyInvitation.hash_token(token)
        invitation.reminded_at = now
        invitation.save(update_fields=["reminder_token_hash", "reminded_at"])
        audit.record(action="survey.remind", obj=invitation.case, purpose=invitation.role)
        mail = {
            "reference": invitation.case.reference,
            "token": token,
            "email": invitation.email,
            "expires_at": invitation.expires_at,
            "reminder": True,
        }
        # Sent inside the transaction: if the mail fails, the reminder is not marked sent.
        _survey_mail(**mail)
        return 1


@transaction.atomic
def survey_addresses_purge() -> int:
    """Clear the stored address of every answered or expired invitation."""
    done = SurveyInvitation.objects.filter(
        Q(used_at__isnull=False) | Q(expires_at__lte=timezone.now())
    ).exclude(email="")
    count = done.update(email="")
    if count:
        audit.record(action="survey.purge", object_type="surveyinvitation", object_id=str(count))
    return count


@transaction.atomic
def follow_up_complete(*, task: FollowUpTask, actor, note: str = "", request=None) -> FollowUpTask:
    """The manager marks a follow-up task done, with what was agreed."""
    _require_staff(actor, "view_all_cases")
    task = FollowUpTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    if task.done_at is not None:
        raise CaseworkError(_("This follow-up task has already been completed."))
    task.done_at = timezone.now()
    task.done_by = actor
    task.note = note.strip()
    task.save(update_fields=["done_at", "done_by", "note"])
    audit.record(
        action="followup.done",
        user=actor,
        request=request,
        obj=task.case,
        purpose=f"follow-up {task.pk}",
    )
    return task
