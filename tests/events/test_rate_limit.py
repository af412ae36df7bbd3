"""The public guest registration is rate limited per client address (django-ratelimit)."""

from django.core.cache import cache
from django.test import override_settings

import pytest

from events.models import Registration

from .factories import STANDARD_QUESTIONS, create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(agenda):
    cache.clear()  # the counters live in the cache; start every test from zero
    yield create_event(agenda, capacity=20, questions=STANDARD_QUESTIONS[:1])
    cache.clear()


def post(client, event, n, address="203.0.113.7"):
    organisation = event.questions.get()
    return client.post(
        f"/agenda/aanmelden/{event.pk}/",
        {
            "name": f"Gast Nummer{n}",
            "email": f"gast{n}@voorbeeld.example",
            organisation.key: "Gemeente Voorbeeld",
        },
        REMOTE_ADDR=address,
    )


@override_settings(RATELIMIT_ENABLE=True, EVENTS_GUEST_REGISTER_RATE="2/h")
def test_a_blocked_guest_gets_a_dutch_429_and_keeps_what_was_typed(client, training):
    assert [post(client, training, n).status_code for n in (1, 2)] == [302, 302]

    response = post(client, training, 3)

    html = response.content.decode()
    assert response.status_code == 429
    assert "Er zijn in korte tijd te veel inschrijvingen verstuurd" in html
    assert 'value="Gast Nummer3"' in html
    assert 'value="gast3@voorbeeld.example"' in html
    assert 'value="Gemeente Voorbeeld"' in html
    assert Registration.objects.count() == 2


@override_settings(RATELIMIT_ENABLE=True, EVENTS_GUEST_REGISTER_RATE="2/h")
def test_the_limit_is_per_client_address(client, training):
    for n in (1, 2):
        post(client, training, n)

    assert post(client, training, 3, address="198.51.100.9").status_code == 302


@override_settings(RATELIMIT_ENABLE=True, EVENTS_GUEST_REGISTER_RATE="1/h")
def test_logged_in_professionals_are_not_limited(client, training, make_user):
    post(client, training, 1)
    organisation = training.questions.get()

    statuses = []
    for _ in range(2):
        client.force_login(make_user())
        response = client.post(
            f"/agenda/aanmelden/{training.pk}/",
            {organisation.key: "GGZ"},
            REMOTE_ADDR="203.0.113.7",
        )
        statuses.append(response.status_code)

    assert statuses == [302, 302]
