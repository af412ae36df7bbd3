"""Which pages enter the index, and what of them.

Only live, public pages of the content apps are indexed. Casework, newsletter
subscriptions and registrations are never pages of these apps and never enter.
A page type can shape its own document with a ``search_document()`` method returning
a dict with any of the keys of ``IndexedDoc`` (events will use this).
"""

import datetime
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from wagtail import blocks
from wagtail.models import Page, PageViewRestriction

# App labels whose pages may be indexed. Anything else (casework, newsletter, ...) never is.
INDEXED_APPS = frozenset({"portal", "knowledge", "events"})
BODY_LIMIT = 200_000  # characters of body text kept (long PDFs)


@dataclass
class IndexedDoc:
    page_id: int
    content_type: str
    url: str
    title: str
    summary: str = ""
    body: str = ""
    kind: str = "pagina"
    audience: str = ""
    date: datetime.date | None = None
    themes: list[str] = field(default_factory=list)  # theme slugs

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


def is_indexable(page: Page) -> bool:
    """Live, not expired, public (no view restriction on it or an ancestor), our apps."""
    if not page.live or page.expired or page.depth < 2:
        return False
    if page.specific_class is None or page.specific_class._meta.app_label not in INDEXED_APPS:
        return False
    return not PageViewRestriction.objects.filter(
        page__in=page.get_ancestors(inclusive=True)
    ).exists()


def _block_text(block, value) -> list[str]:
    """Searchable text of a block, without choice labels (a heading's "Niveau 2")."""
    if value is None or isinstance(block, blocks.ChoiceBlock):
        return []
    if isinstance(block, blocks.StreamBlock):
        return [t for child in value for t in _block_text(child.block, child.value)]
    if isinstance(block, blocks.StructBlock):
        return [
            t
            for name, child in block.child_blocks.items()
            for t in _block_text(child, value.get(name))
        ]
    if isinstance(block, blocks.ListBlock):
        return [t for item in value for t in _block_text(block.child_block, item)]
    return list(block.get_searchable_content(value))


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "stream_block"):  # a StreamValue
        return " ".join(_block_text(value.stream_block, value))
    return strip_tags(str(value))


def build_document(page: Page) -> IndexedDoc:
    page = page.specific
    custom = page.search_document() if hasattr(page, "search_document") else {}
    themes = []
    if hasattr(page, "themes"):
        themes = list(page.themes.values_list("slug", flat=True))
    elif getattr(page, "theme_id", None):
        themes = [page.theme.slug]
    kind = {
        "expertisearticlepage": getattr(page, "kind", "") or "achtergrond",
        "publicationpage": "publicatie",
        "themepage": "thema",
        "eventpage": "evenement",
    }.get(page._meta.model_name, "pagina")
    summary = getattr(page, "summary", "") or getattr(page, "introduction", "") or ""
    parts = [
        getattr(page, "introduction", "") if summary != getattr(page, "introduction", "") else "",
        _text(getattr(page, "body", None)),
        getattr(page, "extracted_text", "") or "",
    ]
    if page._meta.model_name == "themepage":
        if page.theme.description not in (summary, page.introduction):
            parts.append(page.theme.description)
        parts.append(page.theme.short_name)
    published = getattr(page, "publication_date", None) or (
        page.first_published_at.date() if page.first_published_at else None
    )
    values = {
        "page_id": page.pk,
        "content_type": page._meta.label_lower,
        "url": page.url or "",
        "title": page.title,
        "summary": strip_tags(summary),
        "body": " ".join(p for p in parts if p)[:BODY_LIMIT],
        "kind": kind,
        # The audience facet uses the article's audience codes; other page types
        # (an event's free-text audience) have none.
        "audience": (getattr(page, "audience", "") or "")
        if page._meta.model_name == "expertisearticlepage"
        else "",
        "date": published,
        "themes": themes,
    }
    values.update(custom)
    return IndexedDoc(**values)
