"""Intake: starting, filling in, autosaving and discarding a registration draft."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.ids import parse_id
from portal.models import Municipality

from .. import services
from ..forms import (
    STEP_SLUGS,
    STEPS,
    step_form,
)
from ..models import (
    CaseDraft,
    CaseKind,
    PartnerOrganisation,
)
from ..selectors import (
    drafts_of,
    organisation_of,
)


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
        return render(
            request,
            "casework/intake_start.html",
            {
                "kinds": CaseKind.choices,
                "has_form_error": True,
                "kind_error": _("Choose what kind of registration you want to make."),
            },
            status=400,
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
@require_http_methods(["GET", "POST"])
def intake_discard(request, draft_id):
    """GET asks for confirmation (a page, not a script dialog); POST deletes."""
    draft = _own_draft(request, draft_id)
    if request.method == "GET":
        return render(
            request,
            "casework/intake_discard.html",
            {"draft": draft, "first_step": STEP_SLUGS[0]},
        )
    services.draft_discard(draft=draft, user=request.user)
    messages.success(request, _("The draft has been deleted."))
    return redirect("casework:home")
