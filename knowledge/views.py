"""Public views of the knowledge app: expert profiles and "Vraag het de expert"."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from django_ratelimit.core import is_ratelimited

from portal.middleware import no_store

from .forms import ExpertQuestionForm
from .models import Expert, ExpertiseArticlePage, KnowledgeIndexPage, Theme
from .services import question_confirm_email, question_from_confirmation_token, question_submit

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
    question = question_submit(
        theme=form.cleaned_data["theme"],
        expert=expert,
        question=form.cleaned_data["question"],
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        organisation=form.cleaned_data["organisation"],
        user=request.user,
    )
    if question.email_confirmed_at is not None:
        # A signed-in user's own verified address: sent on at once.
        return redirect("knowledge:ask_sent")
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
    """After the form: check your mail (the same for every address)."""
    days = settings.RETENTION_DAYS["knowledge_unconfirmed"]
    return render(
        request, "knowledge/ask_thanks.html", {"section": _section(), "unconfirmed_days": days}
    )


def ask_sent(request):
    """After the address was confirmed: the question is on its way to the experts."""
    return render(request, "knowledge/ask_sent.html", {"section": _section()})


@no_store
@require_http_methods(["GET", "POST"])
def ask_confirm(request, token):
    """The link in the confirmation mail. GET shows a button; only the POST confirms,
    so a mail scanner opening the link sends nothing on. The page shows nothing the
    asker wrote: whoever holds the link may not be the one who filled in the form."""
    question = question_from_confirmation_token(token=token)
    if question is None:
        return render(
            request, "knowledge/ask_link_invalid.html", {"section": _section()}, status=404
        )
    if question.email_confirmed_at is None and request.method == "POST":
        question_confirm_email(question=question)
    if question.email_confirmed_at is not None:
        return redirect("knowledge:ask_sent")
    return render(request, "knowledge/ask_confirm.html", {"section": _section()})
