"""The index follows the pages: publish, unpublish, delete, move, privacy; public only."""

import datetime
from types import SimpleNamespace

from django.core.management import call_command

from wagtail.models import PageViewRestriction

import pytest

from knowledge.models import ExpertiseArticlePage, KnowledgeIndexPage, Theme
from search.documents import INDEXED_APPS, is_indexable
from search.models import SearchDocument, SearchTerm
from search.services import search_query
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


def found(text):
    return {hit.title for hit in search_query(text=text).hits}


@pytest.fixture
def article(home, django_capture_on_commit_callbacks):
    index = KnowledgeIndexPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(
            index,
            title="Zwerfjongeren en de zorgboerderij",
            themes=[Theme.objects.get(slug="jeugd-hic")],
            body_text="Een zorgboerderij biedt zwerfjongeren dagbesteding.",
        )
    return page


def test_the_demo_is_searchable_after_loading(home):
    titles = found("radicaliseren")
    assert "Wanneer radicaliseren zorgelijk wordt" in titles
    assert "Casus: een geradicaliseerde twintiger keert terug" in titles


def test_a_published_page_is_found(article):
    assert article.title in found("zorgboerderij")


def test_an_unpublished_page_leaves_the_results(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert found("zorgboerderij") == set()


def test_a_page_is_found_by_the_title_of_its_section(article):
    # The article never says "kennis": its section, Kennis & expertise, does.
    assert "kennis" not in f"{article.title} {article.summary}".lower()
    results = search_query(text="kennis zorgboerderij")
    assert results.hits[0].title == article.title and results.hits[0].missing_words == []


def theme_pages_found(text):
    return {hit.title for hit in search_query(text=text).hits if hit.kind == "thema"}


def test_a_theme_page_is_found_by_the_titles_it_lists(article, django_capture_on_commit_callbacks):
    # The theme page lists its newest articles; it never says "zorgboerderij" itself.
    theme_page = Theme.objects.get(slug="jeugd-hic").theme_page
    assert "zorgboerderij" not in f"{theme_page.title} {theme_page.introduction}".lower()
    assert theme_pages_found("zorgboerderij") == {theme_page.title}
    # Its own articles come first: the list weighs least.
    assert search_query(text="zorgboerderij").hits[0].title == article.title
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Zwerfjongeren en de kinderboerderij"
        article.save_revision().publish()
    assert theme_pages_found("zorgboerderij") == set()
    assert theme_pages_found("kinderboerderij") == {theme_page.title}
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert theme_pages_found("kinderboerderij") == set()


def test_a_deleted_article_leaves_its_theme_pages_list(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert theme_pages_found("zorgboerderij") == set()


def pages_with(word):
    term = SearchTerm.objects.filter(term=word).first()
    return term.doc_freq if term else 0


def test_the_vocabulary_counts_the_pages_that_have_a_word(
    article, django_capture_on_commit_callbacks
):
    # Tier 2 weighs a word by how many pages have it: publishing, republishing, editing
    # and unpublishing keep that count true without a rebuild.
    assert pages_with("zorgboerderij") == 1
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()  # the same text again: still one page
        second = make_article(
            KnowledgeIndexPage.objects.get(),
            title="Dagbesteding op de zorgboerderij",
            themes=[],
            body_text="Ook voor zwerfjongeren.",
        )
    assert (pages_with("zorgboerderij"), pages_with("dagbesteding")) == (2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        article.body = []
        article.title = "Zwerfjongeren"
        article.summary = "Over zwerfjongeren."
        article.save_revision().publish()  # the word left this page
    assert (pages_with("zorgboerderij"), pages_with("zwerfjongeren")) == (1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        second.unpublish()
    # A word no page has any more leaves the vocabulary: no "Bedoelde u" offers it.
    assert pages_with("zorgboerderij") == 0
    assert not SearchTerm.objects.filter(term="zorgboerderij").exists()


def test_a_deleted_page_leaves_the_results(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert found("zorgboerderij") == set()
    assert not SearchDocument.objects.filter(page_id=article.pk).exists()


def test_a_private_page_leaves_the_results_and_returns_when_public_again(
    article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=article, restriction_type=PageViewRestriction.PASSWORD, password="geheim123"
        )
    assert found("zorgboerderij") == set()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert article.title in found("zorgboerderij")


def test_pages_of_a_section_that_becomes_private_leave_the_results(
    article, home, django_capture_on_commit_callbacks
):
    private_parent = KnowledgeIndexPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=private_parent, restriction_type=PageViewRestriction.LOGIN
        )
    assert found("zorgboerderij") == set()
    # The whole section went private: none of its pages is left in the index. (The
    # experts stay: their profiles are public views outside the page tree.)
    pages = SearchDocument.objects.exclude(content_type="knowledge.expert")
    assert not pages.filter(content_type__startswith="knowledge.").exists()


def test_a_moved_page_is_found_at_its_new_url(article, django_capture_on_commit_callbacks):
    target = ExpertiseArticlePage.objects.live().exclude(pk=article.pk).first().get_parent()
    with django_capture_on_commit_callbacks(execute=True):
        article.move(target, pos="last-child")
    assert SearchDocument.objects.get(page_id=article.pk).url == article.specific.url


def test_text_inside_a_publication_pdf_is_found(home):
    # Of the publications, "bewaartermijn" appears only in the factsheet's generated PDF,
    # not in its title or summary; the privacy statement names its retention terms.
    assert found("bewaartermijn") == {"Factsheet privacyprotocol en AVG", "Privacyverklaring"}


def test_only_content_apps_enter_the_index(home):
    labels = {
        ct.split(".")[0] for ct in SearchDocument.objects.values_list("content_type", flat=True)
    }
    assert labels <= INDEXED_APPS
    casework_page = SimpleNamespace(
        live=True,
        expired=False,
        depth=3,
        specific_class=SimpleNamespace(_meta=SimpleNamespace(app_label="casework")),
    )
    assert is_indexable(casework_page) is False
    assert "casework" not in INDEXED_APPS
    # Of the newsletter only its pages enter (the archive, sent issues), never subscribers.
    assert not SearchDocument.objects.filter(content_type="newsletter.subscriber").exists()


def test_rebuild_command_shows_progress_and_indexes_every_public_page(home, capsys):
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "Indexed" in out and "[" in out
    assert SearchDocument.objects.filter(entry__kind="publicatie").count() == 3
    assert (
        SearchDocument.objects.filter(content_type="knowledge.expertisearticlepage").count() >= 40
    )


def test_filter_only_browsing_lists_a_theme_newest_first(home):
    results = search_query(text="", filters={"theme": ["radicalisering"]})
    dates = [h.date for h in results.hits]
    assert results.total >= 6
    assert dates == sorted(dates, reverse=True)
    assert all(isinstance(d, datetime.date) for d in dates)


def test_indexed_text_keeps_headings_but_not_block_settings(home):
    body = SearchDocument.objects.get(title="Wanneer radicaliseren zorgelijk wordt").body
    assert "Wat betekent dit voor u?" in body
    assert "Niveau 2" not in body and "h2" not in body.split()


def test_a_published_event_is_found_as_a_training_or_event(
    home, django_capture_on_commit_callbacks
):
    from tests.events.factories import create_agenda, create_event

    with django_capture_on_commit_callbacks(execute=True):
        event = create_event(
            create_agenda(home),
            title="Intervisie zorgboerderijen en zwerfjongeren",
            themes=[Theme.objects.get(slug="jeugd-hic")],
        )

    hits = {hit.title: hit for hit in search_query(text="zorgboerderijen").hits}
    assert hits[event.title].kind_label == "Training of bijeenkomst"
