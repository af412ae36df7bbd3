"""Database full-text backend: PostgreSQL tsvector or SQLite FTS5, same analysed text.

Both store the output of ``search.analysis`` (stems, in order, plus compound parts)
and match the stems the query parser produced, so they return the same documents.
Ranking differs only in the engine's formula (ts_rank vs. BM25); both weigh the
title above the body above compound parts.
"""

from collections.abc import Callable, Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.expressions import RawSQL

from knowledge.models import Theme

from .. import analysis
from ..documents import IndexedDoc
from ..models import SearchDocument
from ..query import Alt, Clause, Lexicon, ParsedQuery
from .base import FACETS, BackendResult, SearchBackend, SearchRequest

BATCH = 200


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def vendor(self) -> str:
        return connection.vendor

    # --- indexing ---------------------------------------------------------
    def index(self, docs: Iterable[IndexedDoc], lexicon: Lexicon) -> None:
        themes = dict(Theme.objects.values_list("slug", "pk"))
        for doc in docs:
            self._upsert(doc, lexicon, themes)

    def _upsert(self, doc: IndexedDoc, lexicon: Lexicon, themes: dict[str, int]) -> None:
        title, title_parts = analysis.analyse(doc.title, lexicon.vocabulary)
        body, body_parts = analysis.analyse(f"{doc.summary} {doc.body}", lexicon.vocabulary)
        parts = f"{title_parts} {body_parts}".strip()
        with transaction.atomic():
            row, _ = SearchDocument.objects.update_or_create(
                page_id=doc.page_id,
                defaults={
                    "content_type": doc.content_type,
                    "url": doc.url,
                    "title": doc.title[:255],
                    "summary": doc.summary,
                    "body": doc.body,
                    "kind": doc.kind,
                    "audience": doc.audience,
                    "date": doc.date,
                    "year": doc.year,
                    "analysed_title": title,
                    "analysed_body": body,
                    "analysed_parts": parts,
                },
            )
            row.themes.set([themes[s] for s in doc.themes if s in themes])
            self._write_fulltext(row.pk, title, body, parts)

    def _write_fulltext(self, pk: int, title: str, body: str, parts: str) -> None:
        if self.vendor == "postgresql":
            SearchDocument.objects.filter(pk=pk).update(
                search_vector=SearchVector(Value(title), weight="A", config="simple")
                + SearchVector(Value(body), weight="B", config="simple")
                + SearchVector(Value(parts), weight="C", config="simple")
            )
        elif self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [pk])
                cursor.execute(
                    "INSERT INTO search_fts (rowid, title, body, parts) VALUES (%s, %s, %s, %s)",
                    [pk, title, body, parts],
                )

    def delete(self, page_ids: Iterable[int]) -> None:
        rows = SearchDocument.objects.filter(page_id__in=list(page_ids))
        if self.vendor == "sqlite":
            pks = list(rows.values_list("pk", flat=True))
            with connection.cursor() as cursor:
                for pk in pks:
                    cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [pk])
        rows.delete()

    def rebuild(
        self, docs: Iterable[IndexedDoc], lexicon: Lexicon, progress: Callable[[int], None]
    ) -> int:
        # One transaction: readers keep seeing the old index until it commits.
        count = 0
        themes = dict(Theme.objects.values_list("slug", "pk"))
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM search_fts")
            for doc in docs:
                self._upsert(doc, lexicon, themes)
                count += 1
                progress(count)
        return count

    def indexed_ids(self) -> set[int]:
        return set(SearchDocument.objects.values_list("page_id", flat=True))

    # --- searching ----------------------------------------------------------
    def search(self, request: SearchRequest) -> BackendResult:
        if request.query.empty:
            # Browsing by filters only (e.g. "all articles on a theme"): newest first.
            matched = SearchDocument.objects.annotate(score=Value(0.0, output_field=FloatField()))
        else:
            matched = self._matching(request.query)
        filtered = matched.filter(_filter_q(request.filters))
        total = filtered.count()
        if request.sort == "date":
            ordered = filtered.order_by(F("date").desc(nulls_last=True), "-score", "pk")
        else:
            ordered = filtered.order_by("-score", F("date").desc(nulls_last=True), "pk")
        page_ids = list(
            ordered.values_list("page_id", flat=True)[
                request.offset : request.offset + request.limit
            ]
        )
        facets = {
            name: _facet_counts(matched.filter(_filter_q(request.filters, skip=name)), name)
            for name in (FACETS if request.facets else ())
        }
        docs = {
            row["page_id"]: row
            for row in SearchDocument.objects.filter(page_id__in=page_ids).values(
                "page_id", "title", "url", "summary", "body", "kind", "date"
            )
        }
        return BackendResult(page_ids=page_ids, total=total, facets=facets, docs=docs)

    def _matching(self, query: ParsedQuery):
        if self.vendor == "postgresql":
            tsquery = SearchQuery(to_tsquery(query), search_type="raw", config="simple")
            return SearchDocument.objects.filter(search_vector=tsquery).annotate(
                score=SearchRank(F("search_vector"), tsquery, weights=[0.05, 0.2, 0.4, 1.0])
            )
        if self.vendor == "sqlite":
            match = to_fts5(query)
            return SearchDocument.objects.filter(
                pk__in=RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [match])
            ).annotate(
                score=RawSQL(
                    "(SELECT -bm25(search_fts, 10.0, 2.0, 1.0) FROM search_fts "
                    "WHERE search_fts MATCH %s AND rowid = search_searchdocument.id)",
                    [match],
                    output_field=FloatField(),
                )
            )
        raise NotImplementedError(f"No full-text search for {self.vendor}")


