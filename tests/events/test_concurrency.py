"""Capacity is never exceeded, also when many people register at the same moment.

Each thread has its own database connection (Django's connections are per
thread), and a barrier releases them together. The control test runs the same
rush without the event lock and shows the race is real.
"""

import threading
from unittest import mock

from django.db import connection, connections
from django.test import Client

import pytest

from events import services
from events.models import Registration
from events.models import RegistrationStatus as Status

from .factories import create_event

# Each rush holds RUSH + 1 connections at once; two rushes on the two xdist workers
# at the same moment would need more than PostgreSQL's default 100 (seen in CI:
# "too many clients already"). One group runs them one after another on one worker.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("rush")]

RUSH = 50
SEATS = 10


# A thread that fails before the barrier (a refused connection on a busy database
# server, say) aborts it, so the others fail too instead of waiting for ever.
BARRIER_TIMEOUT = 120


def rush(event, users, *, through_http: bool):
    barrier = threading.Barrier(len(users), timeout=BARRIER_TIMEOUT)
    results, errors = [], []

    def one(user):
        try:
            if through_http:
                client = Client()
                client.force_login(user)
                barrier.wait()
                response = client.post(f"/agenda/aanmelden/{event.pk}/")
                results.append(response.status_code)
            else:
                barrier.wait()
                services.registration_create(event=event, user=user, lock=False)
                results.append(302)
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            errors.append(repr(exc))
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a registration never finished"
    return results, errors


@pytest.fixture
def rush_event(bare_agenda):
    return create_event(bare_agenda, capacity=SEATS)


@pytest.fixture
def users(make_user):
    return [make_user() for _ in range(RUSH)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_fifty_simultaneous_registrations_fill_ten_seats_exactly(rush_event, users):
    results, errors = rush(rush_event, users, through_http=True)

    assert errors == []
    assert results == [302] * RUSH
    registrations = Registration.objects.filter(event=rush_event)
    assert registrations.filter(status=Status.CONFIRMED).count() == SEATS
    assert registrations.filter(status=Status.WAITLISTED).count() == RUSH - SEATS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_control_without_the_lock_the_same_rush_overbooks(rush_event, users):
    # Widen the window between counting and inserting the way a busy server
    # does, so the race shows on every run and not only on a loaded machine.
    real_seats_free = services.seats_free

    def slow_seats_free(*, event):
        free = real_seats_free(event=event)
        threading.Event().wait(0.05)
        return free

    # Patched where registration_create looks it up, not on the package.
    with mock.patch("events.services.registration.seats_free", slow_seats_free):
        results, errors = rush(rush_event, users, through_http=False)

    assert errors == []
    confirmed = Registration.objects.filter(event=rush_event, status=Status.CONFIRMED).count()
    assert confirmed > SEATS
