"""Database full-text backend: PostgreSQL tsvector or SQLite FTS5, same analysed text.

Both store the output of ``search.analysis`` (stems, in order, plus compound parts)
and match the stems the query parser produced, so they return the same documents.
Ranking differs only in the engine's formula (ts_rank vs. BM25); both weigh the
title above the body above compound parts.
"""

import datetime
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction

from knowledge import selectors as knowledge_selectors
from portal.ids import parse_id

from .. import analysis
from ..documents import KIND_RANK_FACTORS, IndexedDoc, analysed_parts, document_text
from ..models import SearchDocument, SearchEntry
from ..query import Clause, Lexicon, ParsedQuery
from .base import FACETS, BackendResult, SearchBackend, SearchRequest, Suggestion
from .match_text import fts_any, fts_clause, to_fts5, to_tsquery, ts_any, ts_clause

BATCH = 200


DOCUMENT = SearchDocument._meta.db_table
ENTRY = SearchEntry._meta.db_table
THEME = knowledge_selectors.theme_table()
# ts_rank weights for D, C, B, A: title (A) above body (B) above compound parts (C).
TS_WEIGHTS = "'{0.05,0.2,0.4,1.0}'"
SQLITE_BM25 = "bm25(search_fts, 10.0, 2.0, 1.0)"  # title, body, parts
TITLE_FACTOR = 2  # a hit with a word of the query in its title: score times this
# documents.KIND_RANK_FACTORS on the row ``e`` (constants from code, not input)
KIND_FACTOR_SQL = (
    "(CASE "
    + " ".join(
        f"WHEN e.kind = '{kind}' THEN {factor}" for kind, factor in KIND_RANK_FACTORS.items()
    )
    + " ELSE 1 END)"
)
# PostgreSQL's tsvectors of a SearchDocument ``d`` ('simple' configuration: the text
# is analysed already, no second stemming).
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple', d.analysed_title), 'A') "
    "|| setweight(to_tsvector('simple', d.analysed_body), 'B') "
    "|| setweight(to_tsvector('simple', d.analysed_parts), 'C')"
)
TITLE_VECTOR_SQL = "to_tsvector('simple', d.analysed_title)"
ENTRY_FIELDS = ["kind", "audience", "date", "year", "theme_ids"]  # besides the tsvectors


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def vendor(self) -> str:
        return connection.vendor

    # --- indexing ---------------------------------------------------------
    def index(self, docs: Iterable[IndexedDoc], lexicon: Lexicon) -> None:
        themes = knowledge_selectors.theme_ids_by_slug()
        for doc in docs:
            self._upsert(doc, lexicon, themes)

    def _upsert(self, doc: IndexedDoc, lexicon: Lexicon, themes: dict[str, int]) -> None:
        with transaction.atomic():
            row, _ = SearchDocument.objects.update_or_create(
                page_id=doc.page_id, defaults=_document_fields(doc, lexicon)
            )
            self._write_entries([row], [_entry_fields(doc, themes)])
            self._write_fts5([row.pk])

    def _write_entries(self, rows: list[SearchDocument], entries: list[dict[str, Any]]) -> None:
        """Insert or replace the ``SearchEntry`` of each document, in one statement.

        PostgreSQL computes the tsvectors from the analysed columns just written, in
        the same INSERT … SELECT. Measured for a rebuild of 100k documents: 37 s with
        an UPDATE afterwards (which leaves a dead copy of every row), 89 s with the
        vectors as expressions in ``bulk_create`` (the text sent twice, four
        expressions compiled per row); 20 s this way.
        """
        if self.vendor != "postgresql":
            SearchEntry.objects.bulk_create(
                [
                    SearchEntry(document_id=row.pk, **fields)
                    for row, fields in zip(rows, entries, strict=True)
                ],
                update_conflicts=True,
                unique_fields=["document"],
                update_fields=ENTRY_FIELDS,
            )
            return
        columns: dict[str, list[Any]] = {"id": [row.pk for row in rows]}
        for name in ("kind", "audience", "date", "year"):
            columns[name] = [entry[name] for entry in entries]
        columns["theme_ids"] = [json.dumps(entry["theme_ids"]) for entry in entries]
        replaced = ", ".join(
            f"{name} = EXCLUDED.{name}" for name in [*ENTRY_FIELDS, "search_vector", "title_vector"]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ENTRY} (document_id, kind, audience, date, year, theme_ids, "  # noqa: S608 (model table names; values bound)
                f"search_vector, title_vector) SELECT d.id, v.kind, v.audience, v.date, v.year, "
                f"CAST(v.theme_ids AS jsonb), {SEARCH_VECTOR_SQL}, {TITLE_VECTOR_SQL} "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::date[], %s::int[], "
                "%s::text[]) AS v(id, kind, audience, date, year, theme_ids) "
                f"JOIN {DOCUMENT} d ON d.id = v.id "
                f"ON CONFLICT (document_id) DO UPDATE SET {replaced}",
                [columns[name] for name in ("id", "kind", "audience", "date", "year", "theme_ids")],
            )

    def _write_fts5(self, pks: list[int]) -> None:
        """SQLite: the FTS5 rows of these documents, from their analysed text."""
        if self.vendor != "sqlite":
            return
        marks = ", ".join(["%s"] * len(pks))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", pks)  # noqa: S608
            cursor.execute(
                "INSERT INTO search_fts (rowid, title, body, parts) "  # noqa: S608
                f"SELECT id, analysed_title, analysed_body, analysed_parts FROM {DOCUMENT} "
                f"WHERE id IN ({marks})",
                pks,
            )

    def stored_texts(self, page_ids: Iterable[int]) -> dict[int, str]:
        rows = SearchDocument.objects.filter(page_id__in=list(page_ids))
        return {
            page_id: document_text(title, summary, body)
            for page_id, title, summary, body in rows.values_list(
                "page_id", "title", "summary", "body"
            )
        }

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
        themes = knowledge_selectors.theme_ids_by_slug()
        with transaction.atomic():
            SearchEntry.objects.all().delete()
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
        # Fresh statistics for the planner: until autovacuum gets to the new rows it
        # guessed a title shared by hundreds of documents and walked the primary key for
        # a navigational lookup (55 ms at 100k documents against 0.05 ms after ANALYZE).
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {DOCUMENT}, {ENTRY}" if self.vendor == "postgresql" else "ANALYZE"
            )
        return count

    def _insert_batch(
        self,
        batch: list[IndexedDoc],
        lexicon: Lexicon,
        themes: dict[str, int],
        count: int,
        progress: Callable[[int], None],
    ) -> int:
        rows = [
            SearchDocument(page_id=doc.page_id, **_document_fields(doc, lexicon)) for doc in batch
        ]
        created = SearchDocument.objects.bulk_create(rows)  # ids come back (RETURNING)
        self._write_entries(created, [_entry_fields(doc, themes) for doc in batch])
        self._write_fts5([row.pk for row in created])
        for _ in created:
            count += 1
            progress(count)
        return count

    # --- searching ----------------------------------------------------------
    def search(self, request: SearchRequest) -> BackendResult:
        """One statement: the match is computed once, then ranked, counted and faceted.

        The matched rows of the narrow ``SearchEntry`` table (id, facet fields, date,
        score and one flag per facet filter) are materialised; the page of hits, the
        total and the four disjunctive facets are read from them. Each facet counts
        the rows that pass every *other* filter, so its own selection does not shrink
        its counts. Only the hits of this page are read from ``SearchDocument``.
        """
        matched, params = self._matching(request.query, request.minimum_match, request.theme_focus)
        flags, flag_params = self._filter_flags(request.filters)
        every = " AND ".join(f"f_{name}" for name in FACETS)
        if request.sort == "date":
            order = "date DESC NULLS LAST, score DESC, id"
        else:
            order = "score DESC, date DESC NULLS LAST, id"
        parts = [
            f"WITH f AS MATERIALIZED (SELECT m.*, {', '.join(flags)} FROM ({matched}) m), "  # noqa: S608 (model table names; values bound)
            "hits AS (SELECT id, score, kind, date, mask, theme_ids FROM f "
            f"WHERE {every} ORDER BY {order} LIMIT %s OFFSET %s) "
            # Typed NULLs: the first branch fixes the column types of the union. A hit's
            # second column is its theme slugs, its third the mask of the clauses it matched.
            f"SELECT 'hit', {self._theme_slugs('h')}, CAST(h.mask AS BIGINT), h.score, h.id, d.page_id, "
            f"d.title, d.url, d.summary, d.body, h.kind, h.date FROM hits h JOIN {DOCUMENT} d "
            "ON d.id = h.id UNION ALL SELECT 'total', NULL, COUNT(*), "
            f"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM f WHERE {every}"
        ]
        if request.facets:

            def counted(name: str) -> str:
                others = " AND ".join(f"f_{o}" for o in FACETS if o != name)
                return f"COUNT(*) FILTER (WHERE {others})"

            rest = ", ".join(["NULL"] * 9)
            each_theme, theme_matches = self._theme_ids("c")
            parts += [
                f"SELECT 'kind', kind, {counted('kind')}, {rest} FROM f GROUP BY kind",  # noqa: S608 (constant SQL)
                f"SELECT 'audience', audience, {counted('audience')}, {rest} "  # noqa: S608 (constant SQL)
                "FROM f GROUP BY audience",
                f"SELECT 'year', CAST(year AS TEXT), {counted('year')}, {rest} FROM f GROUP BY year",  # noqa: S608 (constant SQL)
                # The theme ids are a list in the row: no join with a through table. The
                # rows are counted per list first (a handful of distinct lists), then the
                # lists are unpacked: unpacking every row's list took 44 ms of a search
                # matching 48,000 of 100k documents, this 5 ms (docs/search.md).
                f"SELECT 'theme', t.slug, CAST(SUM(c.n) AS BIGINT), {rest} FROM "  # noqa: S608 (model table names)
                f"(SELECT theme_ids, {counted('theme')} AS n FROM f GROUP BY theme_ids) c "
                f"CROSS JOIN {each_theme} JOIN {THEME} t ON {theme_matches} GROUP BY t.slug",
            ]
        scored = request.query.scored()
        # Tier 1 matches every content clause: only the optional ones need counting.
        first = 0 if request.minimum_match else len(request.query.relaxable())
        rest = ", ".join(["NULL"] * 9)
        parts += [
            # How many results match each clause: the words no result has are "not used".
            f"SELECT 'clause', '{i}', COUNT(*) FILTER (WHERE (mask & {1 << i}) <> 0), {rest} "  # noqa: S608 (constant SQL)
            f"FROM f WHERE {every}"
            for i in range(first, len(scored))
        ]
        query = " UNION ALL ".join(parts)
        rows: list[dict[str, Any]] = []
        masks: dict[int, int] = {}
        clause_counts: list[int | None] = [None] * len(scored)
        total = 0
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS} if request.facets else {}
        with connection.cursor() as cursor:
            # The flags precede the subquery in the text, so their values come first.
            cursor.execute(query, [*flag_params, *params, request.limit, request.offset])
            for section, value, number, *hit in cursor.fetchall():
                if section == "hit":
                    rows.append(_hit_row(hit))
                    rows[-1]["themes"] = value.split() if value else []
                    masks[rows[-1]["page_id"]] = number or 0
                elif section == "clause":
                    clause_counts[int(value)] = number
                elif section == "total":
                    total = number
                elif value not in (None, "") and number:
                    facets[section][str(value)] = number
        _sort_hits(rows, request.sort)
        counts = [total if n is None else n for n in clause_counts]
        docs = {row["page_id"]: row for row in rows}
        return BackendResult(
            page_ids=[row["page_id"] for row in rows],
            total=total,
            facets=facets,
            docs=docs,
            matched=masks,
            clause_counts=counts,
        )

    def suggest(self, query: ParsedQuery, limit: int) -> list[Suggestion]:
        """Titles only, best first: no count, no facets, no body text read.

        PostgreSQL matches the title's own tsvector (with its own GIN index), so a
        prefix such as ``radica:*`` reads the few documents whose *title* matches,
        not the thousands whose body does.
        """
        if query.empty:
            return []
        columns = "d.page_id, d.title, d.url"
        if self.vendor == "postgresql":
            # Ranked and cut in the narrow table first: only the best few are joined.
            sql = (
                f"SELECT {columns} FROM (SELECT e.document_id, e.date, "  # noqa: S608 (model table names)
                "ts_rank(e.title_vector, to_tsquery('simple', %s)) AS score "
                f"FROM {ENTRY} e WHERE e.title_vector @@ to_tsquery('simple', %s) "
                "ORDER BY score DESC, e.date DESC NULLS LAST, e.document_id LIMIT %s) e "
                f"JOIN {DOCUMENT} d ON d.id = e.document_id "
                "ORDER BY e.score DESC, e.date DESC NULLS LAST, e.document_id"
            )
            params: list[str | int] = [to_tsquery(query), to_tsquery(query), limit]
        elif self.vendor == "sqlite":
            sql = (
                f"SELECT {columns} FROM search_fts "  # noqa: S608 (model table names)
                f"JOIN {ENTRY} e ON e.document_id = search_fts.rowid "
                f"JOIN {DOCUMENT} d ON d.id = e.document_id WHERE search_fts MATCH %s "
                f"ORDER BY {SQLITE_BM25}, e.date DESC NULLS LAST, e.document_id LIMIT %s"
            )
            params = [f"title : ({to_fts5(query)})", limit]
        else:
            raise NotImplementedError(f"No full-text search for {self.vendor}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                {"page_id": page_id, "title": title, "url": url}
                for page_id, title, url in cursor.fetchall()
            ]

    def exact_titles(self, keys: list[str], limit: int) -> list[dict[str, Any]]:
        """An indexed equality lookup on ``analysed_title`` (migration 0004)."""
        if not keys:
            return []
        rows = SearchDocument.objects.filter(analysed_title__in=keys).values_list(
            "pk", "page_id", "title", "url", "summary", "body", "entry__kind", "entry__date"
        )
        # Ordered by the indexed column first, so the title index also gives the order.
        return [_hit_row([0.0, *row]) for row in rows.order_by("analysed_title", "pk")[:limit]]

    def _matching(
        self, query: ParsedQuery, minimum: int = 0, theme_focus: dict[str, float] | None = None
    ) -> tuple[str, list[Any]]:
        """SQL of the matched entries (id, facet fields, date, score, mask) and its parameters.

        ``mask`` has bit i set when the row matches ``query.scored()[i]``. Tier 1
        (``minimum`` 0) matches every clause and only tests the optional ones per row;
        tier 2 matches any scored clause (typed phrases still required), tests each per
        row, keeps rows matching at least ``minimum`` content clauses and ranks by how
        many (numbers and short words count half) plus the ``theme_focus`` of the row's
        themes, then by rarity, then by the engine.
        """
        columns = "e.document_id AS id, e.kind, e.audience, e.year, e.date, e.theme_ids"
        if query.empty:
            # Browsing by filters only (e.g. "all articles on a theme"): newest first.
            return f"SELECT {columns}, 0.0 AS score, 0 AS mask FROM {ENTRY} e", []  # noqa: S608
        relaxable, optional = query.relaxable(), query.should
        scored = [*relaxable, *optional]
        if minimum:
            tested = list(enumerate(scored))
            condition = self._match_text(query, any_of=scored)
        else:
            tested = [(len(relaxable) + i, c) for i, c in enumerate(optional)]
            condition = self._match_text(query)
        # A page with a word of the query in its title counts twice (TITLE_FACTOR): a
        # column weight alone does not do it, as BM25 saturates a long page's many
        # mentions and favours short documents ("procesregisseur": five experts whose
        # function it is came before the article titled with it).
        any_word = [*query.must, *query.should]  # typed phrases too
        if self.vendor == "postgresql":
            # The tsquery is written out twice: as a constant in the WHERE clause the
            # planner estimates it and uses the GIN index (a CROSS JOIN with it did not).
            title_hit = "e.title_vector @@ to_tsquery('simple', %s)"
            rank = (
                f"ts_rank({TS_WEIGHTS}, e.search_vector, to_tsquery('simple', %s)) "
                f"* (CASE WHEN {title_hit} THEN {TITLE_FACTOR} ELSE 1 END) * {KIND_FACTOR_SQL}"
            )
            where = "e.search_vector @@ to_tsquery('simple', %s)"
            source = f"{ENTRY} e"
            rank_params = [condition, ts_any(any_word)]
        elif self.vendor == "sqlite":
            # A join with the FTS5 table: one MATCH for the whole query, BM25 read from it;
            # the title test is a second MATCH, run once for the statement.
            title_hit = (
                "search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
            )
            rank = (
                f"-{SQLITE_BM25} * (CASE WHEN {title_hit} THEN {TITLE_FACTOR} ELSE 1 END) "
                f"* {KIND_FACTOR_SQL}"
            )
            where = "search_fts MATCH %s"
            source = f"search_fts JOIN {ENTRY} e ON e.document_id = search_fts.rowid"
            rank_params = [f"title : {fts_any(any_word)}"]
        else:
            raise NotImplementedError(f"No full-text search for {self.vendor}")
        flag_sql, flag_params = [], []
        for i, clause in tested:
            test, param = self._clause_test(clause)
            flag_sql.append(f"CASE WHEN {test} THEN 1 ELSE 0 END AS m{i}")
            flag_params.append(param)
        focus_params: list[Any] = []
        if minimum and theme_focus:
            each_theme, theme_matches = self._theme_ids("e")
            cases = " ".join("WHEN %s THEN %s" for _ in theme_focus)
            flag_sql.append(
                f"(SELECT COALESCE(MAX(CASE t.slug {cases} ELSE 0 END), 0) FROM {each_theme} "  # noqa: S608 (model table names; values bound)
                f"JOIN {THEME} t ON {theme_matches}) AS tf"
            )
            focus_params = [v for slug, weight in theme_focus.items() for v in (slug, weight)]
        flags = "".join(f", {f}" for f in flag_sql)
        inner = f"SELECT {columns}, {rank} AS r{flags} FROM {source} WHERE {where}"  # noqa: S608 (model table names; values bound)
        params: list[Any] = [*rank_params, *flag_params, *focus_params, condition]
        full = sum(1 << i for i in range(len(relaxable)))
        mask = " + ".join([str(0 if minimum else full), *(f"m{i} * {1 << i}" for i, _ in tested)])
        if not minimum:
            boost = "".join(f" + 0.05 * m{i}" for i, _ in tested)
            return f"SELECT x.*, x.r{boost} AS score, {mask} AS mask FROM ({inner}) x", params  # noqa: S608
        counted = " + ".join(f"m{i}" for i in range(len(relaxable))) or "0"
        halves = "".join(f" + 0.5 * m{len(relaxable) + i}" for i in range(len(optional)))
        total_weight = sum(c.weight for c in scored) or 1.0
        rarity = " + ".join(f"{c.weight / total_weight:.6f} * m{i}" for i, c in enumerate(scored))
        focus = " + x.tf" if focus_params else ""
        score = f"{counted}{halves}{focus} + 0.9 * ({rarity}) + 0.09 * x.r / (ABS(x.r) + 1)"
        return (
            f"SELECT x.*, {score} AS score, {mask} AS mask FROM ({inner}) x "  # noqa: S608 (constant SQL)
            f"WHERE {counted} >= %s",
            [*params, minimum],
        )

    def _match_text(self, query: ParsedQuery, any_of: list[Clause] | None = None) -> str:
        """The engine's match expression: every clause, or any of ``any_of`` (tier 2)."""
        if self.vendor == "postgresql":
            return to_tsquery(query, any_of)
        return to_fts5(query, any_of)

    def _clause_test(self, clause: Clause) -> tuple[str, str]:
        """SQL that tests one clause on the row ``e`` (for tier-2 counting), and its value."""
        if self.vendor == "postgresql":
            return "e.search_vector @@ to_tsquery('simple', %s)", ts_clause(clause)
        # Uncorrelated: SQLite runs the MATCH once and probes its rowids per row.
        return "e.document_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", (
            fts_clause(clause)
        )

    def _theme_slugs(self, alias: str) -> str:
        """SQL of the theme slugs of ``alias``.theme_ids, separated by spaces (text)."""
        each_theme, theme_matches = self._theme_ids(alias)
        joined = (
            "string_agg(t.slug, ' ')"
            if self.vendor == "postgresql"
            else "group_concat(t.slug, ' ')"
        )
        return f"(SELECT {joined} FROM {each_theme} JOIN {THEME} t ON {theme_matches})"  # noqa: S608 (model table names)

    def _theme_ids(self, alias: str) -> tuple[str, str]:
        """(the theme ids of ``alias``.theme_ids as rows, how a theme ``t`` matches one)."""
        if self.vendor == "postgresql":
            return (
                f"jsonb_array_elements_text({alias}.theme_ids) AS x(v)",
                "CAST(t.id AS TEXT) = x.v",
            )
        return f"json_each({alias}.theme_ids) AS x", "t.id = x.value"

    def _filter_flags(self, filters: dict[str, list[str]]) -> tuple[list[str], list[str | int]]:
        """One boolean column per facet: does the row pass that facet's filter?"""
        flags: list[str] = []
        params: list[str | int] = []
        for name in FACETS:
            values: list[str | int] = [v for v in filters.get(name, []) if v]
            if not values:
                flags.append(f"1 = 1 AS f_{name}")
                continue
            if name == "year":
                values = [year for year in map(parse_id, values) if year]
            marks = ", ".join(["%s"] * len(values)) or "NULL"
            if name == "theme":
                each_theme, theme_matches = self._theme_ids("m")
                flags.append(
                    f"EXISTS (SELECT 1 FROM {each_theme} JOIN {THEME} t ON {theme_matches} "  # noqa: S608 (model table names; values bound)
                    f"WHERE t.slug IN ({marks})) AS f_theme"
                )
            else:
                flags.append(f"m.{name} IN ({marks}) AS f_{name}")
            params.extend(values)
        return flags, params


