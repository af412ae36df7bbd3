"""The home page: upcoming trainings, newest articles, themes, the newsletter call to
action and the partners' way in, all from the apps' selectors and editable."""

import datetime

from django.utils import timezone

import pytest

from events.models import EventPage
from knowledge.models import KnowledgeIndexPage, Theme
from tests.events.factories import create_event
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


def agenda():
    return EventPage.objects.first().get_parent().specific


def test_the_home_page_lists_the_soonest_upcoming_trainings_and_not_past_ones(client, home):
    soon = create_event(agenda(), days=0.2, title="Training morgenochtend", slug="morgenochtend")
    past = create_event(agenda(), days=-2, title="Training van vorige week", slug="vorige-week")

    html = client.get("/").content.decode()

    assert "Komende trainingen en bijeenkomsten" in html
    assert soon.title in html
    assert past.title not in html
    # The soonest comes first.
    assert html.index(soon.title) < html.index("Nieuw in het kenniscentrum")
    assert '<a href="/trainingen-en-bijeenkomsten/">De hele agenda</a>' in html


def test_a_cancelled_training_is_not_announced(client, home):
    event = create_event(agenda(), days=0.1, title="Geannuleerde training", slug="geannuleerd")
    EventPage.objects.filter(pk=event.pk).update(is_cancelled=True)

    assert "Geannuleerde training" not in client.get("/").content.decode()


def test_the_number_of_trainings_and_articles_is_the_editors_choice(client, home):
    home.events_count = 1
    home.articles_count = 1
    home.save_revision().publish()
    first = create_event(agenda(), days=0.1, title="Eerste training", slug="eerste")
    second = create_event(agenda(), days=0.2, title="Tweede training", slug="tweede")

    html = client.get("/").content.decode()

    assert first.title in html
    assert second.title not in html
    assert html.count('class="home-list__item"') == 2


def test_the_newest_articles_come_first_with_their_date_and_summary(client, home):
    index = KnowledgeIndexPage.objects.get()
    theme = Theme.objects.first()
    today = timezone.localdate()
    newest = make_article(
        index,
        title="Nieuwste inzichten over mensenhandel",
        themes=[theme],
        summary="Wat professionals vandaag moeten weten.",
        publication_date=today,
    )
    old = make_article(
        index,
        title="Een artikel van lang geleden",
        themes=[theme],
        publication_date=datetime.date(2015, 1, 1),
    )

    html = client.get("/").content.decode()

    assert newest.title in html
    assert "Wat professionals vandaag moeten weten." in html
    assert old.title not in html  # three newest only (the demo has newer ones)
    assert '<a href="/kennis-en-expertise/">Alle kennis en expertise</a>' in html


def test_an_unpublished_article_is_not_listed(client, home):
    index = KnowledgeIndexPage.objects.get()
    make_article(
        index,
        title="Concept dat nog niet live is",
        themes=[Theme.objects.first()],
        publication_date=timezone.localdate(),
        live=False,
    )

    assert "Concept dat nog niet live is" not in client.get("/").content.decode()


def test_the_themes_link_to_their_theme_pages(client, home):
    html = client.get("/").content.decode()

    for theme in Theme.objects.all():
        page = theme.page
        assert f'<a href="{page.url}">{theme.name}</a>' in html


def test_editors_can_hide_the_themes(client, home):
    home.show_themes = False
    home.save_revision().publish()

    assert 'class="theme-chips"' not in client.get("/").content.decode()


def test_the_newsletter_call_to_action_uses_the_editors_text(client, home):
    home.newsletter_heading = "Mis niets van het ZVH"
    home.newsletter_button = "Meld u aan"
    home.save_revision().publish()

    html = client.get("/").content.decode()

    assert "Mis niets van het ZVH" in html
    assert '<a class="button" href="/abonnement/">Meld u aan</a>' in html


def test_partners_find_their_way_in_from_the_home_page(client, home, django_user_model):
    html = client.get("/").content.decode()

    assert "Voor partners: inloggen" in html
    assert 'href="/accounts/login/?next=/partners/"' in html

    client.force_login(django_user_model.objects.create_user(username="partner"))
    signed_in = client.get("/").content.decode()
    assert "Naar de beveiligde omgeving" in signed_in
    assert 'href="/partners/"' in signed_in


def test_the_home_page_says_so_when_nothing_is_planned(client, home):
    EventPage.objects.update(is_cancelled=True)

    html = client.get("/").content.decode()

    assert "Er zijn op dit moment geen trainingen of bijeenkomsten gepland." in html
