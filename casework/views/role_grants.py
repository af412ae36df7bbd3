"""Role requests: a second person approves or rejects the ZVH roles that need four
eyes (``roles.GRANT_RULES``). The rules are in ``services.role_grants``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.ids import parse_id

from .. import services
from ..models import RoleGrantRequest
from ..roles import may_review_role_requests
from ..selectors import role_request_refusal, role_requests_for

DECISIONS = {
    "approve": (services.role_grant_approve, _("The roles have been approved.")),
    "reject": (
        services.role_grant_reject,
        _("The request has been rejected; nothing has been given."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def role_requests(request):
    if not may_review_role_requests(request.user):
        raise PermissionDenied
    if request.method == "POST":
        decision = DECISIONS.get(request.POST.get("action", ""))
        if decision is None:
            return HttpResponse(status=400)
        pk = parse_id(request.POST.get("request"))
        grant_request = RoleGrantRequest.objects.filter(pk=pk).first() if pk else None
        if grant_request is None:
            raise Http404
        decide, done = decision
        try:
            decide(grant_request=grant_request, actor=request.user, request=request)
        except services.CaseworkError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect("casework:role_requests")
    rows = [
        {"item": item, "refusal": role_request_refusal(request.user, item)}
        for item in role_requests_for(request.user)
    ]
    return render(
        request,
        "casework/role_requests.html",
        {
            "pending": [row for row in rows if row["item"].status == "pending"],
            "decided": [row for row in rows if row["item"].status != "pending"],
        },
    )
