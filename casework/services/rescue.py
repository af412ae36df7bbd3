"""Input posted after the idle timeout: keeping it for the user (in their draft, or
encrypted per form) and handing it back once when they return."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from .. import audit
from ..models import PartnerOrganisation, RescuedInput
from .intake import _clean_raw, draft_update

# Case-page forms whose text is worth keeping, by the action in their URL.
RESCUED_CASE_FORMS = ("notitie", "bericht")


def _rescue_form_fields(form: str) -> list[str]:
    from .. import forms

    classes = {
        "notitie": forms.NoteForm,
        "advies": forms.AdviceLogForm,
    }
    if form == "bericht":
        return list(forms.MessageForm(organisations=PartnerOrganisation.objects.none()).fields)
    return list(classes[form]().fields)


def input_rescue(*, user: User, path: str, post: QueryDict) -> str | None:
    """Keep what a POST carried when the idle timeout ended the session.

    Intake steps and autosaves go into the user's own draft, as any step POST does;
    case-page forms and the advice log are kept encrypted for the user until they
    return. Nothing is carried out: the user checks and sends it again. Returns the
    page to continue at after signing in, or None when there is nothing to keep."""
    from ..forms import STEP_SLUGS, step_form
    from ..selectors import drafts_of

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
def rescued_input_take(*, user: User, target: str) -> dict[str, dict[str, Any]]:
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
