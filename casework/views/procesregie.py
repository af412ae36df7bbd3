"""Procesregie screens: case meetings, the plan van aanpak and its actions on the case
page (``procesregie_context``), the version page, the partner's own page and the
monitoring page. Every case goes through the visibility rule (denied reads audited),
every write through ``services.meetings`` / ``services.plans``; refused input is a 400
with the Dutch message and what was typed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import audit, ics, services
from ..procesregie_forms import (
    ActionForm,
    ActionUpdateForm,
    AdoptForm,
    MeetingPlanForm,
    MinutesForm,
    PlanTextForm,
)
from ..procesregie_selectors import (
    closure_plan_summary,
    may_monitor,
    meetings_for,
    monitoring_for,
    partner_overview,
    plan_compare,
    plan_for,
    plan_version_for,
)
from ..roles import has_role_perm, is_staff_member
from ..selectors import Access, organisation_of
from ._common import _action_error, _visible_or_404


def _held_meetings(case):
    return case.meetings.filter(cancelled_at__isnull=True, starts_at__lte=timezone.now())


def procesregie_context(request, case, access, writable: bool) -> dict:
    """What the case page shows of meetings and the plan, with the forms this person
    may use."""
    user = request.user
    plan = plan_for(user, case, access)
    context: dict[str, Any] = {
        "meetings": meetings_for(user, case, access),
        "plan": plan,
        "plan_editable": False,
        "action_forms": {},
        "today": timezone.localdate(),
    }
    open_case = services.case_was_in_procesregie(case) or case.meetings.exists()
    staff_writes = writable and is_staff_member(user) and has_role_perm(user, "triage_case")
    if staff_writes and case.status not in ("afgesloten", "overgedragen"):
        organisations = services.involved_organisations(case)
        context.update(
            {
                "plan_editable": True,
                "meeting_plan_form": MeetingPlanForm(
                    organisations=organisations, auto_id="overleg-nieuw-%s"
                ),
                "minutes_forms": {
                    view.meeting.pk: MinutesForm(
                        meeting=view.meeting, auto_id=f"verslag-{view.meeting.public_id.hex[:8]}-%s"
                    )
                    for view in context["meetings"]
                    if view.meeting.is_held
                },
                "plan_text_form": PlanTextForm(plan=plan.draft, auto_id="plan-tekst-%s")
                if plan.draft
                else None,
                "action_form": ActionForm(organisations=organisations, auto_id="actie-nieuw-%s")
                if plan.draft
                else None,
                "adopt_form": AdoptForm(meetings=_held_meetings(case), auto_id="vaststellen-%s")
                if plan.draft
                else None,
            }
        )
    if writable:
        context["action_forms"] = {
            action.pk: ActionUpdateForm(action=action)
            for action in plan.actions
            if services.may_update_action(user, action)
        }
    if is_staff_member(user) and access == Access.FULL:
        context["closure_plan"] = closure_plan_summary(case)
    context["show_procesregie"] = bool(
        open_case or context["meetings"] or plan.actions or plan.adopted
    )
    return context


def _staff_case(request, public_id):
    case, access = _visible_or_404(request, public_id)
    if not is_staff_member(request.user):
        raise PermissionDenied
    return case, access


def _invalid(request, case, form):
    problems = "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )
    return _action_error(request, case, _("Not saved: %(problems)s") % {"problems": problems}, form)


def _done(case, anchor="procesregie"):
    response = redirect("casework:case_detail", case.public_id)
    response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def meeting_plan(request, public_id):
    case, _access = _staff_case(request, public_id)
    form = MeetingPlanForm(request.POST, organisations=services.involved_organisations(case))
    if not form.is_valid():
        return _invalid(request, case, form)
    data = form.cleaned_data
    try:
        services.meeting_plan(
            case=case,
            actor=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data["location"],
            online_url=data["online_url"],
            agenda=data["agenda"],
            organisations=list(data["organisations"]),
            people=list(data["people"]),
            request=request,
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    messages.success(request, _("The case meeting has been planned and the invitations sent."))
    return _done(case, "overleggen")


@login_required
@require_POST
def meeting_minutes(request, public_id, meeting_id):
    case, _access = _staff_case(request, public_id)
    meeting = case.meetings.filter(public_id=meeting_id).first()
    if meeting is None:
        raise Http404
    form = MinutesForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _invalid(request, case, form)
    try:
        services.meeting_record_minutes(
            meeting=meeting,
            actor=request.user,
            minutes=form.cleaned_data["minutes"],
            decisions=form.cleaned_data["decisions"],
            attended=form.cleaned_data["attended"],
            request=request,
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    messages.success(request, _("The minutes have been saved."))
    return _done(case, "overleggen")


@login_required
@require_GET
def meeting_ics(request, public_id, meeting_id):
    """The meeting's .ics for whoever may see the meeting (content-free like the mail)."""
    case, access = _visible_or_404(request, public_id)
    view = next(
        (v for v in meetings_for(request.user, case, access) if v.meeting.public_id == meeting_id),
        None,
    )
    if view is None:
        raise Http404
    audit.record(action="meeting.ics", request=request, obj=case, purpose=f"meeting={meeting_id}")
    response = HttpResponse(ics.meeting_bytes(view.meeting), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="casusoverleg.ics"'
    return response


@login_required
@require_POST
def plan_draft(request, public_id):
    """Start the next version (a copy of the adopted one), or save the draft's text."""
    case, _access = _staff_case(request, public_id)
    form = PlanTextForm(request.POST) if "summary" in request.POST else None
    if form is not None and not form.is_valid():
        return _invalid(request, case, form)
    try:
        draft = services.plan_draft_start(case=case, actor=request.user, request=request)
        if form is not None:
            services.plan_draft_update(
                plan=draft, actor=request.user, texts=form.cleaned_data, request=request
            )
            messages.success(request, _("The draft of the plan van aanpak has been saved."))
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    return _done(case, "plan")


@login_required
@require_POST
def plan_action_add(request, public_id):
    case, access = _staff_case(request, public_id)
    draft = plan_for(request.user, case, access).draft
    form = ActionForm(request.POST, organisations=services.involved_organisations(case))
    if draft is None:
        return _action_error(request, case, _("Start a new version of the plan first."), form)
    if not form.is_valid():
        return _invalid(request, case, form)
    try:
        services.plan_action_add(
            plan=draft, actor=request.user, request=request, **form.cleaned_data
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    messages.success(request, _("The action has been added to the draft."))
    return _done(case, "plan")


@login_required
@require_POST
def plan_action_remove(request, public_id, action_id):
    case, access = _staff_case(request, public_id)
    draft = plan_for(request.user, case, access).draft
    action = draft.actions.filter(public_id=action_id).first() if draft else None
    if action is None:
        raise Http404
    try:
        services.plan_action_remove(action=action, actor=request.user, request=request)
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc))
    messages.success(request, _("The action has been removed from the draft."))
    return _done(case, "plan")


