"""The no-store census: every page that belongs to one person (a signed link, a
signed-in user's page, the accounts and the secure area) is sent with
``Cache-Control: no-store, private``, so no browser history, shared computer or proxy
keeps a copy; public pages for anonymous visitors stay cacheable, and the page cache
keeps serving them. One rule: ``portal.middleware.NoStoreMiddleware``."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import pytest

from events import services as events_services
from events.models import AgendaPage
from knowledge import services as knowledge_services
from knowledge.models import Theme
from newsletter import services as newsletter_services
from portal.cache import HIT_HEADER, invalidate_page_cache
from tests.events.factories import create_event
from tests.knowledge.factories import ExpertQuestionFactory
from tests.mfa import with_mfa
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def assert_not_stored(response, where: str) -> None:
    assert {"no-store", "private"} <= directives(response), (
        f"{where} ({response.status_code}) is sent with "
        f"Cache-Control: {response.get('Cache-Control')!r}"
    )


@pytest.fixture
def world(home):
    """One of everything behind a token, on the demo site."""
    agenda = AgendaPage.objects.get()
    event = create_event(agenda, title="Training no-store", capacity=5)
    registration = events_services.registration_create(
        event=event, name="Gerda Gast", email="gerda@voorbeeld.example"
    )
    registration.survey_sent_at = timezone.now()
    registration.save(update_fields=["survey_sent_at"])
    event_token = events_services.token_for(registration)
    subscriber = SubscriberFactory()
    news_token = newsletter_services.subscriber_token(subscriber=subscriber)
    pending = SubscriberFactory(status="pending", confirmed_at=None, confirmation_nonce="abc123")
    question = ExpertQuestionFactory(theme=Theme.objects.first(), email_confirmed_at=None)
    return {
        "event": event,
        "event_token": event_token,
        "news_token": news_token,
        "news_confirm_token": newsletter_services.confirmation_token(subscriber=pending),
        "question_token": knowledge_services.question_confirmation_token(question=question),
    }


# Anonymous visitors holding a link from a mail (or a forged one: the refusal is
# someone's own page too). (name, method, path template)
TOKEN_PAGES = [
    ("event: confirm address", "get", "/agenda/bevestigen/{event_token}/"),
    ("event: registration page", "get", "/agenda/aanmelding/{event_token}/"),
    ("event: cancel (GET refused)", "get", "/agenda/aanmelding/{event_token}/annuleren/"),
    ("event: seat offer", "get", "/agenda/plaats/{event_token}/"),
    ("event: evaluation survey", "get", "/agenda/evaluatie/{event_token}/"),
    ("event: certificate", "get", "/agenda/aanmelding/{event_token}/certificaat.pdf"),
    ("event: forged link", "get", "/agenda/aanmelding/vervalst/"),
    ("newsletter: confirm", "get", "/abonnement/bevestigen/{news_confirm_token}/"),
    ("newsletter: preferences", "get", "/abonnement/voorkeuren/{news_token}/"),
    ("newsletter: download my data", "get", "/abonnement/voorkeuren/{news_token}/gegevens.json"),
    ("newsletter: delete me", "get", "/abonnement/voorkeuren/{news_token}/verwijderen/"),
    ("newsletter: unsubscribe", "get", "/abonnement/afmelden/{news_token}/"),
    ("newsletter: open pixel", "get", "/abonnement/o/{news_token}/"),
    ("newsletter: forged link", "get", "/abonnement/voorkeuren/vervalst/"),
    ("knowledge: confirm question", "get", "/expertise/vraag/bevestigen/{question_token}/"),
    ("knowledge: forged link", "get", "/expertise/vraag/bevestigen/vervalst/"),
    ("casework: satisfaction survey", "get", "/enquete/vervalst/"),
    ("accounts: login", "get", "/accounts/login/"),
    ("secure area, signed out", "get", "/partners/"),
    ("event: registration page, POST", "post", "/agenda/aanmelding/{event_token}/"),
]


@pytest.mark.parametrize(
    ("name", "method", "path"), TOKEN_PAGES, ids=[name for name, *_ in TOKEN_PAGES]
)
def test_every_page_behind_a_link_or_a_login_is_not_stored(client, world, name, method, path):
    url = path.format(**world)
    response = getattr(client, method)(url)

    assert response.status_code < 500, f"{name}: {response.status_code}"
    assert_not_stored(response, f"{name} {url}")


# A signed-in user: the account pages (e-mail, second factor, password), "mijn
# trainingen" and its download, the secure area, and every other page as well.
SIGNED_IN_PAGES = [
    "/accounts/email/",
    "/accounts/2fa/",
    "/accounts/password/change/",
    "/agenda/mijn-trainingen/",
    "/agenda/mijn-trainingen/download/",
    "/partners/",
    "/",
    "/over-ons/",
    "/kennis-en-expertise/",
    "/expertise/experts/",
]


@pytest.fixture
def signed_in(client, home):
    user = with_mfa(
        get_user_model().objects.create_user(
            "nostore", email="nostore@gemeente.example", password="een lang wachtwoord 123"
        )
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_response_to_a_signed_in_user_is_not_stored(signed_in, path):
    response = signed_in.get(path)

    assert response.status_code < 500, f"{path}: {response.status_code}"
    assert_not_stored(response, path)


def test_the_registration_page_of_a_signed_in_user_is_not_stored(signed_in, world):
    event = world["event"]
    response = signed_in.post(f"/agenda/aanmelden/{event.pk}/", {})
    assert response.status_code == 302
    assert_not_stored(response, "registration by a signed-in user")
    assert_not_stored(signed_in.get(response.url), response.url)


# --- The public site stays cacheable -------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/over-ons/",
    "/kennis-en-expertise/",
    "/expertise/experts/",
    "/trainingen-en-bijeenkomsten/",
    "/agenda/aanmelden/controleer-uw-e-mail/",
    "/expertise/vraag/bedankt/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_for_anonymous_visitors_stay_cacheable(client, home, path):
    response = client.get(path)

    assert response.status_code == 200
    assert not directives(response) & {"no-store", "private", "no-cache"}, path


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    invalidate_page_cache()
    yield
    invalidate_page_cache()


def test_the_page_cache_keeps_serving_public_pages_and_never_stores_a_token_page(
    client, world, page_cache
):
    assert client.get("/over-ons/")[HIT_HEADER] == "miss"
    assert client.get("/over-ons/")[HIT_HEADER] == "hit"

    # /expertise/ is not excluded from the page cache: the no-store mark keeps the
    # confirmation page (someone's own) out of it.
    url = "/expertise/vraag/bevestigen/{question_token}/".format(**world)
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert HIT_HEADER not in response
        assert_not_stored(response, url)


# --- The census: no view behind a token escapes the rule ------------------------------


def _patterns(resolver: URLResolver, prefix: str = "/"):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _takes_a_token(pattern: URLPattern) -> bool:
    names = set(getattr(pattern.pattern, "converters", {}))
    names |= set(pattern.pattern.regex.groupindex)
    return bool(names & {"token", "signature"})


def test_every_view_behind_a_token_is_marked_or_under_a_no_store_prefix():
    token_routes = {
        route: pattern for route, pattern in _patterns(get_resolver()) if _takes_a_token(pattern)
    }
    assert len(token_routes) >= 15, sorted(token_routes)  # the census sees them all

    unmarked = sorted(
        route
        for route, pattern in token_routes.items()
        if not getattr(pattern.callback, "no_store", False)
        and not route.startswith(settings.NO_STORE_PREFIXES)
    )
    assert unmarked == []
