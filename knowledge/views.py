"""Public views of the knowledge app: expert profiles and "Vraag het de expert"."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .forms import ExpertQuestionForm
from .models import Expert, ExpertiseArticlePage, KnowledgeIndexPage, Theme
from .services import question_submit


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
    if response := _submit(request, form):
        return response
    context = {"form": form, "theme": theme, "section": _section(), "action": request.path}
    return render(request, "knowledge/ask.html", context, status=400)


@require_POST
def ask_expert(request, slug):
    expert = get_object_or_404(Expert, slug=slug, active=True)
    form = ExpertQuestionForm(request.POST, themes=expert.themes.all())
    if response := _submit(request, form, expert=expert):
        return response
    return render(
        request, "knowledge/expert_detail.html", _expert_context(expert, form), status=400
    )


def ask_thanks(request):
    return render(request, "knowledge/ask_thanks.html", {"section": _section()})
