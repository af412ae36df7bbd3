"""The annual report (Jaarrapportage) in the Wagtail admin: for the manager only.

Thin views: the figures come from ``casework.reports``, the tables and files from
``casework.report_export``. Exports ask for the password again and are audited.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from allauth.account.decorators import reauthentication_required

from . import audit, reports
from .forms import ReportPeriodForm
from .report_export import report_csv, report_tables, report_xlsx
from .roles import has_role_perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manager(user) -> None:
    if not has_role_perm(user, "view_all_cases"):
        raise PermissionDenied


def _period(request) -> tuple[ReportPeriodForm, tuple | None]:
    """The form and the chosen period; no parameters at all means the current year."""
    if not any(request.GET.get(name) for name in ("year", "start", "end")):
        year = timezone.localdate().year
        form = ReportPeriodForm(initial={"year": year})
        return form, (date(year, 1, 1), date(year, 12, 31))
    form = ReportPeriodForm(request.GET)
    return form, (form.period() if form.is_valid() else None)


@require_GET
def report(request):
    _require_manager(request.user)
    form, period = _period(request)
    if period is None:
        # Bad input: the form again with what was typed and the reason, and a 400.
        return render(request, "casework/admin/report.html", {"form": form}, status=400)
    start, end = period
    data = reports.annual_report(start=start, end=end)
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    return render(
        request,
        "casework/admin/report.html",
        {
            "form": form,
            "report": data,
            "sections": report_tables(data),
            "export_query": query,
            "start": start,
            "end": end,
        },
    )


@reauthentication_required
@require_GET
def report_export(request, fmt: str):
    _require_manager(request.user)
    form, period = _period(request)
    if period is None or fmt not in ("csv", "xlsx"):
        return render(request, "casework/admin/report.html", {"form": form}, status=400)
    start, end = period
    data = reports.annual_report(start=start, end=end)
    audit.record(
        action="report.export",
        request=request,
        object_type="annual_report",
        object_id=f"{start.isoformat()}/{end.isoformat()}",
        purpose=fmt,
    )
    filename = f"jaarrapportage-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "csv":
        # A byte-order mark so that Excel reads the file as UTF-8.
        response = HttpResponse("\ufeff" + report_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(report_xlsx(data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