@login_required
@require_POST
def plan_adopt(request, public_id):
    case, access = _staff_case(request, public_id)
    draft = plan_for(request.user, case, access).draft
    form = AdoptForm(request.POST, meetings=_held_meetings(case))
    if draft is None:
        return _action_error(request, case, _("There is no draft to adopt."))
    if not form.is_valid():
        return _invalid(request, case, form)
    try:
        services.plan_adopt(
            plan=draft, actor=request.user, meeting=form.cleaned_data["meeting"], request=request
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    messages.success(request, _("The plan van aanpak has been adopted."))
    return _done(case, "plan")


@login_required
@require_POST
def action_update(request, public_id, action_id):
    """A partner (for its own organisation's actions) or the regisseur updates status
    and progress of an action of the adopted plan."""
    case, access = _visible_or_404(request, public_id)
    action = next(
        (a for a in plan_for(request.user, case, access).actions if a.public_id == action_id),
        None,
    )
    if action is None:
        raise Http404
    form = ActionUpdateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, form)
    try:
        services.plan_action_update(
            action=action, actor=request.user, request=request, **form.cleaned_data
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc), form)
    messages.success(request, _("The action has been updated."))
    return _done(case, "acties")


@login_required
@require_GET
def plan_version(request, public_id, version):
    """One version of the plan and what changed since the version before it."""
    case, access = _visible_or_404(request, public_id)
    plan = plan_version_for(request.user, case, access, version)
    if plan is None:
        raise Http404
    older = case.plans.filter(version__lt=plan.version).order_by("-version").first()
    if older is not None and older.status == older.Status.DRAFT:
        older = None
    audit.record(action="plan.read", request=request, obj=case, purpose=f"v{plan.version}")
    return render(
        request,
        "casework/plan_version.html",
        {
            "case": case,
            "version": plan,
            "older": older,
            "comparison": plan_compare(older, plan),
            "actions": plan.actions.select_related("organisation", "owner_user"),
        },
    )


@login_required
@require_GET
def monitoring(request):
    if not may_monitor(request.user):
        raise PermissionDenied
    data = monitoring_for(request.user)
    audit.record(
        action="case.list",
        request=request,
        object_type="procesregie",
        object_id=str(len(data.overdue) + len(data.without_plan) + len(data.past_norm)),
    )
    return render(request, "casework/procesregie_monitoring.html", {"m": data})


@login_required
@require_GET
def my_procesregie(request):
    """A partner's own page: meetings it is invited to and the actions its
    organisation owns, on cases it may see."""
    if organisation_of(request.user) is None:
        raise PermissionDenied
    overview = partner_overview(request.user)
    audit.record(
        action="case.list",
        request=request,
        object_type="my_procesregie",
        object_id=str(len(overview["actions"])),
    )
    return render(request, "casework/procesregie_mine.html", overview)
