""" "Alleen voor partners": partner users (a casework Membership of an active partner
organisation) and ZVH staff may register; guests and other professionals see why not."""

import pytest

from casework.roles import PROCESREGISSEUR
from events import services
from events.models import Registration
from events.models import RegistrationStatus as Status
from tests.casework.factories import OrganisationFactory, partner_user, staff_user

from .factories import create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def intervisie(agenda):
    return create_event(agenda, title="Intervisie voor partners", partners_only=True)


def test_partner_users_and_zvh_staff_may_register(intervisie):
    partner = partner_user(mfa=False)
    regisseur = staff_user(PROCESREGISSEUR, mfa=False)

    for user in (partner, regisseur):
        registration = services.registration_create(event=intervisie, user=user)
        assert registration.status == Status.CONFIRMED


def test_a_professional_without_a_partner_organisation_is_refused(intervisie, user):
    with pytest.raises(services.PartnersOnly) as excinfo:
        services.registration_create(event=intervisie, user=user)

    assert "niet gekoppeld aan een partnerorganisatie" in excinfo.value.message
    assert not Registration.objects.exists()


def test_a_member_of_an_inactive_partner_organisation_is_refused(intervisie):
    former = partner_user(OrganisationFactory(is_active=False), mfa=False)

    with pytest.raises(services.PartnersOnly):
        services.registration_create(event=intervisie, user=former)


def test_guests_are_refused_by_the_service(intervisie):
    with pytest.raises(services.PartnersOnly):
        services.registration_create(
            event=intervisie, name="Gerda Gast", email="g@voorbeeld.example"
        )


def test_guests_see_an_explanation_and_a_login_link_instead_of_the_form(client, intervisie):
    html = client.get(intervisie.url).content.decode()

    assert "alleen voor professionals van onze convenantpartners" in html
    assert "/accounts/login/?next=" in html
    assert f'action="/agenda/aanmelden/{intervisie.pk}/"' not in html


def test_other_professionals_see_why_they_cannot_register(client, intervisie, user):
    client.force_login(user)

    html = client.get(intervisie.url).content.decode()

    assert "Uw account is niet gekoppeld aan een partnerorganisatie" in html
    assert f'action="/agenda/aanmelden/{intervisie.pk}/"' not in html


@pytest.mark.parametrize("who", ["guest", "professional"])
def test_a_post_from_someone_who_may_not_register_is_refused_with_403(
    client, intervisie, user, who
):
    if who == "professional":
        client.force_login(user)

    response = client.post(
        f"/agenda/aanmelden/{intervisie.pk}/",
        {"name": "Gerda Gast", "email": "gerda@voorbeeld.example"},
    )

    assert response.status_code == 403
    assert "alleen voor professionals van onze convenantpartners" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_partner_user_registers_in_one_step(client, intervisie):
    partner = partner_user()
    client.force_login(partner)

    response = client.post(f"/agenda/aanmelden/{intervisie.pk}/")

    assert response.status_code == 302
    assert Registration.objects.get().user == partner
