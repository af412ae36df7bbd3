"""Reads of the knowledge app that other apps need.

Themes are the portal's shared vocabulary: events, newsletter issues, subscriptions
and search facets are all filed by theme. Other apps read themes, experts and the
labels of article kinds and audiences here instead of querying knowledge's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import (
    ArticleKind,
    Audience,
    Expert,
    ExpertiseArticlePage,
    KnowledgeIndexPage,
    Theme,
    ThemePage,
    ThemeSection,
)

if TYPE_CHECKING:
    from wagtail.query import PageQuerySet

__all__ = [
    "ThemeSection",
    "active_experts",
    "article_kind_labels",
    "audience_labels",
    "experts_with_slugs",
    "knowledge_index",
    "newest_articles",
    "theme_by_slug",
    "theme_ids_by_slug",
    "theme_labels",
    "theme_pages",
    "theme_table",
    "themes",
    "themes_with_slugs",
]


def themes() -> QuerySet[Theme]:
    """Every theme, in the editors' order."""
    return Theme.objects.order_by("sort_order", "name")


def themes_with_slugs(slugs: Iterable[str]) -> QuerySet[Theme]:
    return themes().filter(slug__in=list(slugs))


def theme_by_slug(slug: str) -> Theme | None:
    return Theme.objects.filter(slug=slug).first()


def theme_ids_by_slug() -> dict[str, int]:
    return dict(Theme.objects.values_list("slug", "pk"))


def theme_labels() -> dict[str, str]:
    """Slug to display name, for facet labels."""
    return dict(Theme.objects.values_list("slug", "name"))


def theme_table() -> str:
    """The themes' table, for the database search backend's SQL facet counts (a join
    the ORM cannot express inside its full-text query)."""
    return Theme._meta.db_table


def knowledge_index() -> KnowledgeIndexPage | None:
    """The live, public "Kennis & expertise" section, for links from elsewhere."""
    index: KnowledgeIndexPage | None = KnowledgeIndexPage.objects.live().public().first()
    return index


def theme_pages() -> PageQuerySet:
    """Live, public theme pages in tree order."""
    return ThemePage.objects.live().public().order_by("path")


def newest_articles(*, theme: Theme | None = None) -> PageQuerySet:
    """Live, public expertise articles, newest first (by publication date, then by
    when they went live): the home page's list and the article feeds."""
    articles = ExpertiseArticlePage.objects.live().public()
    if theme is not None:
        articles = articles.filter(themes=theme)
    return articles.order_by("-publication_date", "-first_published_at", "-pk")


def active_experts() -> QuerySet[Expert]:
    """The experts the site shows (the experts page lists the active ones), with their
    themes and region: the search index offers these and no others."""
    experts: QuerySet[Expert] = (
        Expert.objects.filter(active=True).select_related("basisteam").prefetch_related("themes")
    )
    return experts


def experts_with_slugs(slugs: Iterable[str]) -> QuerySet[Expert]:
    # Expert is a modelcluster model, which the stubs cannot see as a Django model.
    experts: QuerySet[Expert] = Expert.objects.filter(slug__in=list(slugs))
    return experts


def article_kind_labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in ArticleKind.choices}


def audience_labels() -> dict[str, str]:
    return {audience: str(label) for audience, label in Audience.choices}
