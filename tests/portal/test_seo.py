"""What search engines, feed readers and security researchers read: robots.txt, the
sitemap, security.txt (RFC 9116), canonical and OpenGraph metadata, the print
stylesheet, and lang="nl" on every page."""

import datetime as dt

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from defusedxml import ElementTree as ET

from portal.models import StandardPage

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PUBLIC = "https://www.zvh-bzo.example"


@pytest.fixture(autouse=True)
def public_address(settings):
    """Absolute addresses are on BASE_URL, never on the host a request came in on."""
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    tree = ET.fromstring(response.content)
    return [loc.text for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]


def test_robots_txt_keeps_crawlers_out_of_the_secure_areas_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for prefix in ["/partners/", "/admin/", "/django-admin/", "/accounts/", "/zoeken/"]:
        assert f"Disallow: {prefix}" in lines
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in lines
    # The public sections stay open.
    assert "Disallow: /" not in lines


def test_the_sitemap_lists_the_live_public_pages_on_the_public_address(client, home):
    locations = sitemap_locations(client)

    assert f"{PUBLIC}/" in locations
    for slug in [
        "over-ons",
        "privacyverklaring",
        "cookieverklaring",
        "toegankelijkheidsverklaring",
    ]:
        assert f"{PUBLIC}/{slug}/" in locations
    assert all(location.startswith(f"{PUBLIC}/") for location in locations)


def test_the_sitemap_leaves_out_drafts_and_restricted_pages(client, home):
    draft = home.add_child(instance=StandardPage(title="Concept", slug="concept", live=False))
    restricted = home.add_child(instance=StandardPage(title="Intern", slug="intern"))
    restricted.save_revision().publish()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)

    locations = sitemap_locations(client)

    assert f"{PUBLIC}{draft.url or '/concept/'}" not in locations
    assert f"{PUBLIC}/intern/" not in locations
    assert not any("/partners/" in location for location in locations)


def parse_security_txt(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields


def test_security_txt_has_the_rfc_9116_fields_and_expires_in_the_future(client, settings):
    settings.SECURITY_CONTACT = ["mailto:security@zvh-bzo.example", "https://zvh.example/melden"]

    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = parse_security_txt(response.content.decode())
    assert fields["Contact"] == ["mailto:security@zvh-bzo.example", "https://zvh.example/melden"]
    assert fields["Preferred-Languages"] == ["nl, en"]
    assert fields["Canonical"] == [f"{PUBLIC}/.well-known/security.txt"]
    expires = dt.datetime.fromisoformat(fields["Expires"][0].replace("Z", "+00:00"))
    now = timezone.now()
    assert now < expires <= now + dt.timedelta(days=settings.SECURITY_TXT_EXPIRES_DAYS)
    # RFC 9116 advises less than a year.
    assert expires - now < dt.timedelta(days=366)


def test_without_a_contact_there_is_no_security_txt_rather_than_an_invalid_one(client, settings):
    settings.SECURITY_CONTACT = []

    assert client.get("/.well-known/security.txt").status_code == 404


def test_pages_name_their_canonical_address_and_opengraph_metadata(client, home):
    page = StandardPage.objects.get(slug="over-ons")

    html = client.get("/over-ons/?utm_source=nieuwsbrief").content.decode()

    assert f'<link rel="canonical" href="{PUBLIC}/over-ons/">' in html
    assert f'<meta property="og:url" content="{PUBLIC}/over-ons/">' in html
    assert f'<meta property="og:title" content="{page.title}">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:locale" content="nl_NL">' in html
    assert f'<meta property="og:description" content="{page.introduction}">' in html


def test_an_article_is_an_opengraph_article(client, home):
    from knowledge.models import ExpertiseArticlePage

    article = ExpertiseArticlePage.objects.live().first()

    html = client.get(article.url).content.decode()

    assert '<meta property="og:type" content="article">' in html
    assert f'<link rel="canonical" href="{PUBLIC}{article.url}">' in html


def test_every_page_is_lang_nl_links_the_feeds_and_has_a_print_stylesheet(client, home):
    for url in ["/", "/over-ons/", "/toegankelijkheidsverklaring/", "/zoeken/?q=jeugd"]:
        html = client.get(url).content.decode()

        assert '<html lang="nl">' in html, url
        assert 'media="print"' in html and "css/print" in html, url
        assert (
            '<link rel="alternate" type="application/atom+xml" title="Nieuwe artikelen (Atom)" '
            'href="/expertise/artikelen/atom/">'
        ) in html, url


def test_an_english_browser_still_gets_dutch_with_lang_nl(client, home):
    html = client.get(
        "/privacyverklaring/", headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()

    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html


def test_partners_only_events_are_public_pages_so_they_are_in_the_sitemap(client, home):
    # Anyone may read them (the agenda lists them); only registration is closed.
    from events.models import EventPage

    event = EventPage.objects.live().filter(partners_only=True).first()

    assert client.get(event.url).status_code == 200
    assert f"{PUBLIC}{event.url}" in sitemap_locations(client)
