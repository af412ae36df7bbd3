"""What the Elasticsearch backend sends, checked without a server.

The behaviour itself is covered by the contract suite, which runs on Elasticsearch
when ELASTICSEARCH_URL is set; these tests pin the request shape everywhere.
"""

from search.backends.base import SearchRequest
from search.backends.elasticsearch import build_search, build_suggest, index_settings
from search.query import Lexicon, parse

LEXICON = Lexicon(
    vocabulary=frozenset({"veiligheid", "huis", "huiselijk", "geweld", "politie"}),
    synonyms=((("hgkm",), ("huiselijk", "geweld", "en", "kindermishandeling")),),
)


def _weighed(query: dict) -> dict:
    """The query inside the kind weighting (documents.KIND_RANK_FACTORS), checked."""
    weighing = query["function_score"]
    assert weighing["functions"] == [{"filter": {"term": {"kind": "expert"}}, "weight": 0.5}]
    assert weighing["boost_mode"] == "multiply"
    return weighing["query"]


def test_clauses_exclusions_and_phrases_become_a_bool_query():
    request = SearchRequest(query=parse('HGKM "huiselijk geweld" -politie', LEXICON))
    body = build_search(request, "zvh").to_dict()
    query = _weighed(body["query"])["bool"]
    assert len(query["must"]) == 2
    assert query["must_not"][0]["bool"]["should"][0]["multi_match"]["query"] == "politie"
    phrase = query["must"][1]["bool"]["should"][0]["multi_match"]
    assert phrase["type"] == "phrase" and phrase["query"] == "huiselijk geweld"


def test_facets_keep_every_bucket_and_filters_apply_after_aggregation():
    request = SearchRequest(query=parse("geweld", LEXICON), filters={"theme": ["hgkm-mda"]})
    body = build_search(request, "zvh").to_dict()
    assert body["post_filter"]["bool"]["filter"][0] == {"terms": {"themes": ["hgkm-mda"]}}
    theme_agg = body["aggs"]["f_theme"]
    assert theme_agg["filter"] == {"bool": {}}  # its own filter is left out (disjunctive)
    assert theme_agg["aggs"]["values"]["terms"]["min_doc_count"] == 0
    assert body["track_total_hits"] is True


def test_pagination_and_date_sort():
    request = SearchRequest(query=parse("geweld", LEXICON), sort="date", offset=20, limit=10)
    body = build_search(request, "zvh").to_dict()
    assert (body["from"], body["size"]) == (20, 10)
    assert list(body["sort"][0]) == ["date"]


def test_the_index_analyses_dutch_with_decompounding_and_synonyms():
    settings = index_settings(LEXICON)["settings"]["analysis"]
    assert "veiligheid" in settings["filter"]["nl_decompound"]["word_list"]
    assert settings["filter"]["nl_synonyms"]["synonyms"] == [
        "hgkm, huiselijk geweld en kindermishandeling"
    ]
    assert settings["filter"]["nl_stem"]["language"] == "dutch"


def test_suggestions_match_the_title_only_and_fetch_no_body():
    body = build_suggest(parse("huiselijk gew", LEXICON, prefix=True), "zvh", 6).to_dict()
    fields = {
        field
        for clause in body["query"]["bool"]["must"]
        for alt in clause["bool"]["should"]
        for field in alt["multi_match"]["fields"]
    }
    assert fields == {"analysed_title"}
    assert body["_source"] == ["page_id", "title", "url"]
    assert body["size"] == 6


