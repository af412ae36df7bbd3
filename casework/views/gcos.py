"""Import of cases from a GCOS export (dry run, then commit)."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import importer
from ._common import _require

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
