from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Basisteam, Municipality
from .views import OutboxIndexView, OutboxMessageView, outbox_visible_to


class BasisteamViewSet(SnippetViewSet):
    model = Basisteam
    icon = "group"
    list_display = ["name"]
    search_fields = ["name"]


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "site"
    list_display = ["name", "basisteam_names"]
    list_filter = ["basisteams"]
    search_fields = ["name"]


class RegionViewSetGroup(SnippetViewSetGroup):
    items = (MunicipalityViewSet, BasisteamViewSet)
    menu_icon = "site"
    menu_label = _("Region")
    menu_name = "region"


register_snippet(RegionViewSetGroup)


class OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return outbox_visible_to(request.user)


@hooks.register("register_admin_urls")
def register_outbox_urls():
    urls = [
        path("", OutboxIndexView.as_view(), name="index"),
        path("<str:message_id>/", OutboxMessageView.as_view(), name="message"),
    ]
    return [path("demo-outbox/", include((urls, "portal_outbox")))]


@hooks.register("register_admin_menu_item")
def register_outbox_menu_item():
    return OutboxMenuItem(
        _("Sent e-mail (demo)"),
        reverse_lazy("portal_outbox:index"),
        name="demo-outbox",
        icon_name="mail",
        order=10000,
    )
