"""Casework views. Every case read goes through ``selectors.cases_visible_to``;
every write goes through a service; every read of case data is audited.

URLs carry opaque ids (UUIDs), never names or other case content.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allauth.account.decorators import reauthentication_required
from django_ratelimit.decorators import ratelimit

from portal.ids import parse_id
from portal.models import Municipality

from . import audit, importer, services, workflow
from .forms import (
    STEP_SLUGS,
    STEPS,
    AdviceAnswerForm,
    AdviceLogForm,
    AssignForm,
    AttachmentForm,
    AuditQueryForm,
    BreakGlassForm,
    ClosureForm,
    FollowUpDoneForm,
    InvitationAcceptForm,
    InvitationForm,
    MeetingForm,
    MessageForm,
    NoteForm,
    PlanForm,
    SurveyForm,
    TransitionForm,
    step_form,
)
from .models import (
    AdviceRequest,
    AuditEntry,
    CaseDraft,
    CaseKind,
    DestructionList,
    FollowUpTask,
    PartnerOrganisation,
    SurveyInvitation,
)
from .roles import has_role_perm, is_staff_member
from .selectors import (
    Access,
    can_break_glass,
    cases_visible_to,
    closure_details_for,
    drafts_of,
    organisation_of,
    staff_case_lookup,
    surveys_waiting_for,
    visible_case_or_none,
)

RESCUED_MESSAGE = gettext_lazy(
    "What you typed before you were signed out has been put back below. "
    "Check it and save or send it again."
)


def _require(user, codename: str) -> None:
    if not has_role_perm(user, codename):
        raise PermissionDenied


# --- Overview --------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    cases = (
        cases_visible_to(request.user)
        .select_related("municipality", "procesregisseur")
        .order_by("-submitted_at")[:200]
    )
    audit.record(action="case.list", request=request, object_type="case", object_id=str(len(cases)))
    rows = [
        {
            "case": case,
            "status": workflow.status_label(case.status),
            "next_step": workflow.NEXT_STEP.get(case.status, ""),
            "unread": 0,
        }
        for case in cases
    ]
    staff = is_staff_member(request.user)
    organisation = organisation_of(request.user)
    # Neither a ZVH role nor a partner organisation (e.g. a technical administrator):
    # no case data, by design (roles.has_role_perm). Say so, and where roles are given,
    # instead of an empty list.
    without_role = not staff and organisation is None
    roles_url = (
        reverse("wagtailusers_users:edit", args=[request.user.pk])
        if without_role and request.user.has_perm("auth.change_user")
        else None
    )
    return render(
        request,
        "casework/home.html",
        {
            "rows": rows,
            "drafts": drafts_of(request.user),
            "surveys": surveys_waiting_for(request.user),
            "can_follow_up": has_role_perm(request.user, "view_all_cases"),
            "is_staff_member": staff,
            "without_role": without_role,
            "roles_url": roles_url,
            "organisation": organisation,
            "can_overdue": has_role_perm(request.user, "view_overdue"),
            "can_advice": has_role_perm(request.user, "log_advice"),
            "can_invite": has_role_perm(request.user, "invite_user"),
            "can_audit": has_role_perm(request.user, "view_audit"),
            "can_retention": has_role_perm(request.user, "approve_destruction"),
            "can_import": has_role_perm(request.user, "import_cases"),
        },
    )


# --- Intake ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake_start(request):
    if organisation_of(request.user) is None:
        raise PermissionDenied
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind in CaseKind.values:
            draft = services.draft_start(user=request.user, kind=kind)
            return redirect("casework:intake_step", draft.public_id, STEP_SLUGS[0])
        messages.error(request, _("Choose what kind of registration you want to make."))
        return render(
            request, "casework/intake_start.html", {"kinds": CaseKind.choices}, status=400
        )
    return render(request, "casework/intake_start.html", {"kinds": CaseKind.choices})


def _own_draft(request, draft_id) -> CaseDraft:
    draft = drafts_of(request.user).filter(public_id=draft_id).first()
    if draft is None:
        raise Http404
    return draft


def _raw_values(request, form) -> dict:
    """What was typed in this step's fields, as posted (also when invalid)."""
    values = {}
    for name, field in form.fields.items():
        if (
            hasattr(field, "queryset")
            and hasattr(field.widget, "allow_multiple_selected")
            and field.widget.allow_multiple_selected
        ):
            values[name] = request.POST.getlist(name)
        elif name in request.POST:
            values[name] = request.POST.get(name, "")
    return values


