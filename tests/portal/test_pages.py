import pytest

from portal.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_home_page_is_dutch_with_the_main_sections_in_the_navigation(client, home):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    for title in [
        "Kennis &amp; expertise",
        "Trainingen &amp; bijeenkomsten",
        "Nieuwsbrief",
        "Voor partners",
        "Over ons",
        "Contact",
    ]:
        assert title in html
    assert "Naar de inhoud" in html


def test_every_demo_page_renders(client, home):
    for page in home.get_descendants(inclusive=True).live().specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title.replace("&", "&amp;") in response.content.decode()


def test_contact_page_shows_the_contact_details_from_site_settings(client, home):
    contact = StandardPage.objects.get(slug="contact")

    html = client.get(contact.url).content.decode()

    assert "Voorbeeldstraat 1" in html
    assert "info@zvh-bzo.example" in html


def test_loading_the_demo_twice_keeps_one_of_everything(demo_site):
    from knowledge.models import Theme
    from portal import demo
    from portal.models import Municipality

    demo.load()

    assert HomePage.objects.count() == 1
    assert StandardPage.objects.filter(slug="contact").count() == 1
    assert Theme.objects.count() == 7
    assert Municipality.objects.count() == 21


def test_unknown_url_gives_a_dutch_404_page(client, home):
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()
