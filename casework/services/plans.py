"""The plan van aanpak as structured, versioned data: drafting a version, its actions,
adopting it in a case meeting, partners updating the actions they own, and the
content-free reminders around an action's due date."""

import datetime
import functools
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.mail import absolute_url, send_transactional

from .. import audit, workflow
from ..models import CarePlan, Case, CaseMeeting, Membership, PartnerOrganisation, PlanAction
from ..procesregie_selectors import field_label
from ..roles import has_role_perm, is_staff_member
from ..selectors import cases_writable_by, organisation_of
from ._common import CaseworkError, _require_open, _require_staff, _require_write_access, logger
from .meetings import _clean_text, involved_organisations
from .messaging import _after_commit_quietly, _notify

REMINDER_BEFORE = "before"
REMINDER_AFTER = "after"
REMINDER_PHASES = (REMINDER_BEFORE, REMINDER_AFTER)


def _draft_of(plan: CarePlan) -> CarePlan:
    plan = CarePlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.status != CarePlan.Status.DRAFT:
        raise CaseworkError(
            _("An adopted version cannot be changed. Start a new version of the plan.")
        )
    return plan


@transaction.atomic
def plan_draft_start(*, case: Case, actor: User, request: HttpRequest | None = None) -> CarePlan:
    """The case's draft version; a new one starts as a copy of the adopted version
    (its text and its actions with their status, progress and reminders)."""
    _require_staff(actor)
    _require_write_access(actor, case)
    _require_open(case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    draft = case.plans.filter(status=CarePlan.Status.DRAFT).first()
    if draft is not None:
        return draft
    adopted = case.plans.filter(status=CarePlan.Status.ADOPTED).first()
    version = (case.plans.aggregate(last=Max("version"))["last"] or 0) + 1
    draft = CarePlan.objects.create(
        case=case,
        version=version,
        created_by=actor,
        **{name: getattr(adopted, name) for name in CarePlan.TEXT_FIELDS} if adopted else {},
    )
    if adopted is not None:
        PlanAction.objects.bulk_create(
            PlanAction(
                plan=draft,
                lineage=action.lineage,
                title=action.title,
                organisation_id=action.organisation_id,
                owner_user_id=action.owner_user_id,
                due_date=action.due_date,
                status=action.status,
                progress=action.progress,
                done_at=action.done_at,
                updated_at=action.updated_at,
                updated_by_id=action.updated_by_id,
                reminded_before_at=action.reminded_before_at,
                reminded_after_at=action.reminded_after_at,
            )
            for action in adopted.actions.all()
        )
    audit.record(action="plan.draft", user=actor, request=request, obj=case, purpose=f"v{version}")
    return draft


@transaction.atomic
def plan_draft_update(
    *,
    plan: CarePlan,
    actor: User,
    texts: Mapping[str, str],
    request: HttpRequest | None = None,
) -> CarePlan:
    """Save the draft's text parts (shared picture, goal, scenarios, ...)."""
    _require_staff(actor)
    _require_write_access(actor, plan.case)
    plan = _draft_of(plan)
    unknown = set(texts) - set(CarePlan.TEXT_FIELDS)
    if unknown:
        raise CaseworkError(_("Unknown part of the plan."))
    for name, value in texts.items():
        setattr(plan, name, _clean_text(value, field_label(CarePlan, name)))
    plan.updated_at = timezone.now()
    plan.save(update_fields=[*texts, "updated_at"])
    audit.record(
        action="plan.update", user=actor, request=request, obj=plan.case, purpose=f"v{plan.version}"
    )
    return plan


def _check_owner(case: Case, organisation: PartnerOrganisation | None, person: User | None) -> None:
    if organisation is None:
        if person is not None and not has_role_perm(person, "triage_case"):
            raise CaseworkError(_("Choose a ZVH procesregisseur, or the person's organisation."))
        return
    if organisation.pk not in {org.pk for org in involved_organisations(case)}:
        raise CaseworkError(_("This organisation is not involved in the case."))
    if (
        person is not None
        and not Membership.objects.filter(
            user=person, organisation=organisation, user__is_active=True
        ).exists()
    ):
        raise CaseworkError(_("This person does not work for the chosen organisation."))


@transaction.atomic
def plan_action_add(
    *,
    plan: CarePlan,
    actor: User,
    title: str,
    organisation: PartnerOrganisation | None,
    due_date: datetime.date,
    owner_user: User | None = None,
    request: HttpRequest | None = None,
) -> PlanAction:
    """An action in the draft: who does what, by when. No organisation: the ZVH."""
    _require_staff(actor)
    _require_write_access(actor, plan.case)
    plan = _draft_of(plan)
    title = _clean_text(title, pgettext("plan van aanpak", "Action"))
    if not title:
        raise CaseworkError(_("Describe the action."))
    _check_owner(plan.case, organisation, owner_user)
    action = PlanAction.objects.create(
        plan=plan,
        title=title,
        organisation=organisation,
        owner_user=owner_user,
        due_date=due_date,
        updated_by=actor,
    )
    audit.record(
        action="plan.action_add",
        user=actor,
        request=request,
        obj=plan.case,
        purpose=f"v{plan.version}; action={action.public_id}",
    )
    return action


@transaction.atomic
def plan_action_remove(
    *, action: PlanAction, actor: User, request: HttpRequest | None = None
) -> None:
    """Take an action out of the draft (earlier versions keep it)."""
    _require_staff(actor)
    _require_write_access(actor, action.plan.case)
    plan = _draft_of(action.plan)
    public_id = action.public_id
    action.delete()
    audit.record(
        action="plan.action_remove",
        user=actor,
        request=request,
        obj=plan.case,
        purpose=f"v{plan.version}; action={public_id}",
    )


@transaction.atomic
def plan_adopt(
    *, plan: CarePlan, actor: User, meeting: CaseMeeting, request: HttpRequest | None = None
) -> CarePlan:
    """Adopt the draft in a case meeting that has taken place. The adopted version
    before it stays readable as superseded; the owners of actions are told (content-free)."""
    _require_staff(actor)
    _require_write_access(actor, plan.case)
    _require_open(plan.case)
    plan = _draft_of(plan)
    if meeting.case_id != plan.case_id or not meeting.is_held:
        raise CaseworkError(_("Choose a case meeting of this case that has taken place."))
    missing = [
        field_label(CarePlan, name)
        for name in ("summary", "content_goal")
        if not getattr(plan, name).strip()
    ]
    if missing:
        raise CaseworkError(
            _("The plan cannot be adopted yet. Fill in: %(parts)s.") % {"parts": ", ".join(missing)}
        )
    if not plan.actions.exists():
        raise CaseworkError(_("The plan cannot be adopted without at least one action."))
    plan.case.plans.filter(status=CarePlan.Status.ADOPTED).update(status=CarePlan.Status.SUPERSEDED)
    plan.status = CarePlan.Status.ADOPTED
    plan.adopted_in = meeting
    plan.adopted_at = timezone.now()
    plan.save(update_fields=["status", "adopted_in", "adopted_at"])
    audit.record(
        action="plan.adopt",
        user=actor,
        request=request,
        obj=plan.case,
        purpose=f"v{plan.version}; meeting={meeting.public_id}",
    )
    owners = Membership.objects.filter(
        organisation_id__in=plan.actions.exclude(organisation=None).values("organisation_id"),
        user__is_active=True,
    ).select_related("user")
    _notify(plan.case, [membership.user for membership in owners])
    return plan


def may_update_action(user: User, action: PlanAction) -> bool:
    """Staff directing the case update every action; a partner only the actions its
    organisation owns; and only on the adopted version of an open case."""
    plan = action.plan
    if plan.status != CarePlan.Status.ADOPTED or plan.case.status in workflow.CLOSED_STATUSES:
        return False
    if not cases_writable_by(user).filter(pk=plan.case_id).exists():
        return False
    if is_staff_member(user):
        return has_role_perm(user, "triage_case")
    organisation = organisation_of(user)
    return organisation is not None and organisation.pk == action.organisation_id


@transaction.atomic
def plan_action_update(
    *,
    action: PlanAction,
    actor: User,
    status: str,
    progress: str,
    request: HttpRequest | None = None,
) -> PlanAction:
    """Status and a short progress note of an action of the adopted plan."""
    action = PlanAction.objects.select_for_update().select_related("plan__case").get(pk=action.pk)
    if not may_update_action(actor, action):
        raise CaseworkError(_("You cannot update this action."))
    if status not in PlanAction.Status.values:
        raise CaseworkError(_("Choose a status for the action."))
    progress = _clean_text(progress, _("Progress"))
    if len(progress) > 2000:
        raise CaseworkError(_("Keep the progress note short (at most 2000 characters)."))
    now = timezone.now()
    if status == PlanAction.Status.DONE and action.status != PlanAction.Status.DONE:
        action.done_at = now
    elif status != PlanAction.Status.DONE:
        action.done_at = None
    action.status = status
    action.progress = progress
    action.updated_at = now
    action.updated_by = actor
    action.save(update_fields=["status", "progress", "done_at", "updated_at", "updated_by"])
    audit.record(
        action="plan.action_update",
        user=actor,
        request=request,
        obj=action.plan.case,
        purpose=f"action={action.public_id}; status={status}",
    )
    return action


# --- Reminders ----------------------------------------------------------------------


def _reminder_recipients(action: PlanAction) -> list[User]:
    if action.organisation_id is None:
        regisseur = action.plan.case.procesregisseur
        return [regisseur] if regisseur is not None and regisseur.is_active else []
    members = [
        membership.user
        for membership in Membership.objects.filter(
            organisation_id=action.organisation_id, user__is_active=True
        ).select_related("user")
    ]
    named = [user for user in members if user.pk == action.owner_user_id]
    return named or members


def plan_action_reminders_send(*, today: datetime.date | None = None) -> int:
    """One reminder per action and phase: ``CASEWORK_ACTION_REMINDER_DAYS`` before the
    due date, and once after it has passed. Each is claimed (its timestamp set in a
    conditional update) before the mail is queued, so a second run, or two at once,
    sends nothing again. Only open actions of the adopted plan of an open case."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.CASEWORK_ACTION_REMINDER_DAYS)
    current = PlanAction.objects.filter(
        plan__status=CarePlan.Status.ADOPTED, status__in=PlanAction.OPEN_STATUSES
    ).exclude(plan__case__status__in=workflow.CLOSED_STATUSES)
    phases = [
        (
            REMINDER_BEFORE,
            "reminded_before_at",
            current.filter(due_date__gte=today, due_date__lte=soon, reminded_before_at=None),
        ),
        (
            REMINDER_AFTER,
            "reminded_after_at",
            current.filter(due_date__lt=today, reminded_after_at=None),
        ),
    ]
    sent = 0
    for phase, field, candidates in phases:
        for action_id in list(candidates.values_list("pk", flat=True)):
            with transaction.atomic():
                claimed = PlanAction.objects.filter(pk=action_id, **{field: None}).update(
                    **{field: timezone.now()}
                )
                if not claimed:
                    continue
                action = PlanAction.objects.select_related("plan__case__procesregisseur").get(
                    pk=action_id
                )
                for user in _reminder_recipients(action):
                    if user.email:
                        _queue_reminder(action.pk, user.pk, phase)
                sent += 1
    return sent


def _queue_reminder(action_id: int, user_id: int, phase: str) -> None:
    from .. import tasks

    _after_commit_quietly(
        functools.partial(tasks.send_action_reminder.delay, action_id, user_id, phase),
        mail="action_reminder",
        action_id=action_id,
    )


def plan_action_reminder_send(*, action_id: int, user_id: int, phase: str) -> bool:
    """The reminder itself: that an agreed action is due soon or overdue, and a link.
    Nothing of the case or the action. Checked again at sending: the person may still
    see the case and the action is still open. Mail errors propagate (the task retries)."""
    action = (
        PlanAction.objects.filter(pk=action_id, status__in=PlanAction.OPEN_STATUSES)
        .select_related("plan__case")
        .first()
    )
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if action is None or user is None or not user.email or phase not in REMINDER_PHASES:
        return False
    if not cases_writable_by(user).filter(pk=action.plan.case_id).exists():
        logger.info("action reminder skipped: recipient no longer on the case")
        return False
    link = absolute_url(reverse("casework:my_procesregie"))
    if is_staff_member(user):
        link = absolute_url(reverse("casework:case_detail", args=[action.plan.case.public_id]))
    with translation.override(settings.LANGUAGE_CODE):
        if phase == REMINDER_BEFORE:
            subject = _("Reminder: an agreed action is due soon")
            text = _(
                "An action your organisation agreed to in a plan van aanpak is due on "
                "%(date)s. Update its status in the secure environment:\n\n%(link)s\n"
            )
        else:
            subject = _("An agreed action is overdue")
            text = _(
                "An action your organisation agreed to in a plan van aanpak was due on "
                "%(date)s and is not marked as done. Update its status in the secure "
                "environment:\n\n%(link)s\n"
            )
        send_transactional(
            to=[user.email],
            subject=subject,
            text=text % {"date": action.due_date.strftime("%d-%m-%Y"), "link": link},
        )
    return True