def _initial(draft: CaseDraft, form) -> dict:
    data = draft.data
    return {name: data[name] for name in form.fields if name in data}


def _validate_all(draft: CaseDraft):
    """Validate every step against the draft; return (cleaned, first invalid step)."""
    cleaned = {}
    data = draft.data
    for slug in STEP_SLUGS[:-1]:
        form = step_form(slug, draft.kind)
        bound = step_form(slug, draft.kind, {name: data.get(name, "") for name in form.fields})
        if slug == "vraag":
            from django.utils.datastructures import MultiValueDict

            values = {name: data.get(name, "") for name in form.fields}
            partners = data.get("partners") or []
            values = MultiValueDict(
                {
                    **{k: [v] for k, v in values.items() if k != "partners"},
                    "partners": partners if isinstance(partners, list) else [partners],
                }
            )
            bound = step_form(slug, draft.kind, values)
        if not bound.is_valid():
            return None, slug
        cleaned.update(bound.cleaned_data)
    return cleaned, None


@login_required
@require_http_methods(["GET", "POST"])
def intake_step(request, draft_id, step):
    draft = _own_draft(request, draft_id)
    if step not in STEP_SLUGS:
        raise Http404
    index = STEP_SLUGS.index(step)
    status = 200
    if request.method == "POST":
        form = step_form(step, draft.kind, request.POST, request.FILES)
        # Save what was typed before validating: nothing is lost on an error.
        services.draft_update(draft=draft, values=_raw_values(request, form), step=step)
        upload = request.FILES.get("attachment")
        upload_error = None
        if upload is not None:
            try:
                services.attachment_add(
                    upload=upload, user=request.user, draft=draft, request=request
                )
            except services.CaseworkError as exc:
                upload_error = str(exc)
        if request.POST.get("back") and index > 0:
            return redirect("casework:intake_step", draft.public_id, STEP_SLUGS[index - 1])
        if form.is_valid() and upload_error:
            form.add_error("attachment", upload_error)
        if form.is_valid():
            if step != STEP_SLUGS[-1]:
                return redirect("casework:intake_step", draft.public_id, STEP_SLUGS[index + 1])
            cleaned, broken_step = _validate_all(draft)
            if broken_step:
                messages.error(
                    request,
                    _("Some information is missing or not correct. Please check this step."),
                )
                return redirect("casework:intake_step", draft.public_id, broken_step)
            try:
                case = services.case_submit(
                    draft=draft, cleaned=cleaned, user=request.user, request=request
                )
            except services.CaseworkError as exc:
                messages.error(request, str(exc))
                return redirect("casework:home")
            messages.success(
                request,
                _(
                    "Thank you. Your registration has reference %(reference)s. You will receive a confirmation by e-mail."
                )
                % {"reference": case.reference},
            )
            return redirect("casework:case_detail", case.public_id)
        status = 400
    else:
        blank = step_form(step, draft.kind)
        form = step_form(step, draft.kind)
        form.initial = _initial(draft, blank)
    summary = None
    if step == "controle":
        summary = _draft_summary(draft)
    return render(
        request,
        "casework/intake_step.html",
        {
            "draft": draft,
            "form": form,
            "step": step,
            "steps": [(slug, label) for slug, label, _form in STEPS],
            "step_index": index + 1,
            "step_count": len(STEPS),
            "kind_label": CaseKind(draft.kind).label,
            "summary": summary,
            "autosave_seconds": settings.CASEWORK_AUTOSAVE_SECONDS,
            "is_first": index == 0,
            "attachments": draft.attachments.all(),
        },
        status=status,
    )


def _draft_summary(draft: CaseDraft) -> list[tuple[str, str]]:
    data = draft.data
    rows = []
    for slug in STEP_SLUGS[:-1]:
        form = step_form(slug, draft.kind)
        for name, field in form.fields.items():
            value = data.get(name, "")
            if name == "municipality" and value:
                pk = parse_id(value)
                value = str(Municipality.objects.filter(pk=pk).first() or "") if pk else ""
            elif name == "partners":
                ids = [pk for pk in map(parse_id, value or []) if pk]
                value = ", ".join(
                    str(org) for org in PartnerOrganisation.objects.filter(pk__in=ids)
                )
            elif hasattr(field, "choices") and value:
                value = dict(field.choices).get(value, value)
            rows.append((str(field.label), str(value or "—")))
    return rows


