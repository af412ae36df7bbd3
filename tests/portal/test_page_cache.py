import re

from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.decorators.cache import never_cache

import pytest

from portal import cache as page_cache_module
from portal.cache import HIT_HEADER, AnonymousPageCacheMiddleware, invalidate_page_cache
from portal.models import ContactSettings, StandardPage

pytestmark = pytest.mark.django_db

HEADER_NONCE = re.compile(r"'nonce-([^']+)'")
BODY_NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def page_cache(settings):
    """The page cache switched on, starting from an empty generation."""
    settings.PAGE_CACHE_SECONDS = 60
    invalidate_page_cache()
    yield
    invalidate_page_cache()


@pytest.fixture
def over_ons(home):
    return StandardPage.objects.get(slug="over-ons")


def nonces(response) -> tuple[str, set[str]]:
    header = HEADER_NONCE.search(response["Content-Security-Policy"]).group(1)
    return header, set(BODY_NONCE.findall(response.content.decode()))


def test_second_anonymous_request_is_served_from_the_cache_without_database_queries(
    client, home, page_cache, django_assert_num_queries
):
    first = client.get("/")

    with django_assert_num_queries(0):
        second = client.get("/")

    assert first[HIT_HEADER] == "miss"
    assert second[HIT_HEADER] == "hit"
    assert second.status_code == 200
    assert "Samen werken aan zorg en veiligheid" in second.content.decode()


def test_a_hit_still_carries_the_security_headers(client, home, page_cache):
    client.get("/")

    hit = client.get("/")

    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["X-Frame-Options"] == "DENY"
    assert "Permissions-Policy" in hit
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]


def test_every_hit_gets_a_fresh_nonce_in_both_the_csp_header_and_the_body(client, home, page_cache):
    miss = client.get("/")
    first_hit = client.get("/")
    second_hit = client.get("/")

    seen = set()
    for response in (miss, first_hit, second_hit):
        header_nonce, body_nonces = nonces(response)
        assert body_nonces == {header_nonce}
        seen.add(header_nonce)
    assert len(seen) == 3


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def newsletter_signup(visitor, token):
    # A public form under CSRF protection; an empty address is refused with the
    # form again (not 403) when the token is the visitor's own.
    return visitor.post("/abonnement/", {"csrfmiddlewaretoken": token, "email": ""})


def test_a_hit_gives_every_visitor_a_csrf_token_of_their_own(home, page_cache, settings):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = CSRF_INPUT.search(first.get("/").content.decode()).group(1)

    hit = second.get("/")
    second_token = CSRF_INPUT.search(hit.content.decode()).group(1)

    assert hit[HIT_HEADER] == "hit"
    assert settings.CSRF_COOKIE_NAME in hit.cookies
    assert first_token not in hit.content.decode()
    assert newsletter_signup(second, second_token).status_code != 403
    assert newsletter_signup(second, first_token).status_code == 403


def test_a_head_request_is_answered_from_the_entry_a_get_stored(client, home, page_cache):
    client.get("/")

    response = client.head("/")

    assert response[HIT_HEADER] == "hit"


def test_publishing_a_page_shows_the_new_version_to_the_next_anonymous_visitor(
    client, over_ons, page_cache, django_capture_on_commit_callbacks
):
    client.get(over_ons.url)
    assert client.get(over_ons.url)[HIT_HEADER] == "hit"

    over_ons.title = "Over het Zorg- en Veiligheidshuis"
    with django_capture_on_commit_callbacks(execute=True):
        over_ons.save_revision().publish()
    response = client.get(over_ons.url)

    assert response[HIT_HEADER] == "miss"
    assert "Over het Zorg- en Veiligheidshuis" in response.content.decode()


def test_unpublishing_a_page_removes_it_from_the_cache(
    client, over_ons, page_cache, django_capture_on_commit_callbacks
):
    url = over_ons.url
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        over_ons.unpublish()

    assert client.get(url).status_code == 404


def test_deleting_a_page_removes_it_from_the_cache(
    client, over_ons, page_cache, django_capture_on_commit_callbacks
):
    url = over_ons.url
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        over_ons.delete()

    assert client.get(url).status_code == 404


