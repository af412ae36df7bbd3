"""The feeds of new expertise articles: RSS and Atom, all articles and per theme."""

import datetime

import pytest
from defusedxml import ElementTree as ET

from knowledge.models import ExpertiseArticlePage, Theme
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}
PUBLIC = "https://www.zvh-bzo.example"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def rss_titles(response) -> list[str]:
    return [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]


def test_the_rss_feed_lists_the_newest_articles_first(client, knowledge_index):
    theme = Theme.objects.first()
    make_article(
        knowledge_index, title="Gloednieuw artikel", themes=[theme],
        publication_date=datetime.date(2030, 1, 2),
    )  # fmt: skip

    response = client.get("/expertise/artikelen/rss/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Nieuwe artikelen – ZVH Brabant Zuidoost"
    titles = rss_titles(response)
    assert titles[0] == "Gloednieuw artikel"
    assert len(titles) == min(20, ExpertiseArticlePage.objects.live().public().count())
    first = next(ET.fromstring(response.content).iter("item"))
    assert first.findtext("link").startswith(f"{PUBLIC}/")
    assert theme.name in [category.text for category in first.findall("category")]


def test_the_atom_feed_parses_and_links_every_article(client, knowledge_index):
    response = client.get("/expertise/artikelen/atom/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    entries = feed.findall("a:entry", ATOM)
    assert entries
    for entry in entries:
        assert entry.find("a:link", ATOM).get("href").startswith(f"{PUBLIC}/")
        assert entry.findtext("a:summary", namespaces=ATOM)


def test_a_theme_feed_has_only_that_themes_articles(client, knowledge_index):
    theme, other = Theme.objects.all()[:2]
    make_article(knowledge_index, title="Alleen het eerste thema", themes=[theme])
    make_article(knowledge_index, title="Alleen het andere thema", themes=[other])

    response = client.get(f"/expertise/thema/{theme.slug}/rss/")

    titles = rss_titles(response)
    assert "Alleen het eerste thema" in titles
    assert "Alleen het andere thema" not in titles
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == f"Nieuwe artikelen over {theme.name} – ZVH Brabant Zuidoost"


def test_an_unpublished_article_is_not_in_the_feed(client, knowledge_index):
    make_article(
        knowledge_index, title="Nog niet gepubliceerd", themes=[Theme.objects.first()], live=False
    )

    assert "Nog niet gepubliceerd" not in rss_titles(client.get("/expertise/artikelen/rss/"))


def test_an_unknown_theme_feed_is_a_404(client, knowledge_index):
    assert client.get("/expertise/thema/bestaat-niet/atom/").status_code == 404


def test_a_theme_page_links_its_own_feed(client, knowledge_index):
    theme = Theme.objects.first()

    html = client.get(theme.page.url).content.decode()

    assert f'href="/expertise/thema/{theme.slug}/atom/"' in html
    assert f'title="Nieuwe artikelen over {theme.name} (Atom)"' in html
