"""Step A: organisations, memberships, ZVH roles and relatiemanagement."""

from django.contrib.auth.models import Group
from django.db import IntegrityError

import pytest

from casework import services
from casework.models import Membership, Relatiebeheer
from casework.roles import ROLE_PERMISSIONS

from .factories import (
    BasisteamFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


def test_every_zvh_role_exists_as_a_group_with_exactly_its_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = set(group.permissions.values_list("content_type__app_label", "codename"))
        assert set(perms) <= held


def test_only_the_manager_role_may_see_every_case():
    holders = Group.objects.filter(permissions__codename="view_all_cases")
    assert list(holders.values_list("name", flat=True)) == ["Manager"]


def test_a_user_belongs_to_at_most_one_organisation(organisation, other_organisation):
    user = UserFactory()
    Membership.objects.create(user=user, organisation=organisation)
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, organisation=other_organisation)


def test_a_municipal_organisation_records_its_municipality_and_department():
    municipality = MunicipalityFactory(name="Gemeente Testdorp")
    organisation = OrganisationFactory(municipality=municipality, department="handhaving")
    assert organisation.municipality == municipality
    assert organisation.get_department_display() == "Handhaving"


def test_zvh_staff_cannot_be_made_member_of_a_partner_organisation(organisation):
    regisseur = staff_user("Procesregisseur")
    with pytest.raises(services.CaseworkError):
        services.membership_set(user=regisseur, organisation=organisation)


def test_a_new_case_defaults_to_the_regisseur_of_the_municipalitys_basisteam():
    team = BasisteamFactory(name="Basisteam Test")
    municipality = MunicipalityFactory(name="Testdorp")
    municipality.basisteams.add(team)
    regisseur = staff_user("Procesregisseur")
    Relatiebeheer.objects.create(regisseur=regisseur, basisteam=team)
    assert services.regisseur_default_for(municipality=municipality) == regisseur


def test_a_regisseur_holding_the_municipality_itself_wins_over_the_basisteam():
    team = BasisteamFactory(name="Basisteam Twee")
    municipality = MunicipalityFactory(name="Tweedorp")
    municipality.basisteams.add(team)
    Relatiebeheer.objects.create(regisseur=staff_user("Procesregisseur"), basisteam=team)
    specific = staff_user("Procesregisseur")
    Relatiebeheer.objects.create(regisseur=specific, municipality=municipality)
    assert services.regisseur_default_for(municipality=municipality) == specific


def test_relatiebeheer_holds_either_a_basisteam_or_a_municipality():
    with pytest.raises(IntegrityError):
        Relatiebeheer.objects.create(regisseur=staff_user("Procesregisseur"))


def test_the_demo_links_the_partner_section_to_the_secure_environment(home):
    page = home.get_children().get(slug="voor-partners").specific
    assert 'href="/partners/"' in str(page.body.render_as_block())