@login_required
@require_POST
def intake_autosave(request, draft_id):
    draft = _own_draft(request, draft_id)
    step = request.POST.get("_step", "")
    if step not in STEP_SLUGS:
        return HttpResponse(status=400)
    form = step_form(step, draft.kind)
    services.draft_update(draft=draft, values=_raw_values(request, form))
    return HttpResponse(status=204)


@login_required
@require_POST
def intake_discard(request, draft_id):
    services.draft_discard(draft=_own_draft(request, draft_id), user=request.user)
    messages.success(request, _("The draft has been deleted."))
    return redirect("casework:home")


# --- Case detail and actions --------------------------------------------------------


def _visible_or_404(request, public_id):
    case, access = visible_case_or_none(request.user, public_id)
    if case is None:
        audit.record(
            action="case.read",
            request=request,
            object_type="case",
            object_id=str(public_id),
            result="denied",
        )
        raise Http404
    return case, access


@login_required
@require_GET
def case_detail(request, public_id):
    case, access = visible_case_or_none(request.user, public_id)
    if case is None:
        candidate = (
            staff_case_lookup(public_id) if has_role_perm(request.user, "break_glass") else None
        )
        if candidate is not None and can_break_glass(request.user, candidate):
            return redirect("casework:case_break_glass", public_id)
        audit.record(
            action="case.read",
            request=request,
            object_type="case",
            object_id=str(public_id),
            result="denied",
        )
        raise Http404
    audit.record(action="case.read", request=request, obj=case, purpose=str(access))
    staff = is_staff_member(request.user)
    own_org = organisation_of(request.user)
    # Text posted after an idle sign-out is put back in its form (once).
    rescued = services.rescued_input_take(user=request.user, target=request.path)
    if rescued:
        messages.info(request, RESCUED_MESSAGE)
    context = {
        "case": case,
        "access": str(access),
        "full": access == Access.FULL,
        "summary": access in (Access.FULL, Access.SHARED_SUMMARY),
        "is_staff_member": staff,
        "status_label": workflow.status_label(case.status),
        "next_step": workflow.NEXT_STEP.get(case.status, ""),
        "timeline": services.timeline_for(case=case, user=request.user, access=access),
        "status_labels": {key: str(value) for key, value in workflow.STATUS_LABELS.items()},
        "shares": case.shares.select_related("organisation"),
        "rescued": rescued,
    }
    if staff:
        involved = PartnerOrganisation.objects.filter(
            pk__in=[case.organisation_id, *case.shares.values_list("organisation_id", flat=True)]
        )
        can_triage = has_role_perm(request.user, "triage_case")
        transitions, closing = _split_transitions(case) if can_triage else ([], [])
        context.update(
            {
                "can_triage": can_triage,
                "can_export": has_role_perm(request.user, "export_case"),
                "transitions": transitions,
                "closure_form": _closure_form(case, closing) if closing else None,
                "closure": closure_details_for(request.user, case),
                "note_form": NoteForm(initial=rescued.get("notitie")),
                "meeting_form": MeetingForm(initial=rescued.get("overleg")),
                "plan_form": PlanForm(initial=rescued.get("plan")),
                "assign_form": AssignForm(
                    case=case,
                    initial={
                        "procesregisseur": case.procesregisseur_id,
                        "casusregisseur": case.casusregisseur_id,
                    },
                ),
                "message_form": MessageForm(organisations=involved, initial=rescued.get("bericht"))
                if can_triage
                else None,
                "transition_form": TransitionForm(),
                "duplicates": services.duplicates_of(case=case, user=request.user),
                "duplicate_count": services.duplicate_count(case=case),
            }
        )
    elif own_org is not None:
        context["message_form"] = MessageForm(initial=rescued.get("bericht"))
    if access == Access.FULL:
        context["attachments"] = case.attachments.all()
        context["attachment_form"] = AttachmentForm()
    return render(request, "casework/case_detail.html", context)


