from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "short_name", "sort_order"]
    search_fields = ["name", "short_name"]
    add_to_admin_menu = True
    menu_order = 250


register_snippet(ThemeViewSet)
