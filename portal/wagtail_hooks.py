from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Basisteam, Municipality


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
