import pytest

from newsletter.models import NewsletterIndexPage, NewsletterIssuePage


@pytest.fixture(autouse=True)
def fast_sending(settings):
    # No sleeping between messages in tests; the rate logic has its own test.
    settings.NEWSLETTER_RATE_PER_SECOND = 0
    settings.NEWSLETTER_RATE_PER_HOUR = 0
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example"


@pytest.fixture
def site(db):
    """The home page, themes and the newsletter section: lighter than the whole demo."""
    from newsletter.demo import _index_page
    from portal.demo import load_home, load_reference_data

    load_reference_data()
    home = load_home()
    _index_page(home)
    return home


@pytest.fixture
def index(site) -> NewsletterIndexPage:
    return NewsletterIndexPage.objects.get()


@pytest.fixture
def issue(index) -> NewsletterIssuePage:
    page = index.add_child(
        instance=NewsletterIssuePage(
            title="Nieuwsbrief winter",
            slug="winter",
            subject="Winter bij het ZVH",
            body=[
                {
                    "type": "intro",
                    "value": {"heading": "Welkom", "text": "Het nieuws van de winter."},
                },
                {
                    "type": "rich_text",
                    "value": '<p>Lees de <a href="https://kennis.example/artikel">nieuwe handreiking</a>.</p>',
                },
                {
                    "type": "call_to_action",
                    "value": {
                        "text": "Meld u aan",
                        "label": "Naar de agenda",
                        "url": "https://portal.example/agenda/",
                    },
                },
            ],
        )
    )
    page.save_revision().publish()
    return NewsletterIssuePage.objects.get(pk=page.pk)


def links_in(text: str) -> list[str]:
    import re

    return re.findall(r"https?://[^\s\"'<>]+", text)
