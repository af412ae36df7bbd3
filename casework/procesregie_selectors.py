"""What of a case's procesregie each person sees, and the monitoring reads.

The share levels decide (``selectors.case_access``), on top of the visibility rule:

| | ZVH staff, registering organisation (full) | shared: summary | shared: status |
|---|---|---|---|
| meetings | all, with agenda, minutes and decisions | those its organisation is invited to, with agenda, minutes and decisions | those its organisation is invited to: time, place and link only |
| plan van aanpak | every adopted version, all actions, the comparison | the content goal and its own actions | its own actions |
| drafts | staff only | — | — |

A partner sees the actions its organisation owns on every case it may see (need to
know); nothing else of the plan unless its share level allows.
"""

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone

from portal.types import AnyUser

from . import workflow
from .models import Achievement, AveLevel, CarePlan, Case, CaseMeeting, MeetingInvitee, PlanAction
from .roles import has_role_perm, is_staff_member
from .selectors import Access, cases_visible_to, cases_writable_by, organisation_of


def field_label(model: type[Model], name: str) -> str:
    """A model field's verbose name, translated."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


@dataclass(frozen=True)
class MeetingView:
    meeting: CaseMeeting
    details: bool  # the agenda (time, place and link: every invitee)
    minutes: bool  # minutes, decisions, attendance
    invitees: list[MeetingInvitee]  # the invitees this person may see


@dataclass
class PlanView:
    adopted: CarePlan | None = None
    full: bool = False  # the whole plan (shared picture, scenarios, every action)
    goal: bool = False  # the content goal
    actions: list[PlanAction] = field(default_factory=list)
    versions: list[CarePlan] = field(default_factory=list)
    draft: CarePlan | None = None


def meetings_for(user: AnyUser, case: Case, access: Access | None) -> list[MeetingView]:
    if access is None:
        return []
    meetings = case.meetings.prefetch_related("organisations", "invitees__user")
    organisation = organisation_of(user)
    if access == Access.FULL:
        return [
            MeetingView(meeting, True, True, list(meeting.invitees.all())) for meeting in meetings
        ]
    if organisation is None:
        return []
    summary = access == Access.SHARED_SUMMARY
    views = []
    for meeting in meetings.filter(organisations=organisation):
        own = [i for i in meeting.invitees.all() if i.organisation_id == organisation.pk]
        views.append(MeetingView(meeting, summary, summary, own))
    return views


def plan_for(user: AnyUser, case: Case, access: Access | None) -> PlanView:
    if access is None:
        return PlanView()
    plans = list(case.plans.order_by("version"))
    adopted = next((plan for plan in plans if plan.status == CarePlan.Status.ADOPTED), None)
    view = PlanView(adopted=adopted)
    actions = (
        adopted.actions.select_related("organisation", "owner_user", "updated_by")
        if adopted
        else PlanAction.objects.none()
    )
    if access == Access.FULL:
        view.full = view.goal = True
        view.actions = list(actions)
        view.versions = [plan for plan in plans if plan.status != CarePlan.Status.DRAFT]
        if is_staff_member(user) and cases_writable_by(user).filter(pk=case.pk).exists():
            view.draft = next((p for p in plans if p.status == CarePlan.Status.DRAFT), None)
        return view
    organisation = organisation_of(user)
    view.goal = access == Access.SHARED_SUMMARY
    view.actions = list(actions.filter(organisation=organisation)) if organisation else []
    return view


def plan_version_for(
    user: AnyUser, case: Case, access: Access | None, version: int
) -> CarePlan | None:
    """One version for the version page: full access only; drafts only for staff."""
    if access != Access.FULL:
        return None
    plan = case.plans.filter(version=version).first()
    if plan is None or (plan.status == CarePlan.Status.DRAFT and not is_staff_member(user)):
        return None
    return plan


# --- Comparing versions -------------------------------------------------------------


@dataclass(frozen=True)
class TextChange:
    name: str
    label: str
    removed: list[str]
    added: list[str]


@dataclass(frozen=True)
class ActionChange:
    title: str
    changes: list[str]  # labels of what changed: owner, due date, text, status


@dataclass(frozen=True)
class PlanComparison:
    texts: list[TextChange]
    added: list[PlanAction]
    removed: list[PlanAction]
    changed: list[ActionChange]

    @property
    def empty(self) -> bool:
        return not (self.texts or self.added or self.removed or self.changed)


def plan_compare(older: CarePlan | None, newer: CarePlan) -> PlanComparison:
    """What changed from ``older`` to ``newer``: lines of each text part, and actions
    added, removed or changed (matched by their lineage)."""
    texts = []
    for name in CarePlan.TEXT_FIELDS:
        before = (getattr(older, name) if older else "").splitlines()
        after = getattr(newer, name).splitlines()
        if before == after:
            continue
        diff = list(difflib.ndiff(before, after))
        texts.append(
            TextChange(
                name=name,
                label=field_label(CarePlan, name),
                removed=[line[2:] for line in diff if line.startswith("- ")],
                added=[line[2:] for line in diff if line.startswith("+ ")],
            )
        )
    old_actions = (
        {a.lineage: a for a in older.actions.select_related("organisation")} if older else {}
    )
    new_actions = {a.lineage: a for a in newer.actions.select_related("organisation")}
    changed = []
    for lineage, action in new_actions.items():
        previous = old_actions.get(lineage)
        if previous is None:
            continue
        what = [
            field_label(PlanAction, name)
            for name in ("title", "organisation", "owner_user", "due_date", "status")
            if getattr(previous, f"{name}_id" if name in ("organisation", "owner_user") else name)
            != getattr(action, f"{name}_id" if name in ("organisation", "owner_user") else name)
        ]
        if what:
            changed.append(ActionChange(title=action.title, changes=what))
    return PlanComparison(
        texts=texts,
        added=[a for lineage, a in new_actions.items() if lineage not in old_actions],
        removed=[a for lineage, a in old_actions.items() if lineage not in new_actions],
        changed=changed,
    )


# --- A partner's own page ----------------------------------------------------------


def partner_overview(user: AnyUser, *, now: datetime | None = None) -> dict[str, Any]:
    """Upcoming meetings the user is invited to and the open actions of their
    organisation, on cases they may still see."""
    organisation = organisation_of(user)
    if organisation is None:
        return {"meetings": [], "actions": []}
    now = now or timezone.now()
    visible = cases_visible_to(user)
    meetings = (
        CaseMeeting.objects.filter(
            invitees__user_id=user.pk or 0,
            case__in=visible,
            ends_at__gte=now,
            cancelled_at__isnull=True,
        )
        .select_related("case")
        .distinct()
        .order_by("starts_at")
    )
    actions = (
        PlanAction.objects.filter(
            organisation=organisation,
            plan__status=CarePlan.Status.ADOPTED,
            plan__case__in=visible,
            status__in=PlanAction.OPEN_STATUSES,
        )
        .exclude(plan__case__status__in=workflow.CLOSED_STATUSES)
        .select_related("plan__case", "owner_user")
        .order_by("due_date", "pk")
    )
    return {"meetings": list(meetings), "actions": list(actions), "today": timezone.localdate()}


# --- Monitoring --------------------------------------------------------------------


def may_monitor(user: AnyUser) -> bool:
    return has_role_perm(user, "triage_case") or has_role_perm(user, "view_all_cases")


@dataclass
class Monitoring:
    team: bool
    upcoming: list[CaseMeeting]
    without_minutes: list[CaseMeeting]
    overdue: list[dict[str, Any]]  # per case and owner: case, owner, count, oldest due date
    without_plan: list[Case]
    past_norm: list[Case]
    escalations: dict[str, list[Case]]
    plan_weeks: int
    norm_weeks: int


def _monitored_cases(user: User) -> QuerySet[Case]:
    """The regisseur's own cases (not those opened by break-the-glass); the manager's
    whole team's."""
    scope = (
        cases_visible_to(user) if has_role_perm(user, "view_all_cases") else cases_writable_by(user)
    )
    return scope.exclude(status__in=workflow.CLOSED_STATUSES)


