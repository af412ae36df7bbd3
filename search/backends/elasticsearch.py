"""Elasticsearch backend through the client's ``elasticsearch.dsl`` module.

Matching uses the same Python-analysed fields as the database backend (whitespace
analyzer in Elasticsearch), so every backend returns the same documents for the same
query, in the same tiers (tier 2 through ``minimum_should_match`` over named clauses).
On top of that the raw text is indexed with Elasticsearch's own Dutch analysis
(asciifolding, dictionary decompounder over our vocabulary and its dictionary parts,
our stop words and stemming exceptions, the Dutch stemmer, synonym graph at search
time); those fields only add to the score.

Rebuilds write a new concrete index and then move the alias in one atomic
``update_aliases`` call, so search never goes down. Not run against a live server
on the development machine (none can be installed there); see docs/search.md.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.query import Query

from portal.ids import parse_id

from .. import analysis
from ..documents import KIND_RANK_FACTORS, IndexedDoc, analysed_parts, document_text
from ..query import Alt, Clause, Lexicon, ParsedQuery
from .base import FACETS, BackendResult, SearchBackend, SearchRequest, Suggestion

ANALYSED = ["analysed_title^3", "analysed_body", "analysed_parts^0.5"]
PHRASE_FIELDS = ["analysed_title^3", "analysed_body"]
NATIVE = ["title^2", "summary", "body"]
FACET_FIELDS = {"theme": "themes", "kind": "kind", "audience": "audience", "year": "year"}
MAX_DECOMPOUND_WORDS = 20_000


# Tier 2: each matched content clause adds this much, so pages matching more of the
# words come first whatever the relevance score of the words themselves.
CLAUSE_BOOST = 100.0


def decompound_words(lexicon: Lexicon) -> list[str]:
    """Elasticsearch's decompounder word list: the vocabulary and the dictionary parts
    our analyzer finds in it (the whole Dutch dictionary would not fit the settings)."""
    words = {w for w in lexicon.vocabulary if len(w) >= 4}
    for word in lexicon.vocabulary:
        words.update(p for p in analysis.decompose(word, lexicon.vocabulary) or () if len(p) >= 3)
    return sorted(words)[:MAX_DECOMPOUND_WORDS]


def index_settings(lexicon: Lexicon) -> dict[str, Any]:
    words = decompound_words(lexicon)
    # The same stop words and stemming exceptions as the Python analyzer.
    overrides = [f"{form} => {stem}" for form, stem in sorted(analysis.STEM_EXCEPTIONS.items())]
    synonyms = [
        ", ".join(" ".join(member) for member in group) for group in lexicon.synonyms if group
    ]
    return {
        "settings": {
            "number_of_shards": 1,
            "analysis": {
                "filter": {
                    "nl_stop": {"type": "stop", "stopwords": sorted(analysis.STOPWORDS)},
                    "nl_exceptions": {"type": "stemmer_override", "rules": overrides},
                    "nl_stem": {"type": "stemmer", "language": "dutch"},
                    "nl_decompound": {
                        "type": "dictionary_decompounder",
                        "word_list": words,
                        "min_subword_size": 3,
                        "only_longest_match": True,
                    },
                    "nl_synonyms": {"type": "synonym_graph", "synonyms": synonyms, "lenient": True},
                },
                "analyzer": {
                    "nl_index": {
                        "tokenizer": "standard",
                        "filter": [
                            "lowercase",
                            "asciifolding",
                            "nl_decompound",
                            "nl_stop",
                            "nl_exceptions",
                            "nl_stem",
                        ],
                    },
                    "nl_search": {
                        "tokenizer": "standard",
                        "filter": [
                            "lowercase",
                            "asciifolding",
                            "nl_synonyms",
                            "nl_stop",
                            "nl_exceptions",
                            "nl_stem",
                        ],
                    },
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "page_id": {"type": "integer"},
                "content_type": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "title": {
                    "type": "text",
                    "analyzer": "nl_index",
                    "search_analyzer": "nl_search",
                    "fields": {"suggest": {"type": "search_as_you_type"}},
                },
                "summary": {"type": "text", "analyzer": "nl_index", "search_analyzer": "nl_search"},
                "body": {"type": "text", "analyzer": "nl_index", "search_analyzer": "nl_search"},
                "analysed_title": {"type": "text", "analyzer": "whitespace"},
                "analysed_body": {"type": "text", "analyzer": "whitespace"},
                "analysed_parts": {"type": "text", "analyzer": "whitespace"},
                "kind": {"type": "keyword"},
                "audience": {"type": "keyword"},
                "themes": {"type": "keyword"},
                "year": {"type": "integer"},
                "date": {"type": "date"},
            },
        },
    }


# --- query compilation (pure functions; unit-tested without a server) ---------------
def _alt_query(
    alt: Alt, fields: list[str] = ANALYSED, phrase_fields: list[str] = PHRASE_FIELDS
) -> Query:
    stems = [s for s in alt.stems if s]
    if alt.prefix:
        return Q("multi_match", query=stems[-1], type="phrase_prefix", fields=fields)
    if len(stems) == 1:
        return Q("multi_match", query=stems[0], fields=fields)
    if alt.phrase:
        return Q("multi_match", query=" ".join(stems), type="phrase", fields=phrase_fields)
    return Q("bool", must=[Q("multi_match", query=s, fields=fields) for s in stems])


def _clause_query(
    clause: Clause,
    fields: list[str] = ANALYSED,
    phrase_fields: list[str] = PHRASE_FIELDS,
    name: str = "",
) -> Query:
    """Any alternative of the clause; ``name`` makes Elasticsearch report per hit
    whether it matched (``matched_queries``), as the database backend's mask does."""
    extra = {"_name": name} if name else {}
    return Q(
        "bool",
        should=[_alt_query(a, fields, phrase_fields) for a in clause.alts if a.stems],
        minimum_should_match=1,
        **extra,
    )


