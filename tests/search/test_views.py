"""/zoeken/ and /zoeken/suggesties/, the privacy-safe log and the staff reports."""

import datetime

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

import pytest
import time_machine

from search import services
from search.models import SearchQueryLog

pytestmark = pytest.mark.django_db


def test_the_search_page_shows_highlighted_results_and_facets(client, home):
    response = client.get("/zoeken/", {"q": "radicaliseren"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>" in html
    assert "/kennis-en-expertise/wanneer-radicaliseren-zorgelijk-wordt/" in html
    assert "<mark>radicaliseren</mark> zorgelijk wordt" in html
    assert 'name="thema" value="radicalisering"' in html


def test_a_typo_offers_did_you_mean(client, home):
    html = client.get("/zoeken/", {"q": "radicalisring"}).content.decode()
    assert "Bedoelde u" in html
    assert "radicalisering" in html


def test_zero_results_help_with_popular_themes(client, home):
    html = client.get("/zoeken/", {"q": "xqzwvbla"}).content.decode()
    assert "Niets gevonden" in html
    assert "Onbegrepen gedrag" in html


def test_bad_paging_and_sorting_input_is_ignored(client, home):
    response = client.get("/zoeken/", {"q": "gedrag", "pagina": "x", "sorteer": "drop"})
    assert response.status_code == 200
    for year in ["²", "9" * 30]:
        assert client.get("/zoeken/", {"q": "gedrag", "jaar": year}).status_code == 200


def test_suggestions_return_json_titles_and_words(client, home):
    data = client.get("/zoeken/suggesties/", {"q": "radica"}).json()
    assert any("radicaliser" in term for term in data["terms"])
    assert data["pages"]
    assert all(page["url"].startswith("/") for page in data["pages"])


@override_settings(RATELIMIT_ENABLE=True)
def test_suggestions_are_rate_limited_per_address_with_a_dutch_message(client, home, monkeypatch):
    cache.clear()  # counters of earlier runs live in the same cache
    monkeypatch.setattr("search.views.SUGGEST_RATE", "3/h")  # the real limit is 120/m
    for _ in range(3):
        response = client.get("/zoeken/suggesties/", {"q": "radica"}, REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200

    response = client.get("/zoeken/suggesties/", {"q": "radica"}, REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 429
    assert response.json()["pages"] == []
    assert "Te veel" in response.json()["error"]
    other = client.get("/zoeken/suggesties/", {"q": "radica"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_the_log_keeps_the_query_and_count_but_not_who_searched(client, home):
    client.get("/zoeken/", {"q": "Wvggz  mail jan@example.org 0612345678"})
    entry = SearchQueryLog.objects.get()
    assert entry.query == "wvggz mail [e-mail] [nummer]"
    assert {f.name for f in SearchQueryLog._meta.fields} == {
        "id",
        "query",
        "result_count",
        "searched_on",
    }


def test_the_log_is_purged_after_90_days(home):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=91)):
        services.search_log_record(text="oud", result_count=1)
    services.search_log_record(text="nieuw", result_count=0)
    assert services.search_log_purge() == 1
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["nieuw"]


def test_staff_see_top_and_zero_result_queries(admin_client, home):
    for text, count in [("avg", 3), ("avg", 3), ("xyz", 0)]:
        services.search_log_record(text=text, result_count=count)
    top = admin_client.get("/admin/reports/zoekopdrachten/").content.decode()
    zero = admin_client.get("/admin/reports/zoekopdrachten/?zero=1").content.decode()
    assert "avg" in top and "xyz" in top
    assert "xyz" in zero and ">avg<" not in zero


def test_staff_manage_synonyms_and_the_change_works_at_once(home):
    from search.models import SynonymGroup

    assert "Zwerfjongeren" not in str(services.search_query(text="kwetsbaar").hits)
    SynonymGroup.objects.create(terms="kwetsbaar = weerbaar")
    assert services.search_query(text="kwetsbaar").total >= 1
