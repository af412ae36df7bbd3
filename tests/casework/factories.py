"""Factories for casework tests. All names are synthetic."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import factory
from allauth.account.models import EmailAddress

from casework.models import (
    Case,
    CaseKind,
    Membership,
    PartnerKind,
    PartnerOrganisation,
    Urgency,
)
from casework.roles import ensure_roles
from portal.models import Basisteam, Municipality
from tests.mfa import with_mfa


class BasisteamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Basisteam
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Basisteam {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Gemeente {n}")


class PartnerKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"soort-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partnerorganisatie {n}")
    kind = factory.SubFactory(PartnerKindFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.PostGenerationMethodCall("set_password", "een-lang-wachtwoord-123")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def partner_user(organisation=None, *, mfa=True):
    organisation = organisation or OrganisationFactory()
    user = UserFactory()
    Membership.objects.create(user=user, organisation=organisation)
    return with_mfa(user) if mfa else user


def staff_user(role: str, *, mfa=True):
    if not Group.objects.filter(name=role).exists():
        # Transactional tests flush the groups the data migration created.
        ensure_roles()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    return with_mfa(user) if mfa else user


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    kind = CaseKind.COM
    status = "aangemeld"
    organisation = factory.SubFactory(OrganisationFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    urgency = Urgency.NORMAL
    person_name = "Testpersoon Jansen"
    person_birth_date = "1990-01-01"
    problem = "Synthetisch probleem"
    safety_risk = "Synthetisch risico"
    tried = "Hulpverlening"
    question = "Graag procesregie"
    reference = factory.Sequence(lambda n: f"ZVH-2026-{n + 90000:05d}")
