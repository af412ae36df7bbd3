"""Sign-ups and preference-centre POSTs are rate limited per client address."""

from django.core.cache import caches

import pytest

from newsletter import services
from newsletter.models import Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """Limits on, counted in a cache of this test's own (never flush the shared Redis)."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit-test": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit-test"
    settings.RATELIMIT_ENABLE = True
    settings.NEWSLETTER_SIGNUP_RATE = "2/h"
    settings.NEWSLETTER_PREFERENCES_RATE = "2/h"
    caches["ratelimit-test"].clear()
    yield
    caches["ratelimit-test"].clear()


def test_a_third_sign_up_within_the_hour_is_refused_in_dutch_and_keeps_what_was_typed(
    client, site, limits
):
    for n in range(2):
        client.post("/abonnement/", {"email": f"a{n}@voorbeeld.example"}, REMOTE_ADDR="192.0.2.7")

    response = client.post(
        "/abonnement/",
        {"email": "derde@voorbeeld.example", "name": "Derde Lezer", "organisation": "Gemeente"},
        REMOTE_ADDR="192.0.2.7",
    )

    assert response.status_code == 429
    html = response.content.decode()
    assert "Te veel pogingen" in html
    assert 'value="derde@voorbeeld.example"' in html and 'value="Derde Lezer"' in html
    assert not Subscriber.objects.filter(email="derde@voorbeeld.example").exists()
    # Another client is not affected.
    other = client.post("/abonnement/", {"email": "c@voorbeeld.example"}, REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 302


def test_preference_changes_are_limited_too_and_the_form_keeps_its_input(client, site, limits):
    reader = SubscriberFactory()
    url = f"/abonnement/voorkeuren/{services.subscriber_token(subscriber=reader)}/"
    data = {"name": "Nieuwe naam", "organisation": "", "frequency": "issue"}
    for _n in range(2):
        assert client.post(url, data, REMOTE_ADDR="192.0.2.7").status_code == 302

    response = client.post(url, {**data, "name": "Nog een naam"}, REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()
    assert 'value="Nog een naam"' in response.content.decode()
    reader.refresh_from_db()
    assert reader.name == "Nieuwe naam"
    # Reading the page is never limited.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
