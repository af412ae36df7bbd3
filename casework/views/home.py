"""The casework overview ("mijn aanmeldingen" / the staff case list)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import audit, workflow
from ..procesregie_selectors import may_monitor, partner_overview
from ..roles import has_role_perm, is_staff_member, may_review_role_requests
from ..selectors import (
    cases_visible_to,
    drafts_of,
    organisation_of,
    role_requests_to_decide,
    surveys_waiting_for,
)


@login_required
@require_GET
def home(request):
    cases = (
        cases_visible_to(request.user)
        .select_related("municipality", "procesregisseur")
        .order_by("-submitted_at")[:200]
    )
    audit.record(action="case.list", request=request, object_type="case", object_id=str(len(cases)))
    staff = is_staff_member(request.user)
    rows = [
        {
            "case": case,
            "status": workflow.status_label(case.status),
            "next_step": workflow.next_step(case.status, staff=staff),
            "unread": 0,
        }
        for case in cases
    ]
    organisation = organisation_of(request.user)
    # Neither a ZVH role nor a partner organisation (e.g. a technical administrator):
    # no case data, by design (roles.has_role_perm). Say so, and where roles are given,
    # instead of an empty list.
    without_role = not staff and organisation is None
    can_role_requests = may_review_role_requests(request.user)
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
            "can_monitor": may_monitor(request.user),
            "procesregie": partner_overview(request.user) if organisation else None,
            "can_advice": has_role_perm(request.user, "log_advice"),
            "can_invite": has_role_perm(request.user, "invite_user"),
            "can_audit": has_role_perm(request.user, "view_audit"),
            "can_retention": has_role_perm(request.user, "approve_destruction"),
            "can_import": has_role_perm(request.user, "import_cases"),
            "can_role_requests": can_role_requests,
            "role_requests_waiting": role_requests_to_decide(request.user)
            if can_role_requests
            else 0,
        },
    )
