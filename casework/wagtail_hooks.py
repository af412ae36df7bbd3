from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PartnerKind


class PartnerKindViewSet(SnippetViewSet):
    model = PartnerKind
    icon = "group"
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name"]


register_snippet(PartnerKindViewSet)
