"""The knowledge centre's public pages and the editors' review report."""

import datetime
from html import escape

from django.urls import reverse

from wagtail.models import Page

import pytest

from knowledge.models import (
    ExpertiseArticlePage,
    KnowledgeIndexPage,
    PublicationPage,
    Theme,
    ThemePage,
)

from .factories import ExpertFactory, make_article

pytestmark = pytest.mark.django_db


def test_the_section_is_a_knowledge_index_page_with_the_skeleton_slug(home):
    index = home.get_children().get(slug="kennis-en-expertise").specific
    assert isinstance(index, KnowledgeIndexPage)
    assert index.show_in_menus


def test_every_theme_has_one_live_theme_page(home):
    assert ThemePage.objects.live().count() == Theme.objects.count() == 7
    for theme in Theme.objects.all():
        assert theme.page.theme == theme


def test_loading_the_demo_twice_creates_nothing_new(home):
    from portal import demo

    counts = (Page.objects.count(), ExpertiseArticlePage.objects.count())
    demo.load()
    assert (Page.objects.count(), ExpertiseArticlePage.objects.count()) == counts


def test_every_public_knowledge_page_type_renders(client, home):
    for model in (KnowledgeIndexPage, ThemePage, ExpertiseArticlePage, PublicationPage):
        page = model.objects.live().first()
        assert page is not None, model
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert escape(page.title) in response.content.decode()


def test_theme_page_lists_its_articles_and_experts_and_offers_the_question_form(
    client, knowledge_index
):
    theme = Theme.objects.get(slug="mensenhandel")
    expert = ExpertFactory(name="Noor Testexpert", themes=[theme])
    make_article(knowledge_index, title="Signalen van arbeidsuitbuiting", themes=[theme])

    html = client.get(theme.page.url).content.decode()

    assert "Signalen van arbeidsuitbuiting" in html
    assert expert.name in html
    assert 'action="/expertise/thema/mensenhandel/vraag/"' in html


def test_theme_page_shows_sections_other_apps_add_through_the_hook(client, knowledge_index):
    from wagtail import hooks

    from knowledge.models import THEME_PAGE_SECTIONS_HOOK, ThemeSection

    def upcoming(theme, request):
        return ThemeSection(
            title="Binnenkort", items=[{"title": f"Training {theme.name}", "url": "/agenda/x/"}]
        )

    theme = Theme.objects.get(slug="radicalisering")
    with hooks.register_temporarily(THEME_PAGE_SECTIONS_HOOK, upcoming):
        html = client.get(theme.page.url).content.decode()
    assert "Training Radicalisering" in html


def test_unpublished_articles_do_not_appear_on_the_theme_page(client, knowledge_index):
    theme = Theme.objects.get(slug="mensenhandel")
    make_article(knowledge_index, title="Concept over uitbuiting", themes=[theme], live=False)
    assert "Concept over uitbuiting" not in client.get(theme.page.url).content.decode()


def test_expert_profile_shows_role_region_and_themes(client, home):
    expert = ExpertFactory(name="Ruud Profiel", themes=[Theme.objects.get(slug="hgkm-mda")])
    html = client.get(reverse("knowledge:expert", kwargs={"slug": expert.slug})).content.decode()
    assert "Ruud Profiel" in html
    assert "Huiselijk geweld en kindermishandeling" in html
    assert expert.email not in html  # forwarded to, never shown


def test_the_review_report_lists_only_articles_not_reviewed_for_12_months(
    admin_client, knowledge_index
):
    theme = Theme.objects.first()
    today = datetime.date.today()
    make_article(
        knowledge_index,
        title="Oud artikel",
        themes=[theme],
        reviewed_on=today - datetime.timedelta(days=400),
    )
    make_article(
        knowledge_index,
        title="Vers artikel",
        themes=[theme],
        reviewed_on=today - datetime.timedelta(days=30),
    )

    response = admin_client.get(reverse("knowledge_unreviewed"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Oud artikel" in html
    assert "Vers artikel" not in html


def test_video_block_accepts_only_youtube_or_vimeo_and_uses_the_no_cookie_player():
    from knowledge.blocks import video_embed_url

    assert video_embed_url("https://www.youtube.com/watch?v=abcdef123") == (
        "https://www.youtube-nocookie.com/embed/abcdef123"
    )
    assert video_embed_url("https://vimeo.com/12345").startswith("https://player.vimeo.com/")
    assert video_embed_url("https://example.com/film") == ""


def test_demo_experts_appear_on_the_theme_pages_of_their_specialisation(client, home):
    html = client.get(Theme.objects.get(slug="radicalisering").page.url).content.decode()
    assert "Marieke van Dongen" in html
    assert "Wouter de Bruijn" in html
    assert "Tom Verhagen" not in html  # HGKM, not radicalisering
