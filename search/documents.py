"""What enters the index, and what of it.

Live, public pages of the content apps are indexed: every page type of ``portal``,
``knowledge`` and ``events``, and of ``newsletter`` the archive page and the issues
that were sent (an issue not sent yet is not in the public archive either). Casework,
newsletter subscribers, registrations and expert questions are never pages of these
apps and never enter. Experts are snippets, not pages: each active expert is indexed
as a document of its own that links to the expert's profile (``build_expert_document``).
A page type can shape its own document with a ``search_document()`` method returning
a dict with any of the keys of ``IndexedDoc``, and ``extra_body``: text the page shows
besides its body, appended to it (events use both; theme pages set ``listing``).
"""

import datetime
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from wagtail import blocks
from wagtail.models import Page, PageViewRestriction

from . import analysis

# App labels whose pages may be indexed. Anything else (casework, ...) never is.
INDEXED_APPS = frozenset({"portal", "knowledge", "events", "newsletter"})
BODY_LIMIT = 200_000  # characters of body text kept (long PDFs)
# The index is keyed by page id. An expert is no page, so its document id is this
# offset plus the expert's id: far above any page id a Wagtail site reaches, and
# below the 2**31 the index's integer column holds.
EXPERT_ID_OFFSET = 1_000_000_000
KINDS = {
    "publicationpage": "publicatie",
    "themepage": "thema",
    "eventpage": "evenement",
    "newsletterissuepage": "nieuwsbrief",
}


# Relevance is multiplied by this for a document of the kind (1 for the others). An
# expert's document is a short list of labels (function, themes, expertise): full-text
# ranking, which favours short documents, put five experts whose function is
# *procesregisseur* above the article on the role. Her name still opens her profile
# first (navigation.py); this only weighs topical matches.
KIND_RANK_FACTORS = {"expert": 0.5}


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
    # The titles of the sections above the page (below the home page): matched with the
    # weight of a compound part, never shown. "trainingen voor procesregisseurs" finds
    # the intervisie in *Trainingen & bijeenkomsten* that never says "training".
    section: str = ""
    # The titles of the pages the page lists (a theme page: its articles and
    # publications), at the same lowest weight, never shown: "meldcode" finds the theme
    # page *Huiselijk geweld en kindermishandeling*, whose list shows the guide on it.
    listing: str = ""

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def text(self) -> str:
        return document_text(self.title, self.summary, self.body)


def analysed_parts(doc: IndexedDoc, vocabulary: frozenset[str], *parts: str) -> str:
    """The lowest-weighted analysed text of a document (every backend): the compound
    parts of its title and body, then its sections' titles and the titles it lists,
    with their parts."""
    context, context_parts = analysis.analyse(f"{doc.section} {doc.listing}", vocabulary)
    return " ".join(p for p in (*parts, context, context_parts) if p)


def document_text(title: str, summary: str, body: str) -> str:
    """All the words of a document, as the vocabulary counts them."""
    return f"{title} {summary} {body}"


def is_indexable(page: Page) -> bool:
    """Live, not expired, public (no view restriction on it or an ancestor), our apps."""
    if not page.live or page.expired or page.depth < 2:
        return False
    if page.specific_class is None or page.specific_class._meta.app_label not in INDEXED_APPS:
        return False
    # Published ahead of sending, an issue stays out of the archive until it is sent.
    is_issue = page.specific_class._meta.model_name == "newsletterissuepage"
    if is_issue and getattr(page.specific_deferred, "sent_at", None) is None:
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
    extra_body = custom.pop("extra_body", "")
    themes = []
    if hasattr(page, "themes"):
        themes = list(page.themes.values_list("slug", flat=True))
    elif getattr(page, "theme_id", None):
        themes = [page.theme.slug]
    kind = KINDS.get(page._meta.model_name, "pagina")
    if page._meta.model_name == "expertisearticlepage":
        kind = getattr(page, "kind", "") or "achtergrond"
    summary = (
        getattr(page, "summary", "")
        or getattr(page, "introduction", "")
        or getattr(page, "preheader", "")
        or ""
    )
    parts = [
        getattr(page, "introduction", "") if summary != getattr(page, "introduction", "") else "",
        _text(getattr(page, "body", None)),
        getattr(page, "extracted_text", "") or "",
        extra_body,
    ]
    if page._meta.model_name == "themepage":
        if page.theme.description not in (summary, page.introduction):
            parts.append(page.theme.description)
        parts.append(page.theme.short_name)
    if getattr(page, "show_contact_details", False):
        parts.append(_contact_details(page))
    sent_at = getattr(page, "sent_at", None)
    published = (
        getattr(page, "publication_date", None)
        or (sent_at.date() if sent_at else None)
        or (page.first_published_at.date() if page.first_published_at else None)
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
        "section": " ".join(a.title for a in page.get_ancestors().filter(depth__gte=3)),
    }
    values.update(custom)
    return IndexedDoc(**values)


def _contact_details(page: Page) -> str:
    """The organisation's contact details a contact page shows from the site settings,
    so "telefoonnummer" or "bezoekadres" finds the page that shows them."""
    from portal.models import ContactSettings

    site = page.get_site()
    if site is None:
        return ""
    details = ContactSettings.for_site(site)
    return " ".join(
        str(value)
        for value in (
            details.organisation_name,
            details.visiting_address,
            details.postal_address,
            details.phone,
            details.email,
            details.opening_hours,
        )
        if value
    )


def expert_document_id(expert_id: int) -> int:
    return EXPERT_ID_OFFSET + expert_id


def build_expert_document(expert) -> IndexedDoc:
    """An expert as a search hit: name, function, organisation, expertise and themes.

    The hit opens the expert's profile. The work e-mail address is not shown on the
    site and is not indexed.
    """
    themes = list(expert.themes.all())
    function = ", ".join(v for v in (expert.job_title, expert.organisation) if v)
    body = [
        str(expert.get_role_display()),
        expert.biography,
        *(theme.name for theme in themes),
        *(theme.short_name for theme in themes if theme.short_name),
        expert.basisteam.name if expert.basisteam_id else "",
    ]
    return IndexedDoc(
        page_id=expert_document_id(expert.pk),
        content_type="knowledge.expert",
        url=expert.get_absolute_url(),
        title=expert.name,
        summary=function,
        body=" ".join(p for p in body if p)[:BODY_LIMIT],
        kind="expert",
        themes=[theme.slug for theme in themes],
    )
