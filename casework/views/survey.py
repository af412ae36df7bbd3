"""The closing-satisfaction survey: public (token link) and signed in."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from django_ratelimit.decorators import ratelimit

from .. import services
from ..forms import SurveyForm
from ..models import SurveyInvitation

SURVEY_RATE = "30/m"
# The limiter groups (its cache-key prefix) are pinned to the names these views had
# before casework/views.py became a package, so the counters stay the same.


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


@ratelimit(
    group="casework.views.survey", key="ip", rate=SURVEY_RATE, method=ratelimit.ALL, block=False
)
@require_http_methods(["GET", "POST"])
def survey(request, token):
    """The public survey: no login; the link is the key (only its hash is stored)."""
    if getattr(request, "limited", False):
        return render(request, "casework/survey_limited.html", status=429)
    invitation, state = services.survey_invitation_for_token(token=token)
    if state != services.SurveyState.OPEN:
        return _survey_not_available(request, state)
    return _survey_page(request, invitation)


@ratelimit(
    group="casework.views.survey_thanks",
    key="ip",
    rate=SURVEY_RATE,
    method=ratelimit.ALL,
    block=False,
)
@require_GET
def survey_thanks(request):
    if getattr(request, "limited", False):
        return render(request, "casework/survey_limited.html", status=429)
    return render(request, "casework/survey_thanks.html")


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
