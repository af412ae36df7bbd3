"""Public views of the knowledge app: expert profiles and "Vraag het de expert"."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django_ratelimit.core import is_ratelimited

from .forms import ExpertQuestionForm
from .models import Expert, ExpertiseArticlePage, KnowledgeIndexPage, Theme
from .services import question_submit

# Per client address (portal.net.client_ip). Generous enough for a team behind one
# office address, low enough to stop a script filling the experts' inboxes.
QUESTION_RATE = "10/h"


def _rate_limited(request) -> bool:
    """Count this question POST; True once the client asked too often."""
    return is_ratelimited(
        request, group="knowledge:question", key="ip", rate=QUESTION_RATE, increment=True
    )


def _too_many_message() -> str:
    return _(
        "You have sent many questions in a short time, so this one has not been sent. "
        "Your text is kept below: please try again in an hour."
    )


def _section():
    return KnowledgeIndexPage.objects.live().public().first()


def expert_list(request):
    experts = (
        Expert.objects.filter(active=True).select_related("basisteam").prefetch_related("themes")
    )
    return render(
        request, "knowledge/expert_list.html", {"experts": experts, "section": _section()}
    )


def expert_detail(request, slug):
    expert = get_object_or_404(Expert, slug=slug, active=True)
    return render(request, "knowledge/expert_detail.html", _expert_context(expert))


def _expert_context(expert, form=None):
    themes = expert.themes.all()
    return {
        "expert": expert,
        "section": _section(),
        "articles": ExpertiseArticlePage.objects.live()
        .public()
        .filter(authors=expert)
        .order_by("-publication_date")[:10],
        "question_form": form
        or ExpertQuestionForm(themes=themes, initial={"theme": themes.first()}),
        "question_action": expert.get_absolute_url() + "vraag/",
    }


def _submit(request, form, *, expert=None):
    if not form.is_valid():
        return None
    question_submit(
        theme=form.cleaned_data["theme"],
        expert=expert,
        question=form.cleaned_data["question"],
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        organisation=form.cleaned_data["organisation"],
    )
    return redirect("knowledge:ask_thanks")


@require_POST
def ask_theme(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    form = ExpertQuestionForm(request.POST, themes=Theme.objects.filter(pk=theme.pk))
    limited = _rate_limited(request)
    if not limited and (response := _submit(request, form)):
        return response
    context = {"form": form, "theme": theme, "section": _section(), "action": request.path}
    if limited:
        context["error_message"] = _too_many_message()
    return render(request, "knowledge/ask.html", context, status=429 if limited else 400)


@require_POST
def ask_expert(request, slug):
    expert = get_object_or_404(Expert, slug=slug, active=True)
    form = ExpertQuestionForm(request.POST, themes=expert.themes.all())
    limited = _rate_limited(request)
    if not limited and (response := _submit(request, form, expert=expert)):
        return response
    context = _expert_context(expert, form)
    if limited:
        context["question_error"] = _too_many_message()
    return render(request, "knowledge/expert_detail.html", context, status=429 if limited else 400)


def ask_thanks(request):
    return render(request, "knowledge/ask_thanks.html", {"section": _section()})
