from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Expert, ExpertiseArticlePage, ExpertQuestion, Theme, review_cutoff
from .services import question_answer


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "short_name", "sort_order"]
    search_fields = ["name", "short_name"]
    add_to_admin_menu = True
    menu_order = 250


class ExpertViewSet(SnippetViewSet):
    model = Expert
    icon = "user"
    list_display = ["name", "role", "organisation", "basisteam"]
    list_filter = ["role", "themes", "basisteam", "active"]
    search_fields = ["name", "organisation"]
    add_to_admin_menu = True
    menu_order = 251


register_snippet(ThemeViewSet)
register_snippet(ExpertViewSet)


# Only questions whose asker confirmed the e-mail address: an unconfirmed one may
# carry someone else's address, and answering it would mail the question there.
_CONFIRMED_QUESTIONS = ExpertQuestion.objects.filter(email_confirmed_at__isnull=False)


class ExpertQuestionViewSet(ModelViewSet):
    """Advice requests from "Vraag het de expert"; staff answer or refer them here."""

    model = ExpertQuestion
    icon = "help"
    menu_label = _("Expert questions")
    add_to_admin_menu = True
    menu_order = 252
    list_display = [
        "theme",
        "expert",
        "status",
        "created_at",
        "expert_notified_at",
        "reply_sent_at",
    ]
    list_filter = ["status", "theme", "expert"]
    search_fields = ["question", "answer"]
    inspect_view_enabled = True
    pk_path_converter = "id"  # portal.ids: an id out of range is a 404, never a 500

    class IndexView(ModelViewSet.index_view_class):
        queryset = _CONFIRMED_QUESTIONS

    class InspectView(ModelViewSet.inspect_view_class):
        def get_object(self, queryset=None):
            # Wagtail's InspectView looks the object up on the model, not a queryset.
            return get_object_or_404(_CONFIRMED_QUESTIONS, pk=unquote(str(self.pk)))

    class EditView(ModelViewSet.edit_view_class):
        queryset = _CONFIRMED_QUESTIONS

        def save_instance(self):
            # The answer goes through the service, which starts the retention period.
            data = self.form.cleaned_data
            return question_answer(
                question=self.form.instance,
                status=data["status"],
                answer=data["answer"],
                expert=data["expert"],
            )

    index_view_class = IndexView
    inspect_view_class = InspectView
    edit_view_class = EditView


expert_question_viewset = ExpertQuestionViewSet("expert_questions")


@hooks.register("register_admin_viewset")
def register_expert_question_viewset():
    return expert_question_viewset


class UnreviewedArticlesView(ReportView):
    """Articles not reviewed for 12 months (or never): editors plan a review."""

    page_title = _("Not reviewed in 12 months")
    header_icon = "date"
    index_url_name = "knowledge_unreviewed"
    index_results_url_name = "knowledge_unreviewed_results"
    permission_policy = None
    columns = [
        TitleColumn(
            "title",
            label=_("Title"),
            url_name="wagtailadmin_pages:edit",
            sort_key="title",
        ),
        DateColumn("reviewed_on", label=_("Reviewed on"), sort_key="reviewed_on"),
        DateColumn("publication_date", label=_("Publication date"), sort_key="publication_date"),
        Column("status_string", label=_("Status")),
    ]
    list_export = ["title", "reviewed_on", "publication_date", "status_string"]
    export_headings = {"reviewed_on": _("Reviewed on"), "publication_date": _("Publication date")}
    default_ordering = "reviewed_on"

    def get_queryset(self):
        from django.db.models import Q

        return ExpertiseArticlePage.objects.filter(
            Q(reviewed_on__lt=review_cutoff()) | Q(reviewed_on__isnull=True)
        ).order_by("reviewed_on", "title")

    def get_filename(self):
        return "niet-herzien"


@hooks.register("register_admin_urls")
def register_unreviewed_report_urls():
    return [
        path(
            "reports/niet-herzien/", UnreviewedArticlesView.as_view(), name="knowledge_unreviewed"
        ),
        path(
            "reports/niet-herzien/results/",
            UnreviewedArticlesView.as_view(results_only=True),
            name="knowledge_unreviewed_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_unreviewed_report_menu_item():
    return MenuItem(
        _("Not reviewed in 12 months"),
        reverse("knowledge_unreviewed"),
        name="knowledge-unreviewed",
        icon_name="date",
        order=750,
    )
