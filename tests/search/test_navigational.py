"""Navigational queries on the demo: typing a title or an expert's name puts that page
first, on the results page and in the suggestions."""

import pytest

from knowledge.models import Expert
from search.services import search_query, search_suggest

pytestmark = pytest.mark.django_db


def first(text):
    return search_query(text=text).hits[0]


def test_an_experts_name_puts_the_expert_first(home):
    expert = Expert.objects.get(name="Marieke van Dongen")
    hit = first("Marieke van Dongen")
    assert (hit.title, hit.url, hit.kind_label) == (
        "Marieke van Dongen",
        expert.get_absolute_url(),
        "Expert",
    )


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("contact", "Contact"),
        ("nieuwsbrief", "Nieuwsbrief"),
        ("Privacyverklaring", "Privacyverklaring"),
        ("Trainingen & bijeenkomsten", "Trainingen & bijeenkomsten"),
        ("radicalisering", "Radicalisering"),
        # A title of stop words only is still found.
        ("over ons", "Over ons"),
    ],
)
def test_a_page_title_puts_that_page_first(home, query, title):
    assert first(query).title == title


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("CONTACT!", "Contact"),
        ("nieuwsbrieven", "Nieuwsbrief"),
        ("  over   ons ", "Over ons"),
        ("marieke van dongn", "Marieke van Dongen"),
    ],
)
def test_near_exact_titles_count_case_punctuation_inflection_and_a_typo(home, query, title):
    assert first(query).title == title


def test_the_named_page_is_on_the_first_page_only_and_no_ranked_hit_is_lost(home):
    one = search_query(text="contact", page=1, page_size=3)
    two = search_query(text="contact", page=2, page_size=3)
    everything = search_query(text="contact", page_size=100)
    assert one.hits[0].title == "Contact"
    assert "Contact" not in [h.title for h in two.hits]
    # After the named page, the pages go on in ranked order: none skipped, none twice.
    ranked = [h.url for h in everything.hits[1:]]
    shown = [h.url for h in one.hits[1:]] + [h.url for h in two.hits]
    assert len(shown) >= 5
    assert shown == ranked[: len(shown)]
    assert one.total == everything.total == len(everything.hits)


def test_search_syntax_and_filters_are_not_navigational(home):
    # "-contact" excludes the word; a filter asks for a kind of result, not a page.
    assert "Contact" not in [h.title for h in search_query(text="-contact partners").hits]
    filtered = search_query(text="contact", filters={"kind": ["achtergrond"]})
    assert all(h.title != "Contact" for h in filtered.hits)


def test_a_word_that_is_only_part_of_a_title_ranks_as_usual(home):
    # "Nieuwsbrief najaar 2026" contains the word but is not named by it.
    titles = [h.title for h in search_query(text="nieuwsbrief").hits]
    assert titles[0] == "Nieuwsbrief"
    assert titles.count("Nieuwsbrief") == 1


def test_suggestions_offer_the_named_page_first(home):
    assert search_suggest(text="contact")["pages"][0] == {"title": "Contact", "url": "/contact/"}
    expert = Expert.objects.get(name="Karim el Amrani")
    suggested = search_suggest(text="karim")["pages"]
    assert {"title": expert.name, "url": expert.get_absolute_url()} in suggested


def test_every_backend_looks_a_title_up_by_its_analysed_form(corpus_index, backend_name):
    from search import analysis
    from search.backends import get_backend

    backend = get_backend(backend_name)
    key = analysis.analyse("Wanneer Radicaliseren zorgelijk wordt?")[0]
    [row] = backend.exact_titles([key], 3)
    assert (row["page_id"], row["url"], row["kind"]) == (1, "/a/1/", "achtergrond")
    # A title that merely contains the words is not named by them.
    assert backend.exact_titles([analysis.analyse("radicaliseren")[0]], 3) == []


@pytest.mark.parametrize(
    ("query", "title"),
    [
        # Words of the visitor, not of the site: the demo's promoted results.
        ("agenda", "Trainingen & bijeenkomsten"),
        ("Agenda!", "Trainingen & bijeenkomsten"),
        ("privacy", "Privacyverklaring"),
        ("inloggen", "Voor partners"),
    ],
)
def test_an_editors_promoted_result_comes_first(home, query, title):
    assert first(query).title == title


def test_a_promotion_is_the_editors_to_change_and_follows_the_page(home):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion
    from wagtail.models import Page

    contact = Page.objects.get(slug="contact")
    query = Query.objects.create(query_string="Bereikbaarheid")  # stored lower case
    SearchPromotion.objects.create(query=query, page=contact, sort_order=0)
    assert first("bereikbaarheid").title == "Contact"
    assert [p["title"] for p in search_suggest(text="bereikbaarheid")["pages"]][0] == "Contact"

    contact.unpublish()
    assert all(h.title != "Contact" for h in search_query(text="bereikbaarheid").hits)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        # One word of a main section's title, or the head of a compound in it.
        ("trainingen", "Trainingen & bijeenkomsten"),
        ("bijeenkomst", "Trainingen & bijeenkomsten"),
        ("toegankelijkheid", "Toegankelijkheidsverklaring"),
    ],
)
def test_a_word_of_a_main_sections_title_opens_with_that_section(home, query, title):
    assert first(query).title == title


def test_a_word_of_a_deeper_pages_title_is_not_a_section(home):
    # "weegtafel" is in article titles, not in a main section's: ranked as usual.
    hits = search_query(text="weegtafel").hits
    assert hits and hits[0].url.count("/") > 2


def test_a_promoted_page_without_the_words_typed_is_counted_in_the_total(home):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    # "stageplek" is on no page; an editor points it at *Over ons*.
    page = home.get_children().get(slug="over-ons")
    SearchPromotion.objects.create(
        query=Query.objects.create(query_string="stageplek"), page=page, sort_order=0
    )
    results = search_query(text="stageplek")
    assert [hit.title for hit in results.hits] == [page.title]
    assert results.total == 1


def test_a_main_section_published_after_a_search_counts_at_once(
    home, django_capture_on_commit_callbacks
):
    from portal.models import StandardPage
    from search.navigation import section_rows

    assert section_rows("stages") == []  # the main sections are cached now
    with django_capture_on_commit_callbacks(execute=True):
        page = home.add_child(
            instance=StandardPage(title="Werkbezoeken en stages", slug="stages", live=False)
        )
        page.save_revision().publish()
    assert [row["title"] for row in section_rows("stages")] == ["Werkbezoeken en stages"]
    assert first("stages").title == "Werkbezoeken en stages"

    page.refresh_from_db()  # publish() saved a fresh copy of the page
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert section_rows("stages") == []
