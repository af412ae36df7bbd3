import pytest

from casework.roles import MANAGER, PRIVACY_OFFICER, PROCESONDERSTEUNER, PROCESREGISSEUR

from .factories import CaseFactory, OrganisationFactory, partner_user, staff_user


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Gemeente Voorbeeld – sociaal domein")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Politie Voorbeeld")


@pytest.fixture
def partner(organisation):
    return partner_user(organisation)


@pytest.fixture
def other_partner(other_organisation):
    return partner_user(other_organisation)


@pytest.fixture
def regisseur(db):
    return staff_user(PROCESREGISSEUR)


@pytest.fixture
def other_regisseur(db):
    return staff_user(PROCESREGISSEUR)


@pytest.fixture
def ondersteuner(db):
    return staff_user(PROCESONDERSTEUNER)


@pytest.fixture
def manager(db):
    return staff_user(MANAGER)


@pytest.fixture
def privacy_officer(db):
    return staff_user(PRIVACY_OFFICER)


@pytest.fixture
def case(organisation, regisseur):
    return CaseFactory(organisation=organisation, procesregisseur=regisseur)


from .clamd import clamd_socket, scanner  # noqa: E402, F401 - fixtures
