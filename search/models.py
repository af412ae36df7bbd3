"""The search index (database backend), its vocabulary, synonyms and the query log."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel


class SearchDocument(models.Model):
    """One indexed public page: what a hit shows, and its text analysed by ``search.analysis``.

    ``analysed_*`` are computed in Python by the Dutch analyzer. SQLite keeps an FTS5
    table of them (``search_fts``, migration 0002, rowid = id); PostgreSQL keeps
    tsvectors of them in ``SearchEntry``. A search reads this table only for the ten
    hits of a page.
    """

    page_id = models.PositiveIntegerField(unique=True)
    content_type = models.CharField(max_length=100)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    analysed_title = models.TextField(blank=True)
    analysed_body = models.TextField(blank=True)
    analysed_parts = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        # Navigational queries look a title up by its analysed form (exact_titles).
        indexes = [models.Index(fields=["analysed_title"], name="search_doc_title_key")]

    def __str__(self) -> str:
        return self.title


class SearchEntry(models.Model):
    """What a search reads for *every* matching document, kept narrow on purpose.

    A query matches thousands of documents at 100k, and each matched row is read to
    rank it and count the facets. With the display text in the same row that cost
    ~14,000 heap pages for a 7,000-match query; in this table it is ~9,000, and the
    theme facet is counted from ``theme_ids`` without a join (docs/search.md,
    "100k documents"). ``title_vector`` serves the as-you-type suggestions, which
    match titles only.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="entry"
    )
    kind = models.CharField(max_length=40)
    audience = models.CharField(max_length=40, blank=True)
    date = models.DateField(null=True)
    year = models.PositiveSmallIntegerField(null=True)
    theme_ids = models.JSONField(default=list)  # knowledge.Theme ids
    search_vector = SearchVectorField(null=True)  # PostgreSQL: title A, body B, parts C
    title_vector = SearchVectorField(null=True)  # PostgreSQL: the title only

    class Meta:
        verbose_name = _("search entry")

    def __str__(self) -> str:
        return str(self.document_id)


class SearchTerm(models.Model):
    """The corpus vocabulary (folded words): decompounding and "did you mean"."""

    term = models.CharField(max_length=100, unique=True)
    doc_freq = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.term


class SynonymGroup(models.Model):
    """Words that mean the same, e.g. an acronym and what it stands for. Staff-managed."""

    terms = models.CharField(
        _("terms"),
        max_length=500,
        unique=True,
        help_text=_(
            "Separate the terms with '='. Example: HGKM = huiselijk geweld en kindermishandeling"
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [
        HelpPanel(
            content=_(
                "A search for any of these terms also finds the others. Works immediately, no re-indexing needed."
            )
        ),
        FieldPanel("terms"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonyms and acronyms")

    def __str__(self) -> str:
        return self.terms

    @property
    def members(self) -> list[str]:
        return [t.strip() for t in self.terms.split("=") if t.strip()]


class SearchQueryLog(models.Model):
    """What was searched and how many results came back: no user, no IP, no session."""

    query = models.CharField(_("query"), max_length=200, db_index=True)
    result_count = models.PositiveIntegerField(_("results"))
    searched_on = models.DateField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")

    def __str__(self) -> str:
        return self.query