def monitoring_for(user: User, *, now: datetime | None = None) -> Monitoring:
    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = _monitored_cases(user)
    in_regie = cases.filter(direction_started_at__isnull=False).select_related("procesregisseur")
    meetings = CaseMeeting.objects.filter(case__in=cases, cancelled_at__isnull=True).select_related(
        "case__procesregisseur"
    )
    overdue_actions = (
        PlanAction.objects.filter(
            plan__case__in=cases,
            plan__status=CarePlan.Status.ADOPTED,
            status__in=PlanAction.OPEN_STATUSES,
            due_date__lt=today,
        )
        .select_related("plan__case__procesregisseur", "organisation")
        .order_by("plan__case__reference", "organisation__name", "due_date")
    )
    grouped: dict[tuple[int, int | None], dict[str, Any]] = {}
    for action in overdue_actions:
        key = (action.plan.case_id, action.organisation_id)
        row = grouped.setdefault(
            key,
            {
                "case": action.plan.case,
                "owner": action.organisation,
                "count": 0,
                "oldest": action.due_date,
            },
        )
        row["count"] += 1
        row["oldest"] = min(row["oldest"], action.due_date)
    plan_weeks = settings.CASEWORK_PLAN_WEEKS
    norm_weeks = settings.CASEWORK_THROUGHPUT_NORM_WEEKS
    has_adopted = CarePlan.objects.filter(case=OuterRef("pk"), adopted_at__isnull=False)
    escalations: dict[str, list[Case]] = defaultdict(list)
    for case in (
        cases.filter(ave_level__in=[AveLevel.AVE3, AveLevel.AVE4])
        .select_related("procesregisseur")
        .order_by("ave_level", "reference")
    ):
        escalations[case.get_ave_level_display()].append(case)
    return Monitoring(
        team=has_role_perm(user, "view_all_cases"),
        upcoming=list(meetings.filter(starts_at__gte=now).order_by("starts_at")[:100]),
        without_minutes=list(
            meetings.filter(starts_at__lt=now, minutes_recorded_at__isnull=True).order_by(
                "starts_at"
            )[:100]
        ),
        overdue=list(grouped.values()),
        without_plan=list(
            in_regie.filter(direction_started_at__lte=now - timedelta(weeks=plan_weeks))
            .exclude(Exists(has_adopted))
            .order_by("direction_started_at")
        ),
        past_norm=list(
            in_regie.filter(direction_started_at__lte=now - timedelta(weeks=norm_weeks)).order_by(
                "direction_started_at"
            )
        ),
        escalations=dict(escalations),
        plan_weeks=plan_weeks,
        norm_weeks=norm_weeks,
    )


