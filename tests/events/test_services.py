"""The registration rules in events.services, one behaviour per test."""

from datetime import timedelta

from django.db import IntegrityError
from django.utils import timezone

import pytest

from events import services
from events.models import Registration
from events.models import RegistrationStatus as Status

from .factories import RegistrationFactory, create_event

pytestmark = pytest.mark.django_db


def register_guest(event, n, **kwargs):
    return services.registration_create(
        event=event, name=f"Gast {n}", email=f"gast{n}@voorbeeld.example", **kwargs
    )


def test_logged_in_user_is_confirmed_in_one_step(event, user):
    registration = services.registration_create(event=event, user=user)

    assert registration.status == Status.CONFIRMED
    assert registration.email == "professional@voorbeeld.example"
    assert registration.name == "Pim Professional"


def test_guest_holds_a_seat_until_the_email_address_is_confirmed(event):
    registration = register_guest(event, 1)

    assert registration.status == Status.HELD
    assert services.seats_free(event=event) == 1
    services.registration_confirm_email(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_confirming_twice_changes_nothing(event):
    registration = register_guest(event, 1)
    services.registration_confirm_email(registration=registration)
    again = services.registration_confirm_email(registration=registration)

    assert again.status == Status.CONFIRMED


def test_when_full_the_next_person_goes_on_the_waiting_list(event, make_user):
    for _ in range(2):
        services.registration_create(event=event, user=make_user())

    late = services.registration_create(event=event, user=make_user())

    assert late.status == Status.WAITLISTED
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 2


def test_duplicate_registration_is_refused_and_the_address_is_mailed_its_own_link(
    event, mailoutbox, django_capture_on_commit_callbacks
):
    first = register_guest(event, 1)

    with (
        pytest.raises(services.DuplicateRegistration) as excinfo,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.registration_create(event=event, name="Gast", email=" GAST1@voorbeeld.example ")

    assert excinfo.value.message == "Dit e-mailadres is al ingeschreven voor deze bijeenkomst."
    assert excinfo.value.registration == first
    assert [m.subject for m in mailoutbox] == [f"U bent al ingeschreven: {event.title}"]
    assert Registration.objects.filter(event=event).count() == 1


def test_the_database_refuses_a_second_active_registration_too(event):
    RegistrationFactory(event=event, email="dubbel@voorbeeld.example")

    with pytest.raises(IntegrityError):
        RegistrationFactory(event=event, email="dubbel@voorbeeld.example")


def test_a_cancelled_person_may_register_again(event, user):
    first = services.registration_create(event=event, user=user)
    services.registration_cancel(registration=first)

    again = services.registration_create(event=event, user=user)
    assert again.status == Status.CONFIRMED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"registration_opens_at": timezone.now() + timedelta(days=1)},
            "De inschrijving is nog niet geopend.",
        ),
        (
            {"registration_closes_at": timezone.now() - timedelta(hours=1)},
            "De inschrijving is gesloten.",
        ),
        ({"days": -1}, "Deze bijeenkomst is al begonnen."),
    ],
)
def test_registration_outside_its_window_is_refused(bare_agenda, fields, message):
    event = create_event(bare_agenda, **fields)

    with pytest.raises(services.RegistrationError) as excinfo:
        register_guest(event, 1)
    assert excinfo.value.message == message


def test_partners_only_events_refuse_guests(bare_agenda):
    from tests.casework.factories import partner_user

    event = create_event(bare_agenda, partners_only=True)

    with pytest.raises(services.RegistrationError):
        register_guest(event, 1)
    partner = partner_user(mfa=False)
    assert services.registration_create(event=event, user=partner).status == Status.CONFIRMED


def test_cancellation_offers_the_seat_to_the_first_person_waiting(event, make_user):
    first, _second = (services.registration_create(event=event, user=make_user()) for _ in range(2))
    waiting_1 = services.registration_create(event=event, user=make_user())
    waiting_2 = services.registration_create(event=event, user=make_user())

    services.registration_cancel(registration=first)

    waiting_1.refresh_from_db()
    waiting_2.refresh_from_db()
    assert waiting_1.status == Status.OFFERED
    assert waiting_1.offer_expires_at > timezone.now()
    assert waiting_2.status == Status.WAITLISTED


def test_accepting_an_offer_confirms_the_seat(event, make_user):
    first = services.registration_create(event=event, user=make_user())
    services.registration_create(event=event, user=make_user())
    waiting = services.registration_create(event=event, user=make_user())
    services.registration_cancel(registration=first)
    waiting.refresh_from_db()

    services.offer_accept(registration=waiting)

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert services.seats_free(event=event) == 0


def test_declining_an_offer_passes_it_to_the_next_person(event, make_user):
    first = services.registration_create(event=event, user=make_user())
    services.registration_create(event=event, user=make_user())
    waiting_1 = services.registration_create(event=event, user=make_user())
    waiting_2 = services.registration_create(event=event, user=make_user())
    services.registration_cancel(registration=first)
    waiting_1.refresh_from_db()

    services.offer_decline(registration=waiting_1)

    waiting_1.refresh_from_db()
    waiting_2.refresh_from_db()
    assert waiting_1.status == Status.CANCELLED
    assert waiting_2.status == Status.OFFERED