def _document_fields(doc: IndexedDoc, lexicon: Lexicon) -> dict[str, str]:
    """A document's display fields and its text analysed by the Dutch analyzer."""
    title, title_parts = analysis.analyse(doc.title, lexicon.vocabulary)
    body, body_parts = analysis.analyse(f"{doc.summary} {doc.body}", lexicon.vocabulary)
    return {
        "content_type": doc.content_type,
        "url": doc.url,
        "title": doc.title[:255],
        "summary": doc.summary,
        "body": doc.body,
        "analysed_title": title,
        "analysed_body": body,
        "analysed_parts": analysed_parts(doc, lexicon.vocabulary, title_parts, body_parts),
    }


def _entry_fields(doc: IndexedDoc, themes: dict[str, int]) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "audience": doc.audience,
        "date": doc.date,
        "year": doc.year,
        "theme_ids": sorted(themes[s] for s in doc.themes if s in themes),
    }


def _hit_row(hit: list[Any]) -> dict[str, Any]:
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


def _sort_hits(rows: list[dict[str, Any]], sort: str) -> None:
    """UNION ALL does not keep the hits' order: restore it (the same keys as the SQL)."""

    def newest(row: dict[str, Any]) -> int:
        return -row["date"].toordinal() if row["date"] else 1

    if sort == "date":
        rows.sort(key=lambda r: (newest(r), -r["score"], r["id"]))
    else:
        rows.sort(key=lambda r: (-r["score"], newest(r), r["id"]))
