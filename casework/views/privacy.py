"""Privacy officer screens: the audit log, the audit chain check and retention."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.ids import parse_id

from .. import audit, services
from ..forms import AuditQueryForm
from ..models import (
    AuditEntry,
    DestructionList,
)
from ._common import _require


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
            login = form.cleaned_data["user"].strip()
            # What the account did, and what was done to it (account administration,
            # refused logins: casework.account_audit, casework.signals).
            subjects = [
                str(pk)
                for pk in User.objects.filter(username__iexact=login).values_list("pk", flat=True)
            ]
            entries = entries.filter(
                Q(actor_label__iexact=login) | Q(object_type="user", object_id__in=subjects)
            )
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


# What verify_chain found, in the privacy officer's language (casework.audit kinds).
PROBLEMS = {
    "link": gettext_lazy("the previous entry's hash does not match (entry removed or inserted)"),
    "altered": gettext_lazy(
        "the content does not match its hash (entry altered, or rehashed without the key)"
    ),
    "downgraded": gettext_lazy("an unkeyed entry after keyed entries (rewritten without the key)"),
    "head": gettext_lazy("differs from the head exported earlier (entries replaced or removed)"),
    "truncated": gettext_lazy(
        "missing: the chain ends before the head exported earlier (entries removed)"
    ),
    "head_file": gettext_lazy("the file of exported heads has been altered"),
}


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
                "The audit chain is broken in %(count)s place(s). First at entry %(entry)s "
                "(%(at)s, %(action)s): %(problem)s. Report this to the security officer."
            )
            % {
                "count": len(problems),
                "entry": first.entry_id,
                "at": date_format(timezone.localtime(first.at), "DATETIME_FORMAT")
                if first.at
                else "-",
                "action": first.action or "-",
                "problem": PROBLEMS.get(first.kind, first.problem),
            },
        )
    else:
        messages.success(
            request, _("The audit chain is intact: %(count)s entries checked.") % {"count": checked}
        )
    return redirect("casework:audit")


def _off_hours(moment) -> bool:
    local = timezone.localtime(moment)
    return local.weekday() >= 5 or local.hour < 7 or local.hour >= 19


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
        {"lists": lists, "term_days": settings.RETENTION_DAYS["casework_closed"]},
    )