def _filter_queries(filters: dict[str, list[str]], skip: str = "") -> list[Query]:
    queries = []
    for name, selected in filters.items():
        if name == skip or not selected:
            continue
        values: list[str | int] = list(selected)
        if name == "year":
            values = [year for year in map(parse_id, selected) if year]
        queries.append(Q("terms", **{FACET_FIELDS[name]: values}))
    return queries


def to_es_query(
    query: ParsedQuery,
    raw_text: str = "",
    minimum_match: int = 0,
    theme_focus: dict[str, float] | None = None,
) -> Query:
    """Tier 1 (``minimum_match`` 0): every clause. Tier 2: at least ``minimum_match`` of
    the content clauses through ``minimum_should_match``, each matched one adding
    CLAUSE_BOOST, and a result on a theme of ``theme_focus`` its weight times
    CLAUSE_BOOST (the most of its themes: ``dis_max``); typed phrases still required.
    Scored clauses are named c0, c1, ... in ``query.scored()`` order."""
    if query.empty:
        return Q("match_all")
    should = [Q("multi_match", query=raw_text, fields=NATIVE)] if raw_text else []
    relaxable = query.relaxable()
    named = {id(c): f"c{i}" for i, c in enumerate(query.scored())}
    optional = [
        Q("constant_score", filter=_clause_query(c, name=named[id(c)]), boost=CLAUSE_BOOST / 2)
        for c in query.should
    ]
    must_not = [_clause_query(c) for c in query.must_not]
    if not minimum_match:
        must = [_clause_query(c, name=named.get(id(c), "")) for c in query.must]
        return _weighed_by_kind(
            Q("bool", must=must, must_not=must_not, should=[*should, *optional])
        )
    counted = [
        Q("constant_score", filter=_clause_query(c, name=named[id(c)]), boost=CLAUSE_BOOST)
        for c in relaxable
    ]
    relevance = [_clause_query(c) for c in relaxable]  # the words' own score, to break ties
    must = [
        Q("bool", should=counted, minimum_should_match=minimum_match),
        *(_clause_query(c) for c in query.must if c.required),
    ]
    # As on the database: the kind weighs the words' own score (the tie-break), not the
    # count of matched words.
    tie_break = _weighed_by_kind(Q("bool", should=[*should, *relevance]))
    focus = (
        [
            Q(
                "dis_max",
                queries=[
                    Q("constant_score", filter=Q("term", themes=slug), boost=weight * CLAUSE_BOOST)
                    for slug, weight in theme_focus.items()
                ],
            )
        ]
        if theme_focus
        else []
    )
    return Q("bool", must=must, must_not=must_not, should=[tie_break, *optional, *focus])


