"""Database full-text backend: PostgreSQL tsvector or SQLite FTS5, same analysed text.

Both store the output of ``search.analysis`` (stems, in order, plus compound parts)
and match the stems the query parser produced, so they return the same documents.
Ranking differs only in the engine's formula (ts_rank vs. BM25); both weigh the
title above the body above compound parts.
"""

import datetime
from collections.abc import Callable, Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, FloatField, Value

from knowledge.models import Theme
from portal.ids import parse_id

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
        """Replace the index in batches: a few statements per BATCH documents.

        One transaction: readers keep seeing the old index until it commits.
        """
        count = 0
        themes = dict(Theme.objects.values_list("slug", "pk"))
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM search_fts")
            batch: list[IndexedDoc] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= BATCH:
                    count = self._insert_batch(batch, lexicon, themes, count, progress)
                    batch = []
            if batch:
                count = self._insert_batch(batch, lexicon, themes, count, progress)
        return count

    def _insert_batch(self, batch, lexicon: Lexicon, themes, count: int, progress) -> int:
        rows, doc_themes = [], []
        for doc in batch:
            title, title_parts = analysis.analyse(doc.title, lexicon.vocabulary)
            body, body_parts = analysis.analyse(f"{doc.summary} {doc.body}", lexicon.vocabulary)
            rows.append(
                SearchDocument(
                    page_id=doc.page_id,
                    content_type=doc.content_type,
                    url=doc.url,
                    title=doc.title[:255],
                    summary=doc.summary,
                    body=doc.body,
                    kind=doc.kind,
                    audience=doc.audience,
                    date=doc.date,
                    year=doc.year,
                    analysed_title=title,
                    analysed_body=body,
                    analysed_parts=f"{title_parts} {body_parts}".strip(),
                )
            )
            doc_themes.append([themes[s] for s in doc.themes if s in themes])
        created = SearchDocument.objects.bulk_create(rows)  # ids come back (RETURNING)
        through = SearchDocument.themes.through
        through.objects.bulk_create(
            [
                through(searchdocument_id=row.pk, theme_id=theme_id)
                for row, ids in zip(created, doc_themes, strict=True)
                for theme_id in ids
            ]
        )
        pks = [row.pk for row in created]
        if self.vendor == "postgresql":
            # The same weighted 'simple' vector as _write_fulltext, computed in the database.
            SearchDocument.objects.filter(pk__in=pks).update(
                search_vector=SearchVector("analysed_title", weight="A", config="simple")
                + SearchVector("analysed_body", weight="B", config="simple")
                + SearchVector("analysed_parts", weight="C", config="simple")
            )
        elif self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO search_fts (rowid, title, body, parts) VALUES (%s, %s, %s, %s)",
                    [(r.pk, r.analysed_title, r.analysed_body, r.analysed_parts) for r in created],
                )
        for _ in created:
            count += 1
            progress(count)
        return count

    def indexed_ids(self) -> set[int]:
        return set(SearchDocument.objects.values_list("page_id", flat=True))

    # --- searching ----------------------------------------------------------
    def search(self, request: SearchRequest) -> BackendResult:
        """One statement: the match is computed once, then ranked, counted and faceted.

        The matched rows (id, facet fields, date, score and one flag per facet filter)
        are materialised; the page of hits, the total and the four disjunctive facets
        are read from them. Each facet counts the rows that pass every *other* filter,
        so its own selection does not shrink its counts.
        """
        if request.query.empty:
            # Browsing by filters only (e.g. "all articles on a theme"): newest first.
            matched = SearchDocument.objects.annotate(score=Value(0.0, output_field=FloatField()))
        else:
            matched = self._matching(request.query)
        sql, params = (
            matched.order_by()
            .values("id", "kind", "audience", "year", "date", "score")
            .query.sql_with_params()
        )
        flags, flag_params = _filter_flags(request.filters)
        table = SearchDocument._meta.db_table
        through = SearchDocument.themes.through._meta.db_table
        theme_table = Theme._meta.db_table
        every = " AND ".join(f"f_{name}" for name in FACETS)
        if request.sort == "date":
            order = "date DESC NULLS LAST, score DESC, id"
        else:
            order = "score DESC, date DESC NULLS LAST, id"
        parts = [
            f"WITH f AS MATERIALIZED (SELECT m.*, {', '.join(flags)} FROM ({sql}) m), "  # noqa: S608 (model table names; values bound)
            f"hits AS (SELECT id, score FROM f WHERE {every} ORDER BY {order} LIMIT %s OFFSET %s) "
            # Typed NULLs: the first branch fixes the column types of the union.
            "SELECT 'hit', CAST(NULL AS TEXT), CAST(NULL AS BIGINT), h.score, h.id, d.page_id, "
            f"d.title, d.url, d.summary, d.body, d.kind, d.date FROM hits h JOIN {table} d "
            "ON d.id = h.id UNION ALL SELECT 'total', NULL, COUNT(*), "
            f"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM f WHERE {every}"
        ]
        if request.facets:

            def counted(name: str) -> str:
                others = " AND ".join(f"f_{o}" for o in FACETS if o != name)
                return f"COUNT(*) FILTER (WHERE {others})"

            rest = ", ".join(["NULL"] * 9)
            parts += [
                f"SELECT 'kind', kind, {counted('kind')}, {rest} FROM f GROUP BY kind",  # noqa: S608 (constant SQL)
                f"SELECT 'audience', audience, {counted('audience')}, {rest} "  # noqa: S608 (constant SQL)
                "FROM f GROUP BY audience",
                f"SELECT 'year', CAST(year AS TEXT), {counted('year')}, {rest} FROM f GROUP BY year",  # noqa: S608 (constant SQL)
                f"SELECT 'theme', t.slug, {counted('theme')}, {rest} FROM f "  # noqa: S608 (model table names)
                f"JOIN {through} dt ON dt.searchdocument_id = f.id "
                f"JOIN {theme_table} t ON t.id = dt.theme_id GROUP BY t.slug",
            ]
        query = " UNION ALL ".join(parts)
        rows, total = [], 0
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS} if request.facets else {}
        with connection.cursor() as cursor:
            # The flags precede the subquery in the text, so their values come first.
            cursor.execute(query, [*flag_params, *params, request.limit, request.offset])
            for section, value, number, *hit in cursor.fetchall():
                if section == "hit":
                    rows.append(_hit_row(hit))
                elif section == "total":
                    total = number
                elif value not in (None, "") and number:
                    facets[section][str(value)] = number
        _sort_hits(rows, request.sort)
        docs = {row["page_id"]: row for row in rows}
        return BackendResult(
            page_ids=[row["page_id"] for row in rows], total=total, facets=facets, docs=docs
        )

    def _matching(self, query: ParsedQuery):
        if self.vendor == "postgresql":
            tsquery = SearchQuery(to_tsquery(query), search_type="raw", config="simple")
            return SearchDocument.objects.filter(search_vector=tsquery).annotate(
                score=SearchRank(F("search_vector"), tsquery, weights=[0.05, 0.2, 0.4, 1.0])
            )
        if self.vendor == "sqlite":
            # A join with the FTS5 table: one MATCH for the whole query, BM25 read from
            # it (a correlated subquery ran the MATCH again for every row).
            table = SearchDocument._meta.db_table
            return SearchDocument.objects.extra(  # noqa: S610 (constant SQL, parameters bound)
                select={"score": "-bm25(search_fts, 10.0, 2.0, 1.0)"},
                tables=["search_fts"],
                where=["search_fts MATCH %s", f"search_fts.rowid = {table}.id"],
                params=[to_fts5(query)],
            )
        raise NotImplementedError(f"No full-text search for {self.vendor}")