def test_an_unanswered_offer_expires_and_passes_on(event, make_user):
    first = services.registration_create(event=event, user=make_user())
    services.registration_create(event=event, user=make_user())
    waiting_1 = services.registration_create(event=event, user=make_user())
    waiting_2 = services.registration_create(event=event, user=make_user())
    services.registration_cancel(registration=first)
    waiting_1.refresh_from_db()

    services.holds_and_offers_expire(now=waiting_1.offer_expires_at + timedelta(minutes=1))

    waiting_1.refresh_from_db()
    waiting_2.refresh_from_db()
    assert waiting_1.status == Status.EXPIRED
    assert waiting_2.status == Status.OFFERED
    with pytest.raises(services.RegistrationError):
        services.offer_accept(registration=waiting_1)


def test_the_offer_window_is_shorter_close_to_the_event(bare_agenda, settings):
    settings.EVENTS_OFFER_HOURS = 48
    settings.EVENTS_OFFER_HOURS_NEAR = 4
    far = create_event(bare_agenda, days=20)
    near = create_event(bare_agenda, days=2)
    very_near = create_event(bare_agenda, days=1 / 24)

    assert services.offer_window(event=far) == timedelta(hours=48)
    assert services.offer_window(event=near) == timedelta(hours=4)
    assert services.offer_window(event=very_near) <= timedelta(hours=1)


def test_unconfirmed_guest_holds_expire_and_free_the_seat(event, make_user, settings):
    held = register_guest(event, 1)
    services.registration_create(event=event, user=make_user())
    waiting = services.registration_create(event=event, user=make_user())

    services.holds_and_offers_expire(now=held.hold_expires_at + timedelta(seconds=1))

    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == Status.EXPIRED
    assert waiting.status == Status.OFFERED
    with pytest.raises(services.RegistrationError):
        services.registration_confirm_email(registration=held)


def test_unconfirmed_guests_on_the_waiting_list_get_no_offer(event, make_user):
    first = services.registration_create(event=event, user=make_user())
    services.registration_create(event=event, user=make_user())
    unconfirmed_guest = register_guest(event, 1)
    confirmed_user = services.registration_create(event=event, user=make_user())

    services.registration_cancel(registration=first)

    unconfirmed_guest.refresh_from_db()
    confirmed_user.refresh_from_db()
    assert unconfirmed_guest.status == Status.WAITLISTED
    assert confirmed_user.status == Status.OFFERED


def test_a_capacity_increase_offers_seats_in_order(event, make_user):
    for _ in range(2):
        services.registration_create(event=event, user=make_user())
    waiting = [services.registration_create(event=event, user=make_user()) for _ in range(3)]

    event.capacity = 4
    event.save_revision().publish()

    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [Status.OFFERED, Status.OFFERED, Status.WAITLISTED]


def test_cancelling_after_the_deadline_is_refused_but_staff_can(bare_agenda, user):
    event = create_event(bare_agenda, days=0.5, cancellation_deadline_hours=24)
    registration = services.registration_create(event=event, user=user)

    with pytest.raises(services.RegistrationError):
        services.registration_cancel(registration=registration)
    services.registration_cancel(registration=registration, by_staff=True)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_changing_the_time_raises_the_calendar_sequence_and_tells_registrants(
    event, user, mailoutbox, django_capture_on_commit_callbacks
):
    services.registration_create(event=event, user=user)
    assert event.ical_sequence == 0
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sessions = list(event.sessions.all())
        sessions[0].starts_at += timedelta(hours=1)
        sessions[0].ends_at += timedelta(hours=1)
        event.sessions = sessions
        event.save_revision().publish()

    event.refresh_from_db()
    assert event.ical_sequence == 1
    assert [m.subject for m in mailoutbox] == [f"Gewijzigd: {event.title}"]


def test_editing_only_the_text_keeps_the_sequence(event):
    event.introduction = "Nieuwe tekst"
    event.save_revision().publish()

    event.refresh_from_db()
    assert event.ical_sequence == 0


def test_cancelling_the_event_cancels_everyone_and_raises_the_sequence(event, make_user):
    registrations = [services.registration_create(event=event, user=make_user()) for _ in range(3)]

    assert services.event_cancel(event=event) == 3

    event.refresh_from_db()
    assert event.is_cancelled and event.ical_sequence == 1
    assert {Registration.objects.get(pk=r.pk).status for r in registrations} == {Status.CANCELLED}
    with pytest.raises(services.RegistrationError):
        register_guest(event, 9)


def test_republishing_an_old_revision_does_not_undo_a_cancellation(event):
    revision = event.latest_revision
    services.event_cancel(event=event)

    revision.publish()

    event.refresh_from_db()
    assert event.is_cancelled


@pytest.mark.parametrize(
    ("register", "number", "valid"),
    [
        ("BIG", "12345678901", True),
        ("BIG", "1234567890", False),
        ("SKJ", "123456789", True),
        ("SKJ", "12345A789", False),
        ("Registerplein", "12345", True),
        ("", "AB-123", True),
        ("", "x", False),
    ],
)
def test_register_numbers_are_checked_for_format(register, number, valid):
    assert services.register_number_is_valid(register=register, number=number) is valid


def test_tokens_identify_the_registration_and_reject_tampering(event):
    registration = register_guest(event, 1)
    token = services.token_for(registration)

    assert services.registration_from_token(token) == registration
    assert services.registration_from_token(token[:-2] + "xx") is None