def _split_transitions(case):
    """Ordinary status changes, and the closing ones (which need the closure form)."""
    every = workflow.allowed_transitions(case.kind, case.status)
    closing = [t for t in every if t.to_status in workflow.CLOSED_STATUSES]
    return [t for t in every if t.to_status not in workflow.CLOSED_STATUSES], closing


def _closure_form(case, closing, data=None):
    return ClosureForm(
        data,
        case=case,
        closing_statuses=closing,
        in_procesregie=services.case_was_in_procesregie(case),
    )


ACTIONS = {"status", "notitie", "overleg", "plan", "toewijzen", "bericht", "afsluiten"}


@login_required
@require_POST
def case_action(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    case, access = _visible_or_404(request, public_id)
    staff = is_staff_member(request.user)
    if action != "bericht" and not staff:
        raise PermissionDenied
    form = None
    try:
        if action == "status":
            form = TransitionForm(request.POST)
            if form.is_valid():
                services.case_transition(
                    case=case,
                    to_status=form.cleaned_data["to_status"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    request=request,
                )
                messages.success(request, _("The status has been changed."))
        elif action == "afsluiten":
            _transitions, closing = _split_transitions(case)
            if not has_role_perm(request.user, "triage_case"):
                raise PermissionDenied
            if not closing:
                raise services.CaseworkError(
                    _("This case cannot be closed from its current status.")
                )
            form = _closure_form(case, closing, request.POST)
            if form.is_valid():
                try:
                    services.case_close(
                        case=case,
                        actor=request.user,
                        evaluation=form.evaluation(),
                        to_status=form.cleaned_data["to_status"],
                        note=form.cleaned_data["note"],
                        request=request,
                    )
                except services.ClosureRefused as exc:
                    for name, message in exc.errors.items():
                        form.add_error(name if name in form.fields else None, message)
                except services.CaseworkError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        _("The case has been closed and the satisfaction survey has been sent."),
                    )
        elif action == "notitie":
            form = NoteForm(request.POST)
            if form.is_valid():
                services.case_add_note(
                    case=case, actor=request.user, body=form.cleaned_data["body"], request=request
                )
                messages.success(request, _("The note has been added."))
        elif action == "overleg":
            form = MeetingForm(request.POST)
            if form.is_valid():
                services.case_add_meeting(
                    case=case, actor=request.user, request=request, **form.cleaned_data
                )
                messages.success(request, _("The case meeting has been recorded."))
        elif action == "plan":
            form = PlanForm(request.POST)
            if form.is_valid():
                services.case_add_plan(
                    case=case, actor=request.user, body=form.cleaned_data["body"], request=request
                )
                messages.success(request, _("A new version of the plan van aanpak has been saved."))
        elif action == "toewijzen":
            form = AssignForm(request.POST, case=case)
            if form.is_valid():
                services.case_assign(
                    case=case, actor=request.user, request=request, **form.cleaned_data
                )
                messages.success(request, _("The assignment has been saved."))
        elif action == "bericht":
            if staff:
                involved = PartnerOrganisation.objects.filter(
                    pk__in=[
                        case.organisation_id,
                        *case.shares.values_list("organisation_id", flat=True),
                    ]
                )
                form = MessageForm(request.POST, organisations=involved)
            else:
                form = MessageForm(request.POST)
            if form.is_valid():
                services.message_send(
                    case=case,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    to_organisation=form.cleaned_data.get("to_organisation"),
                    request=request,
                )
                messages.success(request, _("Your message has been sent."))
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc))
    if form is not None and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(
                ": "
            )
            for name, errors in form.errors.items()
        )
        return _action_error(
            request, case, _("Not saved: %(problems)s") % {"problems": problems}, form=form
        )
    return redirect("casework:case_detail", case.public_id)


@login_required
@require_POST
def case_attachment_upload(request, public_id):
    case, access = _visible_or_404(request, public_id)
    if access != Access.FULL:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _action_error(request, case, _("Choose a file first."))
    try:
        services.attachment_add(
            upload=form.cleaned_data["attachment"], user=request.user, case=case, request=request
        )
    except services.CaseworkError as exc:
        return _action_error(request, case, str(exc))
    messages.success(request, _("The attachment has been added."))
    return redirect("casework:case_detail", case.public_id)


