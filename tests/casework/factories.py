"""Factories for casework tests. All names are synthetic."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

import factory
from allauth.account.models import EmailAddress

from casework.models import (
    Case,
    CaseEvaluation,
    CaseKind,
    ClosureReason,
    DestructionList,
    Membership,
    PartnerKind,
    PartnerOrganisation,
    Prognosis,
    SurveyInvitation,
    SurveyResponse,
    Tombstone,
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


class DestructionListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DestructionList


class TombstoneFactory(factory.django.DjangoModelFactory):
    """A destroyed case: no personal data, only what the annual figures need."""

    class Meta:
        model = Tombstone

    reference = factory.Sequence(lambda n: f"ZVH-2019-{n + 80000:05d}")
    kind = CaseKind.COM
    municipality_name = "Gemeente Voorbeeld"
    final_status = "afgesloten"
    destruction_list = factory.SubFactory(DestructionListFactory)


class EvaluationFactory(factory.django.DjangoModelFactory):
    """A closure evaluation; ``partners`` is a list of partner kinds involved."""

    class Meta:
        model = CaseEvaluation
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    closure_reason = ClosureReason.GOAL_REACHED

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners_involved.set(extracted)


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    case = factory.SubFactory(CaseFactory)
    role = SurveyInvitation.Role.PARTNER
    token_hash = factory.Sequence(lambda n: SurveyInvitation.hash_token(f"token-{n}"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=14))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """An answer to an invitation (marked used when it was answered)."""

    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(SurveyInvitationFactory)
    case = factory.LazyAttribute(lambda o: o.invitation.case)
    role = factory.LazyAttribute(lambda o: o.invitation.role)
    overall = 4
    process = 4
    grade = 7
    would_involve_again = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        response = super()._create(model_class, *args, **kwargs)
        if response.invitation and not response.invitation.used_at:
            response.invitation.used_at = response.submitted_at
            response.invitation.save(update_fields=["used_at"])
        return response


class PrognosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prognosis
        django_get_or_create = ("year", "kind")

    year = 2019
    kind = CaseKind.COM
    expected = 10


def closable_case(
    *, regisseur, registered_by=None, kind=CaseKind.COM, in_procesregie=True, **extra
):
    """A case one step from closure: in monitoring after procesregie, or (without
    procesregie) with advice given."""
    from django.utils import timezone

    from casework.models import TriageOutcome

    organisation = (
        registered_by.casework_membership.organisation if registered_by is not None else None
    )
    values = {
        "kind": kind,
        "procesregisseur": regisseur,
        "registered_by": registered_by,
        "status": "monitoring" if in_procesregie else "advies_gegeven",
        "triage_outcome": TriageOutcome.PROCESREGIE if in_procesregie else TriageOutcome.ADVIES,
        "direction_started_at": timezone.now() if in_procesregie else None,
    }
    if organisation is not None:
        values["organisation"] = organisation
    values.update(extra)
    return CaseFactory(**values)


def evaluation_data(**overrides) -> dict:
    """A complete evaluation for a case that was in procesregie."""
    data = {
        "content_goal": "volledig",
        "process_goal_1": "volledig",
        "process_goal_2": "deels",
        "process_goal_3": "niet",
        "extra_expertise": True,
        "escalated": False,
        "policy_signal": False,
        "partners_involved": [],
        "closure_reason": "doel-bereikt",
        "jeugd_result": "",
    }
    data.update(overrides)
    return data


def survey_invitation(case, user=None, *, role="aanmelder", days=14, created_days_ago=0):
    """An invitation as the closure creates it; returns (invitation, token)."""
    from datetime import timedelta

    from django.utils import timezone

    from casework.models import SurveyInvitation

    token = SurveyInvitation.new_token()
    created = timezone.now() - timedelta(days=created_days_ago)
    invitation = SurveyInvitation.objects.create(
        case=case,
        role=role,
        user=user,
        organisation=getattr(getattr(user, "casework_membership", None), "organisation", None),
        email=user.email if user else "iemand@example.org",
        token_hash=SurveyInvitation.hash_token(token),
        created_at=created,
        expires_at=created + timedelta(days=days),
    )
    return invitation, token


def invited_user(
    roles_asked,
    *,
    inviter,
    approver=None,
    rejecter=None,
    organisation=None,
    email=None,
    mfa=True,
):
    """An account made the way the /partners/ screens make it: ``inviter`` invites
    (``services.invitation_create``), ``approver`` approves or ``rejecter`` rejects the
    roles that need a second person, then the invitee accepts. Returns the new user."""
    from casework import services
    from casework.models import RoleGrantRequest

    email = email or f"uitgenodigd-{uuid.uuid4().hex[:12]}@example.org"
    invitation, token = services.invitation_create(
        email=email, organisation=organisation, group_names=list(roles_asked), invited_by=inviter
    )
    for grant_request in RoleGrantRequest.objects.filter(invitation=invitation):
        if approver is not None:
            services.role_grant_approve(grant_request=grant_request, actor=approver)
        elif rejecter is not None:
            services.role_grant_reject(grant_request=grant_request, actor=rejecter)
    user = services.invitation_accept(token=token, password="een-lang-wachtwoord-123")
    return with_mfa(user) if mfa else user
