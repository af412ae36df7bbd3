"""Fixtures for the events tests.

Loading the whole demo takes seconds per test, so most tests build a small
site of their own: a home page, the agenda and only the events they need.
"""

from wagtail.models import Locale, Page, Site

import pytest

from .factories import create_agenda, create_event


def _home(slug: str):
    from portal.models import HomePage

    locale, _ = Locale.objects.get_or_create(language_code="nl")
    # A transactional test's flush removes even Wagtail's root page.
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    return root.add_child(instance=HomePage(title="Home", slug=slug))


@pytest.fixture
def bare_agenda(db):
    """An agenda that is not served by any site: enough for the services."""
    return create_agenda(_home(f"home-{Page.objects.count()}"))


@pytest.fixture
def agenda(db):
    """The agenda served by the default site at /trainingen-en-bijeenkomsten/."""
    from events.models import AgendaPage

    home = _home("home-events")
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    agenda = home.add_child(
        instance=AgendaPage(title="Trainingen & bijeenkomsten", slug="trainingen-en-bijeenkomsten")
    )
    agenda.save_revision().publish()
    return agenda


@pytest.fixture
def programme(agenda):
    """A small programme with themes, regions, kinds, one past and one full event."""
    from events.models import Registration, RegistrationStatus
    from knowledge.models import Theme
    from portal.models import Basisteam

    def theme(slug):
        return Theme.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]

    peelland = Basisteam.objects.get_or_create(name="Peelland")[0]
    kempen = Basisteam.objects.get_or_create(name="De Kempen")[0]
    events = {
        "procesregie": create_event(
            agenda,
            title="Training procesregie",
            days=20,
            sessions=2,
            region=peelland,
            themes=[theme("com-ave-model")],
            accreditation_register="SKJ",
            accreditation_points=12,
            route_url="https://example.org/route",
        ),
        "webinar": create_event(
            agenda,
            title="Webinar privacy",
            kind="webinar",
            days=35,
            address="",
            venue="",
            online_url="https://meet.example.org/geheim",
            themes=[theme("privacy")],
        ),
        "intervisie": create_event(
            agenda, title="Intervisie", kind="intervisie", days=45, region=peelland
        ),
        "vol": create_event(
            agenda,
            title="Netwerkbijeenkomst vol",
            kind="netwerkbijeenkomst",
            days=12,
            capacity=1,
            region=kempen,
        ),
        "verleden": create_event(
            agenda, title="Training weegtafel", days=-30, themes=[theme("radicalisering")]
        ),
    }
    Registration.objects.create(
        event=events["vol"],
        name="Vol Bezet",
        email="vol@voorbeeld.example",
        status=RegistrationStatus.CONFIRMED,
    )
    return events


@pytest.fixture
def event(bare_agenda):
    return create_event(bare_agenda, capacity=2)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username="professional",
        email="professional@voorbeeld.example",
        password="x" * 16,
        first_name="Pim",
        last_name="Professional",
    )


@pytest.fixture
def make_user(django_user_model):
    counter = iter(range(1, 100_000))

    def make(**kwargs):
        n = next(counter)
        return django_user_model.objects.create_user(
            username=f"user{n}", email=f"user{n}@voorbeeld.example", password="x" * 16, **kwargs
        )

    return make