def _weighed_by_kind(query: Query) -> Query:
    """``query``'s score times ``KIND_RANK_FACTORS`` of the document's kind."""
    functions = [
        {"filter": Q("term", kind=kind), "weight": factor}
        for kind, factor in KIND_RANK_FACTORS.items()
    ]
    return Q("function_score", query=query, functions=functions, boost_mode="multiply")


def build_suggest(query: ParsedQuery, index: str, limit: int) -> Search:
    """Suggestions match the analysed title only, like the database backend."""
    title = ["analysed_title"]
    bool_query = Q(
        "bool",
        must=[_clause_query(c, title, title) for c in query.must],
        must_not=[_clause_query(c, title, title) for c in query.must_not],
    )
    search = Search(index=index).query(bool_query)
    search = search.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    return search.source(["page_id", "title", "url"])[:limit]


def build_exact_titles(keys: list[str], index: str, limit: int) -> Search:
    """Candidates for a navigational query: the key as a phrase of the analysed title.

    The phrase also matches longer titles; ``exact_titles`` keeps the equal ones.
    """
    phrases = [Q("match_phrase", analysed_title=key) for key in keys]
    search = Search(index=index).query(Q("bool", should=phrases, minimum_should_match=1))
    return search.source(
        ["page_id", "title", "url", "summary", "body", "kind", "date", "analysed_title"]
    )[: limit * 10]


