"""RSS and Atom feeds of new expertise articles: all of them, and one per theme."""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from portal.mail import absolute_url

from . import selectors
from .models import ExpertiseArticlePage, Theme

FEED_SIZE = 20


class ArticlesFeed(Feed):
    """The newest articles of the knowledge centre (RSS 2.0)."""

    def get_object(self, request, slug: str = "") -> Theme | None:
        if not slug:
            return None
        theme = selectors.theme_by_slug(slug)
        if theme is None:
            raise Http404(_("This theme does not exist."))
        return theme

    def title(self, theme: Theme | None) -> str:
        if theme is None:
            return _("New articles – ZVH Brabant Zuidoost")
        return _("New articles on %(theme)s – ZVH Brabant Zuidoost") % {"theme": theme.name}

    def description(self, theme: Theme | None) -> str:
        return _("Expertise articles of the knowledge centre of the Zorg- en Veiligheidshuis.")

    def link(self, theme: Theme | None) -> str:
        page = theme.page if theme is not None else None
        return absolute_url(page.url if page is not None else "/")

    def items(self, theme: Theme | None):
        return selectors.newest_articles(theme=theme).prefetch_related("themes")[:FEED_SIZE]

    def item_title(self, item: ExpertiseArticlePage) -> str:
        return item.title

    def item_description(self, item: ExpertiseArticlePage) -> str:
        return item.summary

    def item_link(self, item: ExpertiseArticlePage) -> str:
        return absolute_url(item.url)

    def item_guid(self, item: ExpertiseArticlePage) -> str:
        return absolute_url(item.url)

    def item_pubdate(self, item: ExpertiseArticlePage) -> dt.datetime:
        # The publication date is a date; the feed needs a moment: midnight, local time.
        return dt.datetime.combine(
            item.publication_date, dt.time.min, tzinfo=timezone.get_current_timezone()
        )

    def item_updateddate(self, item: ExpertiseArticlePage) -> dt.datetime | None:
        return item.last_published_at

    def item_categories(self, item: ExpertiseArticlePage) -> list[str]:
        return [theme.name for theme in item.themes.all()]


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self, theme: Theme | None) -> str:
        return self.description(theme)
