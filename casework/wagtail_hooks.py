from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import PartnerKind, PartnerOrganisation, Prognosis, Relatiebeheer
from .roles import has_role_perm


class PartnerKindViewSet(SnippetViewSet):
    model = PartnerKind
    icon = "group"
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name"]


class PartnerOrganisationViewSet(SnippetViewSet):
    model = PartnerOrganisation
    icon = "group"
    list_display = ["name", "kind", "municipality", "department", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class RelatiebeheerViewSet(SnippetViewSet):
    """Relatiemanagement: which procesregisseur holds which basisteam or municipality."""

    model = Relatiebeheer
    icon = "user"
    list_display = ["regisseur", "basisteam", "municipality"]


class CaseworkViewSetGroup(SnippetViewSetGroup):
    items = (PartnerKindViewSet, PartnerOrganisationViewSet, RelatiebeheerViewSet)
    menu_icon = "group"
    menu_label = "Partners"
    menu_name = "casework"


register_snippet(CaseworkViewSetGroup)


class PrognosisViewSet(SnippetViewSet):
    """The year plan's expected new registrations per kind, against which the report compares."""

    model = Prognosis
    icon = "table"
    menu_label = _("Prognoses")
    menu_order = 291
    add_to_admin_menu = True
    list_display = ["year", "kind", "expected"]
    list_filter = ["year", "kind"]


register_snippet(PrognosisViewSet)

report_urls = [
    path("", admin_views.report, name="report"),
    path("export.<str:fmt>", admin_views.report_export, name="report_export"),
]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("jaarrapportage/", include((report_urls, "casework_admin")))]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        # A role permission, never implied by superuser status (see casework.roles).
        return has_role_perm(request.user, "view_all_cases")


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    return ReportMenuItem(
        _("Annual report"), reverse("casework_admin:report"), icon_name="table", order=290
    )