@login_required
@reauthentication_required
@require_GET
def case_attachment_download(request, public_id, attachment_id):
    """Served only here: visibility by the selector, fresh re-authentication, audited."""
    case, access = _visible_or_404(request, public_id)
    attachment = case.attachments.filter(public_id=attachment_id).first()
    if access != Access.FULL or attachment is None:
        raise Http404
    try:
        data = services.attachment_read(attachment=attachment, user=request.user, request=request)
    except services.CaseworkError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=attachment.content_type)
    extension = (
        attachment.original_name.rpartition(".")[2] if "." in attachment.original_name else "bin"
    )
    # The real name may hold personal data; it is shown on the page, not put in headers.
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-bijlage.{extension}"'
    return response


def _action_error(request, case, message, form=None):
    """Refused actions return 400 with the message and the typed text, not a redirect."""
    return render(
        request,
        "casework/action_error.html",
        {"case": case, "message": message, "form": form},
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_break_glass(request, public_id):
    if not has_role_perm(request.user, "break_glass"):
        raise Http404
    case = staff_case_lookup(public_id)
    if case is None:
        raise Http404
    if not can_break_glass(request.user, case):
        return redirect("casework:case_detail", public_id)
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.break_glass_open(
                user=request.user, case=case, reason=form.cleaned_data["reason"], request=request
            )
            return redirect("casework:case_detail", public_id)
        status = 400
    return render(
        request,
        "casework/break_glass.html",
        {"form": form, "public_id": public_id, "hours": settings.CASEWORK_BREAK_GLASS_HOURS},
        status=status,
    )


@login_required
@reauthentication_required
@require_GET
def case_export(request, public_id):
    """A JSON download of the case; asks for the password again first (allauth)."""
    _require(request.user, "export_case")
    case, access = _visible_or_404(request, public_id)
    if access != Access.FULL:
        raise Http404
    audit.record(action="case.export", request=request, obj=case)
    payload = {
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "municipality": case.municipality.name,
        "organisation": case.organisation.name if case.organisation else "",
        "person_name": case.person_name,
        "person_birth_date": case.person_birth_date,
        "other_persons": case.other_persons,
        "problem": case.problem,
        "safety_risk": case.safety_risk,
        "tried": case.tried,
        "question": case.question,
        "urgency": case.urgency,
        "ave_level": case.ave_level,
        "submitted_at": case.submitted_at.isoformat(),
        "timeline": [
            {
                "kind": entry.kind,
                "at": entry.created_at.isoformat(),
                "author": entry.author.email if entry.author else "",
                "from": entry.from_status,
                "to": entry.to_status,
                "text": entry.body,
                "participants": entry.participants,
                "agreements": entry.agreements,
            }
            for entry in case.timeline.select_related("author")
        ],
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.json"'
    return response


# --- Staff lists -----------------------------------------------------------------------


@login_required
@require_GET
def overdue(request):
    _require(request.user, "view_overdue")
    now = timezone.now()
    rows = []
    for case in (
        cases_visible_to(request.user)
        .exclude(status__in=workflow.CLOSED_STATUSES)
        .select_related("procesregisseur", "municipality")
    ):
        days = workflow.TARGET_DAYS.get(case.status)
        if days is None:
            continue
        due = case.status_changed_at + timedelta(days=days)
        if due < now:
            rows.append(
                {
                    "case": case,
                    "status": workflow.status_label(case.status),
                    "due": due,
                    "late_days": (now - due).days,
                }
            )
    rows.sort(key=lambda row: row["due"])
    audit.record(
        action="case.list", request=request, object_type="overdue", object_id=str(len(rows))
    )
    return render(request, "casework/overdue.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def advice(request):
    _require(request.user, "log_advice")
    rescued = {}
    if request.method == "GET":
        rescued = services.rescued_input_take(user=request.user, target=request.path)
        if rescued:
            messages.info(request, RESCUED_MESSAGE)
    form = AdviceLogForm(request.POST or None, initial=rescued.get("advies"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.advice_log(actor=request.user, request=request, **form.cleaned_data)
            messages.success(request, _("The advice request has been logged."))
            return redirect("casework:advice")
        status = 400
    # Advice requests with a case follow that case's visibility; logged calls are staff-wide.
    visible = cases_visible_to(request.user)
    requests = AdviceRequest.objects.filter(case__isnull=True) | AdviceRequest.objects.filter(
        case__in=visible
    )
    requests = requests.select_related("organisation", "municipality", "case").order_by(
        "-asked_at"
    )[:100]
    audit.record(
        action="advice.list",
        request=request,
        object_type="advicerequest",
        object_id=str(len(requests)),
    )
    return render(
        request,
        "casework/advice.html",
        {"form": form, "requests": requests, "answer_form": AdviceAnswerForm()},
        status=status,
    )


@login_required
@require_POST
def advice_answer(request, pk):
    _require(request.user, "log_advice")
    visible = cases_visible_to(request.user)
    advice_request = (
        (
            AdviceRequest.objects.filter(case__isnull=True)
            | AdviceRequest.objects.filter(case__in=visible)
        )
        .filter(pk=pk)
        .first()
    )
    if advice_request is None:
        raise Http404
    form = AdviceAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the advice first."))
        return redirect("casework:advice")
    try:
        services.advice_answer(
            advice_request=advice_request,
            actor=request.user,
            advice=form.cleaned_data["advice"],
            request=request,
        )
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
        return redirect("casework:advice")
    messages.success(request, _("The advice has been saved."))
    return redirect("casework:advice")


# --- Accounts ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    _require(request.user, "invite_user")
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.invitation_create(
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    group_names=form.cleaned_data["roles"],
                    invited_by=request.user,
                    request=request,
                )
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _("The invitation has been sent."))
                return redirect("casework:invite")
        else:
            status = 400
    return render(request, "casework/invite.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Set a password for an invited account. The token is never logged (see portal.logging)."""
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect("casework:home")
    invitation = services.invitation_for_token(token=token)
    if invitation is None:
        return render(request, "casework/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.invitation_accept(
                    token=token, password=form.cleaned_data["password1"], request=request
                )
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request, _("Your account is ready. Sign in, then set up your second factor.")
                )
                return HttpResponseRedirect(
                    reverse("account_login") + "?next=" + reverse("casework:home")
                )
        else:
            status = 400
    response = render(
        request,
        "casework/invitation_accept.html",
        {"form": form, "email": invitation.email},
        status=status,
    )
    # The token is in the path: never send it to another site. Not "no-referrer": with it
    # browsers post "Origin: null", which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Privacy officer -----------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    _require(request.user, "view_audit")
    form = AuditQueryForm(request.GET or None)
    entries = AuditEntry.objects.all().order_by("-pk")
    if form.is_valid():
        if form.cleaned_data["reference"]:
            entries = entries.filter(object_id=form.cleaned_data["reference"].strip())
        if form.cleaned_data["user"]:
            entries = entries.filter(actor_label__iexact=form.cleaned_data["user"].strip())
    since = timezone.now() - timedelta(days=7)
    reads = AuditEntry.objects.filter(action="case.read", at__gte=since)
    heavy = (
        reads.values("actor_label")
        .annotate(total=Count("pk"))
        .filter(total__gte=50)
        .order_by("-total")[:20]
    )
    off_hours = [entry for entry in reads.order_by("-pk")[:2000] if _off_hours(entry.at)][:50]
    audit.record(
        action="audit.query",
        request=request,
        object_type="auditentry",
        purpose=(form.cleaned_data.get("reference") or "") if form.is_valid() else "",
    )
    return render(
        request,
        "casework/audit.html",
        {"form": form, "entries": entries[:200], "heavy": heavy, "off_hours": off_hours},
    )


@login_required
@require_POST
def audit_verify(request):
    """The privacy officer checks the hash chain from the audit page (as
    ``manage.py verify_audit_chain`` does); the check itself is audited."""
    _require(request.user, "view_audit")
    problems = list(audit.verify_chain())
    checked = AuditEntry.objects.count()
    audit.record(
        action="audit.verify",
        request=request,
        object_type="auditentry",
        object_id=str(checked),
        result="ok" if not problems else "broken",
    )
    if problems:
        first = problems[0]
        messages.error(
            request,
            _(
                "The audit chain is broken in %(count)s place(s). First at entry %(entry)s: "
                "%(problem)s. Report this to the security officer."
            )
            % {"count": len(problems), "entry": first.entry_id, "problem": first.problem},
        )
    else:
        messages.success(
            request, _("The audit chain is intact: %(count)s entries checked.") % {"count": checked}
        )
    return redirect("casework:audit")


def _off_hours(moment) -> bool:
    local = timezone.localtime(moment)
    return local.weekday() >= 5 or local.hour < 7 or local.hour >= 19


# --- Retention ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def retention(request):
    """Privacy officers propose destruction lists; another privacy officer approves them."""
    _require(request.user, "approve_destruction")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "propose":
                proposed = services.destruction_propose(actor=request.user, request=request)
                if proposed is None:
                    messages.info(request, _("No closed cases have passed their retention term."))
                else:
                    messages.success(request, _("A destruction list has been proposed."))
            elif request.POST.get("action") == "approve":
                list_id = request.POST.get("list", "")
                list_pk = parse_id(list_id)
                destruction_list = (
                    DestructionList.objects.filter(pk=list_pk).first() if list_pk else None
                )
                if destruction_list is None:
                    raise Http404
                services.destruction_approve(
                    destruction_list=destruction_list, actor=request.user, request=request
                )
                report = services.destruction_execute(
                    destruction_list=destruction_list, actor=request.user, request=request
                )
                messages.success(
                    request, _("%(count)s cases have been destroyed.") % {"count": report["count"]}
                )
            else:
                return HttpResponse(status=400)
        except services.CaseworkError as exc:
            messages.error(request, str(exc))
        return redirect("casework:retention")
    lists = DestructionList.objects.prefetch_related("cases").select_related(
        "proposed_by", "approved_by"
    )[:50]
    return render(
        request,
        "casework/retention.html",
        {"lists": lists, "term_days": settings.CASEWORK_CLOSED_RETENTION_DAYS},
    )


# --- Import from GCOS ---------------------------------------------------------------------------

IMPORT_SESSION_KEY = "casework_import_pending"


def _import_page(request, *, result=None, can_commit=False, status=200):
    return render(
        request,
        "casework/import.html",
        {
            "result": result,
            "can_commit": can_commit,
            "max_mb": importer.MAX_BYTES // (1024 * 1024),
            "columns": importer.COLUMNS,
        },
        status=status,
    )


def _forget_pending_import(request) -> None:
    pending = request.session.pop(IMPORT_SESSION_KEY, None)
    if pending:
        importer.pending_remove(pending.get("token", ""))


# --- Closing-satisfaction survey -------------------------------------------------------------

# Per client address, over GET and POST together. Tokens cannot be guessed (256 bits);
# the limit keeps a flood of requests from reaching the database.
SURVEY_RATE = "30/m"


def _survey_not_available(request, state):
    """Used, expired or unknown: a friendly page that never names the case."""
    status = 410 if state == services.SurveyState.GONE else 404
    return render(
        request, "casework/survey_unavailable.html", {"gone": status == 410}, status=status
    )


def _survey_page(request, invitation: SurveyInvitation, *, user=None):
    """Show the survey (only the case reference) and store the answers once."""
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_submit(
                    invitation=invitation, answers=form.cleaned_data, user=user, request=request
                )
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("casework_survey:thanks")
        status = 400
    response = render(
        request,
        "casework/survey.html",
        {"form": form, "reference": invitation.case.reference, "signed_in": user is not None},
        status=status,
    )
    # The token is in the path: never send it to another site. ("no-referrer" would make
    # browsers post "Origin: null", which Django's CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


@ratelimit(key="ip", rate=SURVEY_RATE, method=ratelimit.ALL, block=False)
@require_http_methods(["GET", "POST"])
def survey(request, token):
    """The public survey: no login; the link is the key (only its hash is stored)."""
    if getattr(request, "limited", False):
        return render(request, "casework/survey_limited.html", status=429)
    invitation, state = services.survey_invitation_for_token(token=token)
    if state != services.SurveyState.OPEN:
        return _survey_not_available(request, state)
    return _survey_page(request, invitation)


@ratelimit(key="ip", rate=SURVEY_RATE, method=ratelimit.ALL, block=False)
@require_GET
def survey_thanks(request):
    if getattr(request, "limited", False):
        return render(request, "casework/survey_limited.html", status=429)
    return render(request, "casework/survey_thanks.html")


@login_required
@require_http_methods(["GET", "POST"])
def case_import(request):
    """Functioneel beheer uploads a GCOS export: first a dry run, then "Importeren"
    commits the very file that was checked (kept encrypted server-side meanwhile)."""
    _require(request.user, "import_cases")
    if request.method == "GET":
        return _import_page(request)
    action = request.POST.get("action")
    if action == "check":
        return _import_check(request)
    if action == "commit":
        return _import_commit(request)
    messages.error(request, _("Choose a CSV file and check it first."))
    return _import_page(request, status=400)


def _import_check(request):
    _forget_pending_import(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return _import_page(request, status=400)
    if not (upload.name or "").lower().endswith(".csv"):
        messages.error(request, _("Only CSV files (.csv) can be imported."))
        return _import_page(request, status=400)
    data = upload.read(importer.MAX_BYTES + 1)
    result = importer.import_cases(data=data, commit=False, user=request.user, request=request)
    if result.unreadable:
        return _import_page(request, result=result, status=400)
    can_commit = result.ok and bool(result.to_create or result.to_update)
    if can_commit:
        request.session[IMPORT_SESSION_KEY] = {
            "token": importer.pending_store(data),
            "digest": result.digest,
        }
    return _import_page(request, result=result, can_commit=can_commit)


def _import_commit(request):
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    data = importer.pending_load(pending.get("token", ""))
    if (
        data is None
        or pending.get("digest") != request.POST.get("digest")
        or hashlib.sha256(data).hexdigest() != pending.get("digest")
    ):
        _forget_pending_import(request)
        messages.error(
            request, _("There is no checked file waiting to be imported. Upload the file again.")
        )
        return _import_page(request, status=400)
    result = importer.import_cases(data=data, commit=True, user=request.user, request=request)
    _forget_pending_import(request)
    if not result.committed:
        # The database changed since the check (e.g. a reference now used in the portal).
        messages.error(request, _("Nothing has been imported: the file is no longer clean."))
        return _import_page(request, result=result, status=400)
    messages.success(
        request,
        _("Import done: %(created)s cases created, %(updated)s updated.")
        % {"created": len(result.to_create), "updated": len(result.to_update)},
    )
    return redirect("casework:case_import")


@login_required
@require_http_methods(["GET", "POST"])
def survey_signed_in(request, public_id):
    """The same survey from "mijn aanmeldingen": the invitation must be the user's own."""
    invitation = (
        SurveyInvitation.objects.select_related("case")
        .filter(public_id=public_id, user=request.user)
        .first()
    )
    if invitation is None:
        raise Http404
    if invitation.used_at or invitation.expires_at <= timezone.now():
        return _survey_not_available(request, services.SurveyState.GONE)
    return _survey_page(request, invitation, user=request.user)


# --- Follow-up tasks (manager) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request):
    _require(request.user, "view_all_cases")
    if request.method == "POST":
        task_id = request.POST.get("task", "")
        visible = cases_visible_to(request.user)
        task = (
            FollowUpTask.objects.filter(pk=parse_id(task_id), case__in=visible).first()
            if parse_id(task_id)
            else None
        )
        if task is None:
            raise Http404
        form = FollowUpDoneForm(request.POST, prefix=f"task-{task.pk}")
        if form.is_valid():
            try:
                services.follow_up_complete(
                    task=task, actor=request.user, note=form.cleaned_data["note"], request=request
                )
            except services.CaseworkError as exc:
                return _follow_up_page(request, error=str(exc), status=400)
            messages.success(request, _("The follow-up task has been marked as done."))
            return redirect("casework:follow_up")
        return _follow_up_page(request, failed=task, failed_form=form, status=400)
    return _follow_up_page(request)


def _follow_up_page(request, *, failed=None, failed_form=None, error="", status=200):
    visible = cases_visible_to(request.user)
    tasks = FollowUpTask.objects.filter(case__in=visible).select_related(
        "case",
        "done_by",
        "survey_response__invitation__user",
        "survey_response__invitation__organisation",
    )
    open_tasks = list(tasks.filter(done_at__isnull=True).order_by("created_at"))
    for task in open_tasks:
        task.form = (
            failed_form
            if failed is not None and task.pk == failed.pk
            else FollowUpDoneForm(prefix=f"task-{task.pk}")
        )
    done_tasks = list(tasks.filter(done_at__isnull=False).order_by("-done_at")[:50])
    audit.record(
        action="followup.list",
        request=request,
        object_type="followuptask",
        object_id=str(len(open_tasks)),
    )
    return render(
        request,
        "casework/follow_up.html",
        {"open_tasks": open_tasks, "done_tasks": done_tasks, "error": error},
        status=status,
    )