def test_changing_the_contact_settings_refreshes_the_cached_pages(
    client, home, page_cache, django_capture_on_commit_callbacks
):
    url = StandardPage.objects.get(slug="contact").url
    client.get(url)
    assert client.get(url)[HIT_HEADER] == "hit"
    contact = ContactSettings.for_site(home.get_site())

    contact.visiting_address = "Nieuwe Straat 9, 5611 AA Eindhoven"
    with django_capture_on_commit_callbacks(execute=True):
        contact.save()
    response = client.get(url)

    assert response[HIT_HEADER] == "miss"
    assert "Nieuwe Straat 9" in response.content.decode()


def test_an_english_browser_gets_the_cached_dutch_page_never_an_english_one(
    client, home, page_cache
):
    client.get("/")

    english_browser = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})

    # One copy for every browser: the Dutch page is a hit, not a second entry.
    assert english_browser[HIT_HEADER] == "hit"
    assert "accept-language" not in english_browser.get("Vary", "").lower()
    assert '<html lang="nl">' in english_browser.content.decode()
    assert "Naar de inhoud" in english_browser.content.decode()


def test_logged_in_users_are_never_served_from_the_cache_nor_stored_in_it(
    client, home, page_cache, django_user_model
):
    client.get("/")  # an anonymous visitor fills the cache
    user = django_user_model.objects.create_user(username="redacteur", password="x" * 12)
    client.force_login(user)

    logged_in = [client.get("/"), client.get("/")]
    client.logout()
    client.cookies.clear()
    anonymous = client.get("/")

    assert all(HIT_HEADER not in response for response in logged_in)
    assert anonymous[HIT_HEADER] == "hit"


@pytest.mark.parametrize(
    "path", ["/admin/", "/django-admin/", "/accounts/login/", "/health/", "/partners/"]
)
def test_admin_accounts_health_and_partner_urls_are_never_cached(client, home, page_cache, path):
    responses = [client.get(path), client.get(path)]

    assert all(HIT_HEADER not in response for response in responses)


def test_the_cache_is_off_when_page_cache_seconds_is_0(client, home, settings):
    settings.PAGE_CACHE_SECONDS = 0
    invalidate_page_cache()
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert HIT_HEADER not in response
    assert len(queries) > 0  # rendered again: Wagtail looks up the site and the page


def uncacheable_cookie(request):
    response = HttpResponse("<p>hallo</p>")
    response.set_cookie("voorkeur", "1")
    return response


@never_cache
def uncacheable_never_cache(request):
    return HttpResponse("<p>hallo</p>")


def uncacheable_private(request):
    response = HttpResponse("<p>hallo</p>")
    response["Cache-Control"] = "private, max-age=60"
    return response


def uncacheable_not_found(request):
    return HttpResponse("<p>weg</p>", status=404)


def uncacheable_vary_accept(request):
    response = HttpResponse("<p>hallo</p>")
    response["Vary"] = "Accept"
    return response


@pytest.mark.parametrize(
    "view",
    [
        uncacheable_cookie,
        uncacheable_never_cache,
        uncacheable_private,
        uncacheable_not_found,
        uncacheable_vary_accept,
    ],
)
def test_responses_that_set_cookies_fail_or_forbid_caching_are_not_stored(page_cache, view):
    middleware = AnonymousPageCacheMiddleware(view)
    rf = RequestFactory()

    responses = [middleware(rf.get("/ergens/")), middleware(rf.get("/ergens/"))]

    assert all(HIT_HEADER not in response for response in responses)


@pytest.mark.parametrize(
    ("cookie", "method"),
    [("sessionid", "GET"), ("messages", "GET"), (None, "POST")],
)
def test_requests_with_a_session_a_message_or_a_post_bypass_the_cache(page_cache, cookie, method):
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse("<p>hallo</p>")

    middleware = AnonymousPageCacheMiddleware(view)
    middleware(RequestFactory().get("/ergens/"))  # stored for anonymous visitors
    request = RequestFactory().generic(method, "/ergens/")
    if cookie:
        request.COOKIES[cookie] = "abc"

    response = middleware(request)

    assert HIT_HEADER not in response
    assert len(calls) == 2


def test_a_cache_outage_only_costs_speed(client, home, page_cache, monkeypatch):
    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        add = set = incr = get

    monkeypatch.setattr(page_cache_module, "_cache", BrokenCache)

    response = client.get("/")

    assert response.status_code == 200
    assert HIT_HEADER not in response
