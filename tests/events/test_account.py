"""The account pages lead to "mijn inschrijvingen", which adds up points per register and year."""

import re

from django.utils import timezone

import pytest

from events import services

from .factories import RegistrationFactory, create_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/"])
def test_the_account_pages_link_to_mijn_trainingen(client, user, path):
    client.force_login(user)

    html = client.get(path).content.decode()

    assert '<nav class="account-nav" aria-label="Uw account">' in html
    assert '<a href="/agenda/mijn-trainingen/">Mijn inschrijvingen</a>' in html


def attended(event, user):
    registration = RegistrationFactory(event=event, user=user, email=user.email)
    for session in event.sessions.all():
        services.attendance_record(registration=registration, session=session, present=True)


def test_mijn_trainingen_shows_points_per_register_and_per_year(client, agenda, user):
    skj = create_event(agenda, days=-1, accreditation_register="SKJ", accreditation_points=3)
    big = create_event(agenda, days=-1, accreditation_register="BIG", accreditation_points=4)
    skj_earlier = create_event(
        agenda, days=-400, accreditation_register="SKJ", accreditation_points=2.5
    )
    for event in (skj, big, skj_earlier):
        attended(event, user)
    absent = create_event(agenda, days=-2, accreditation_register="SKJ", accreditation_points=9)
    RegistrationFactory(event=absent, user=user, email=user.email)  # no attendance, no points
    client.force_login(user)

    html = client.get("/agenda/mijn-trainingen/").content.decode().replace("\n", "")

    year = timezone.localtime(skj.starts_at).year
    earlier = timezone.localtime(skj_earlier.starts_at).year
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\d{4})</td><td>([\d,]+)</td></tr>", html)
    assert rows == [("BIG", str(year), "4"), ("SKJ", str(year), "3"), ("SKJ", str(earlier), "2,5")]
