from django.db.models import Count, Max
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SearchQueryLog, SynonymGroup


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Synonyms and acronyms")
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]
    add_to_admin_menu = True
    menu_order = 253


register_snippet(SynonymGroupViewSet)


class SearchQueriesReport(ReportView):
    """Top queries of the last 90 days; ``?zero=1`` shows only queries that found nothing."""

    header_icon = "search"
    index_url_name = "search_queries_report"
    index_results_url_name = "search_queries_report_results"
    permission_policy = None
    paginate_by = 50
    columns = [
        Column("query", label=_("Query")),
        NumberColumn("searches", label=_("Searches")),
        NumberColumn("results", label=_("Results (last)")),
    ]
    list_export = ["query", "searches", "results"]

    @property
    def zero_only(self) -> bool:
        return self.request.GET.get("zero") == "1"

    @property
    def page_title(self):
        return _("Searches without results") if self.zero_only else _("Top searches")

    def get_queryset(self):
        logs = SearchQueryLog.objects.all()
        if self.zero_only:
            logs = logs.filter(result_count=0)
        return (
            logs.values("query")
            .annotate(searches=Count("id"), results=Max("result_count"))
            .order_by("-searches", "query")
        )

    def get_filename(self):
        return "zoekopdrachten"


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path(
            "reports/zoekopdrachten/", SearchQueriesReport.as_view(), name="search_queries_report"
        ),
        path(
            "reports/zoekopdrachten/results/",
            SearchQueriesReport.as_view(results_only=True),
            name="search_queries_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_top_searches_menu_item():
    return MenuItem(
        _("Top searches"),
        reverse("search_queries_report"),
        name="top-searches",
        icon_name="search",
        order=760,
    )


@hooks.register("register_reports_menu_item")
def register_zero_result_menu_item():
    return MenuItem(
        _("Searches without results"),
        reverse("search_queries_report") + "?zero=1",
        name="zero-result-searches",
        icon_name="search",
        order=761,
    )