def build_search(request: SearchRequest, index: str, raw_text: str = "") -> Search:
    query = request.query
    search = Search(index=index).query(
        to_es_query(query, raw_text, request.minimum_match, request.theme_focus)
    )
    search = search.extra(track_total_hits=True)
    filters = _filter_queries(request.filters)
    if filters:
        search = search.post_filter(Q("bool", filter=filters))
    scored = query.scored() if not query.empty else []
    if scored:
        # How many results match each clause (after the filters): unmatched words are
        # reported as not used, as the database backend does.
        bucket = search.aggs.bucket("clauses", "filter", filter=Q("bool", filter=filters))
        clauses = {f"c{i}": _clause_query(c) for i, c in enumerate(scored)}
        bucket.bucket("each", "filters", filters=clauses)
    for name in FACETS if request.facets else ():
        others = _filter_queries(request.filters, skip=name)
        bucket = search.aggs.bucket(f"f_{name}", "filter", filter=Q("bool", filter=others))
        bucket.bucket("values", "terms", field=FACET_FIELDS[name], size=200, min_doc_count=0)
    if request.sort == "date":
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        search = search.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    search = search.source(["page_id", "title", "url", "summary", "body", "kind", "date", "themes"])
    return search[request.offset : request.offset + request.limit]


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, index: str) -> None:
        self.alias = index
        self.client = Elasticsearch(url, request_timeout=10, retry_on_timeout=True)

    def _action(self, doc: IndexedDoc, lexicon: Lexicon, index: str) -> dict[str, Any]:
        title, title_parts = analysis.analyse(doc.title, lexicon.vocabulary)
        body, body_parts = analysis.analyse(f"{doc.summary} {doc.body}", lexicon.vocabulary)
        return {
            "_index": index,
            "_id": doc.page_id,
            "_source": {
                "page_id": doc.page_id,
                "content_type": doc.content_type,
                "url": doc.url,
                "title": doc.title,
                "summary": doc.summary,
                "body": doc.body,
                "analysed_title": title,
                "analysed_body": body,
                "analysed_parts": analysed_parts(doc, lexicon.vocabulary, title_parts, body_parts),
                "kind": doc.kind,
                "audience": doc.audience,
                "themes": doc.themes,
                "year": doc.year,
                "date": doc.date.isoformat() if doc.date else None,
            },
        }

    def _ensure_index(self, lexicon: Lexicon) -> None:
        if not self.client.indices.exists_alias(name=self.alias):
            name = self._new_index(lexicon)
            self.client.indices.put_alias(index=name, name=self.alias)

    def _new_index(self, lexicon: Lexicon) -> str:
        name = f"{self.alias}-{datetime.datetime.now(datetime.UTC):%Y%m%d%H%M%S%f}"
        body = index_settings(lexicon)
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        return name

    def index(self, docs: Iterable[IndexedDoc], lexicon: Lexicon) -> None:
        self._ensure_index(lexicon)
        helpers.bulk(self.client, (self._action(d, lexicon, self.alias) for d in docs))
        self.client.indices.refresh(index=self.alias)

    def stored_texts(self, page_ids: Iterable[int]) -> dict[int, str]:
        ids = [str(i) for i in page_ids]
        if not ids:
            return {}
        try:
            found = self.client.mget(
                index=self.alias, ids=ids, source=["page_id", "title", "summary", "body"]
            )
        except NotFoundError:  # no index yet: nothing is indexed
            return {}
        return {
            doc["_source"]["page_id"]: document_text(
                doc["_source"]["title"], doc["_source"]["summary"], doc["_source"]["body"]
            )
            for doc in found["docs"]
            if doc.get("found")
        }

    def delete(self, page_ids: Iterable[int]) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": i} for i in page_ids]
        try:
            helpers.bulk(self.client, actions, raise_on_error=False)
            self.client.indices.refresh(index=self.alias)
        except NotFoundError:
            pass

    def rebuild(
        self, docs: Iterable[IndexedDoc], lexicon: Lexicon, progress: Callable[[int], None]
    ) -> int:
        new = self._new_index(lexicon)
        count = 0
        for ok, _ in helpers.streaming_bulk(
            self.client, (self._action(d, lexicon, new) for d in docs), chunk_size=500
        ):
            count += int(ok)
            progress(count)
        self.client.indices.refresh(index=new)
        old = (
            list(self.client.indices.get_alias(name=self.alias))
            if self.client.indices.exists_alias(name=self.alias)
            else []
        )
        # One atomic call: readers switch from the old index to the new one.
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for o in old:
            self.client.indices.delete(index=o)
        return count

    def suggest(self, query: ParsedQuery, limit: int) -> list[Suggestion]:
        if query.empty:
            return []
        try:
            response = build_suggest(query, self.alias, limit).using(self.client).execute()
        except NotFoundError:
            return []
        return [
            {"page_id": int(hit.page_id), "title": hit.title, "url": hit.url}
            for hit in response.hits
        ]

    def exact_titles(self, keys: list[str], limit: int) -> list[dict[str, Any]]:
        if not keys:
            return []
        try:
            response = build_exact_titles(keys, self.alias, limit).using(self.client).execute()
        except NotFoundError:
            return []
        rows = []
        for hit in response.hits:
            source = hit.to_dict()
            if source.pop("analysed_title", "") not in keys:
                continue
            date = source.get("date")
            source["date"] = datetime.date.fromisoformat(date[:10]) if date else None
            source["page_id"] = int(source["page_id"])
            rows.append(source)
        return rows[:limit]

    def search(self, request: SearchRequest) -> BackendResult:
        search = build_search(request, self.alias).using(self.client)
        try:
            response = search.execute()
        except NotFoundError:
            return BackendResult(page_ids=[], total=0, facets={f: {} for f in FACETS})
        page_ids, docs = [], {}
        for hit in response.hits:
            source = hit.to_dict()
            page_id = int(source["page_id"])
            page_ids.append(page_id)
            date = source.get("date")
            source["date"] = datetime.date.fromisoformat(date[:10]) if date else None
            docs[page_id] = source
        scored = request.query.scored() if not request.query.empty else []
        matched = {
            int(hit.page_id): sum(
                1 << int(name[1:])
                for name in getattr(hit.meta, "matched_queries", None) or ()
                if name.startswith("c") and name[1:].isdigit()
            )
            for hit in response.hits
        }
        clause_counts = []
        if scored:
            buckets = response.aggregations.clauses.each.buckets
            clause_counts = [buckets[f"c{i}"].doc_count for i in range(len(scored))]
        facets = {
            name: {
                str(b.key): b.doc_count
                for b in getattr(response.aggregations, f"f_{name}").values.buckets
                if b.doc_count or name == "theme"
            }
            for name in (FACETS if request.facets else ())
        }
        # ``hits`` is typed as a plain list; at run time it is an AttrList with ``total``.
        total: int = response.hits.total.value  # type: ignore[attr-defined]
        return BackendResult(
            page_ids=page_ids,
            total=total,
            facets=facets,
            docs=docs,
            matched=matched,
            clause_counts=clause_counts,
        )
