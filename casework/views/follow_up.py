"""Follow-up tasks (manager)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.ids import parse_id

from .. import audit, services
from ..forms import FollowUpDoneForm
from ..models import FollowUpTask
from ..selectors import cases_visible_to
from ._common import _require


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