def test_tier_two_asks_for_a_minimum_of_named_clauses_each_worth_the_same():
    query = parse('"huiselijk geweld" politie veiligheid 2025', LEXICON)
    body = build_search(SearchRequest(query=query, minimum_match=1), "zvh").to_dict()
    must = body["query"]["bool"]["must"]
    counted = must[0]["bool"]
    assert counted["minimum_should_match"] == 1
    names = [c["constant_score"]["filter"]["bool"]["_name"] for c in counted["should"]]
    assert names == ["c0", "c1"]  # politie, veiligheid: the order of query.scored()
    assert {c["constant_score"]["boost"] for c in counted["should"]} == {100.0}
    # The typed phrase still holds; the number only adds to the score, named c2.
    assert must[1]["bool"]["should"][0]["multi_match"]["type"] == "phrase"
    optional = [s for s in body["query"]["bool"]["should"] if "constant_score" in s]
    assert [s["constant_score"]["filter"]["bool"]["_name"] for s in optional] == ["c2"]
    # An expert's document weighs half in the words' own score, the tie-break only: the
    # count of matched words (the constant scores) is the same for every kind.
    (tie_break,) = [s for s in body["query"]["bool"]["should"] if "function_score" in s]
    assert _weighed(tie_break)["bool"]["should"]


def test_tier_two_adds_the_theme_focus_the_most_of_a_results_themes():
    query = parse("politie veiligheid", LEXICON)
    request = SearchRequest(
        query=query, minimum_match=1, theme_focus={"radicalisering": 2.5, "jeugd-hic": 1.0}
    )
    body = build_search(request, "zvh").to_dict()
    (focus,) = [s["dis_max"] for s in body["query"]["bool"]["should"] if "dis_max" in s]
    assert focus["queries"] == [
        {"constant_score": {"filter": {"term": {"themes": "radicalisering"}}, "boost": 250.0}},
        {"constant_score": {"filter": {"term": {"themes": "jeugd-hic"}}, "boost": 100.0}},
    ]
    assert "themes" in body["_source"]  # the hits' themes decide the focus
    tier_one = build_search(SearchRequest(query=query, theme_focus={"x": 1.0}), "zvh")
    assert "dis_max" not in str(tier_one.to_dict())  # tier 1 ranks by the words alone


def test_tier_one_requires_every_clause_and_counts_each_clause_for_the_page():
    query = parse("politie veiligheid", LEXICON)
    body = build_search(SearchRequest(query=query), "zvh").to_dict()
    assert [c["bool"]["_name"] for c in _weighed(body["query"])["bool"]["must"]] == ["c0", "c1"]
    assert set(body["aggs"]["clauses"]["aggs"]["each"]["filters"]["filters"]) == {"c0", "c1"}


def test_the_index_uses_our_stop_words_and_stemming_exceptions():
    analysis_settings = index_settings(LEXICON)["settings"]["analysis"]
    filters = analysis_settings["filter"]
    assert "wat" in filters["nl_stop"]["stopwords"] and "moet" in filters["nl_stop"]["stopwords"]
    assert "ouderen => oudere" in filters["nl_exceptions"]["rules"]
    chain = analysis_settings["analyzer"]["nl_index"]["filter"]
    assert chain.index("nl_exceptions") < chain.index("nl_stem")


def test_the_decompounder_also_knows_the_dictionary_parts_of_the_vocabulary():
    lexicon = Lexicon(vocabulary=frozenset({"ouderenmishandeling"}))
    words = index_settings(lexicon)["settings"]["analysis"]["filter"]["nl_decompound"]["word_list"]
    assert {"ouderen", "mishandeling"} <= set(words)


def test_of_two_words_the_rarer_is_required_and_the_commoner_optional():
    from search.query import anchored_on_the_rarer_word

    lexicon = Lexicon(
        vocabulary=LEXICON.vocabulary | {"gemeente"},
        frequencies={"politie": 2, "gemeente": 40},
    )
    anchored = anchored_on_the_rarer_word(parse("politie gemeente", lexicon))
    assert anchored is not None
    body = build_search(SearchRequest(query=anchored), "zvh").to_dict()
    query = _weighed(body["query"])["bool"]
    (required,) = query["must"]
    assert required["bool"]["should"][0]["multi_match"]["query"] == "politie"
    optional = [s for s in query["should"] if "constant_score" in s]
    assert [s["constant_score"]["filter"]["bool"]["_name"] for s in optional] == ["c0"]