def _filter_flags(filters: dict[str, list[str]]) -> tuple[list[str], list]:
    """One boolean column per facet: does the row pass that facet's filter?"""
    through = SearchDocument.themes.through._meta.db_table
    theme_table = Theme._meta.db_table
    flags, params = [], []
    for name in FACETS:
        values = [v for v in filters.get(name, []) if v]
        if not values:
            flags.append(f"1 = 1 AS f_{name}")
            continue
        if name == "year":
            values = [year for year in map(parse_id, values) if year]
        marks = ", ".join(["%s"] * len(values)) or "NULL"
        if name == "theme":
            flags.append(
                f"EXISTS (SELECT 1 FROM {through} dt JOIN {theme_table} t "  # noqa: S608 (model table names; values bound)
                "ON t.id = dt.theme_id WHERE dt.searchdocument_id = m.id "
                f"AND t.slug IN ({marks})) AS f_theme"
            )
        else:
            flags.append(f"m.{name} IN ({marks}) AS f_{name}")
        params.extend(values)
    return flags, params


def _hit_row(hit: list) -> dict:
    score, doc_id, page_id, title, url, summary, body, kind, date = hit
    if isinstance(date, str):  # SQLite returns text from raw SQL
        date = datetime.date.fromisoformat(date)
    return {
        "page_id": page_id,
        "score": score,
        "id": doc_id,
        "title": title,
        "url": url,
        "summary": summary,
        "body": body,
        "kind": kind,
        "date": date,
    }


def _sort_hits(rows: list[dict], sort: str) -> None:
    """UNION ALL does not keep the hits' order: restore it (the same keys as the SQL)."""

    def newest(row):
        return -row["date"].toordinal() if row["date"] else 1

    if sort == "date":
        rows.sort(key=lambda r: (newest(r), -r["score"], r["id"]))
    else:
        rows.sort(key=lambda r: (-r["score"], newest(r), r["id"]))


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
