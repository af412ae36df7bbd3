"""Staff screens: overdue cases, advice requests, inviting users and accepting an invitation."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import audit, services, workflow
from ..forms import (
    AdviceAnswerForm,
    AdviceLogForm,
    InvitationAcceptForm,
    InvitationForm,
)
from ..models import AdviceRequest
from ..roles import roles_offered_to
from ..selectors import cases_visible_to
from ._common import RESCUED_MESSAGE, _require


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


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    _require(request.user, "invite_user")
    form = InvitationForm(request.POST or None, offered_roles=roles_offered_to(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _token = services.invitation_create(
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    group_names=form.cleaned_data.get("roles", []),
                    invited_by=request.user,
                    request=request,
                )
            except services.CaseworkError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _("The invitation has been sent."))
                waiting = invitation.role_grant_requests.first()
                if waiting is not None:
                    messages.info(
                        request,
                        _(
                            "The account gets the role(s) %(roles)s only after a second person "
                            "approves (on the role requests page)."
                        )
                        % {"roles": ", ".join(waiting.roles)},
                    )
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