def _filter_q(filters: dict[str, list[str]], skip: str = "") -> Q:
    q = Q()
    for name, values in filters.items():
        if name == skip or not values:
            continue
        if name == "theme":
            q &= Q(themes__slug__in=values)
        elif name == "year":
            q &= Q(year__in=[int(v) for v in values if str(v).isdigit()])
        else:
            q &= Q(**{f"{name}__in": values})
    return q


def _facet_counts(qs, name: str) -> dict[str, int]:
    field = {"theme": "themes__slug"}.get(name, name)
    rows = (
        qs.order_by().values(field).annotate(n=Count("pk", distinct=True)).values_list(field, "n")
    )
    return {str(value): n for value, n in rows if value not in (None, "")}


# --- query compilers ---------------------------------------------------------
def _ts_alt(alt: Alt) -> str:
    stems = [s for s in alt.stems if s]
    if alt.prefix:
        return f"{stems[-1]}:*"
    if len(stems) == 1:
        return stems[0]
    joiner = " <-> " if alt.phrase else " & "
    return "(" + joiner.join(stems) + ")"


def _ts_clause(clause: Clause) -> str:
    alts = [_ts_alt(a) for a in clause.alts if a.stems]
    return "(" + " | ".join(alts) + ")"


def to_tsquery(query: ParsedQuery) -> str:
    """PostgreSQL tsquery text; stems are [a-z0-9] only, so nothing needs escaping."""
    parts = [_ts_clause(c) for c in query.must]
    parts += ["!" + _ts_clause(c) for c in query.must_not]
    return " & ".join(parts)


def _fts_alt(alt: Alt) -> str:
    stems = [s for s in alt.stems if s]
    if alt.prefix:
        return f'"{stems[-1]}"*'
    if alt.phrase:
        return '"' + " ".join(stems) + '"'
    return "(" + " AND ".join(f'"{s}"' for s in stems) + ")"


def _fts_clause(clause: Clause) -> str:
    return "(" + " OR ".join(_fts_alt(a) for a in clause.alts if a.stems) + ")"


def to_fts5(query: ParsedQuery) -> str:
    """SQLite FTS5 MATCH expression; stems are quoted, so keywords cannot be injected."""
    text = " AND ".join(_fts_clause(c) for c in query.must)
    for clause in query.must_not:
        text = f"({text}) NOT {_fts_clause(clause)}"
    return text
