from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import PartnerKind, PartnerOrganisation, Relatiebeheer


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