# --- Closure ------------------------------------------------------------------------


def _done_on_time(action: PlanAction) -> bool:
    return (
        action.status == PlanAction.Status.DONE
        and action.done_at is not None
        and timezone.localdate(action.done_at) <= action.due_date
    )


def closure_plan_summary(case: Case) -> dict[str, Any] | None:
    """For the closure form (staff only; the view checks): the adopted plan's goal and
    actions with their outcome, and a suggested judgement of the three process goals
    from what was recorded. The procesregisseur decides; the suggestion is only the
    form's starting point. None when the case has no structured plan."""
    plan = case.plans.filter(status=CarePlan.Status.ADOPTED).first()
    if plan is None:
        return None
    actions = list(plan.actions.select_related("organisation", "owner_user"))
    relevant = [a for a in actions if a.status != PlanAction.Status.DROPPED]
    done = [a for a in relevant if a.status == PlanAction.Status.DONE]
    on_time = [a for a in relevant if _done_on_time(a)]
    meetings_held = case.meetings.filter(minutes_recorded_at__isnull=False).count()
    picture = bool(plan.summary.strip()) and meetings_held > 0
    complete_plan = all(
        getattr(plan, name).strip() for name in ("scenarios", "case_direction", "communication")
    )
    share_done = len(done) / len(relevant) if relevant else 0.0
    suggested = {
        "process_goal_1": Achievement.FULLY if picture else Achievement.PARTLY,
        "process_goal_2": Achievement.FULLY if complete_plan else Achievement.PARTLY,
        "process_goal_3": (
            Achievement.FULLY
            if share_done >= 0.8
            else Achievement.PARTLY
            if share_done >= 0.4
            else Achievement.NOT
        ),
    }
    return {
        "plan": plan,
        "actions": actions,
        "done": len(done),
        "on_time": len(on_time),
        "relevant": len(relevant),
        "meetings_held": meetings_held,
        "suggested": suggested,
    }


def action_is_overdue(action: PlanAction, today: date | None = None) -> bool:
    return action.is_open and action.due_date < (today or timezone.localdate())


__all__ = [
    "MeetingView",
    "PlanView",
    "PlanComparison",
    "Monitoring",
    "meetings_for",
    "plan_for",
    "plan_version_for",
    "plan_compare",
    "partner_overview",
    "may_monitor",
    "monitoring_for",
    "closure_plan_summary",
    "action_is_overdue",
]
