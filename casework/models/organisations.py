"""Partner organisations and their kinds, memberships, relatiebeheer and invitations."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel


class PartnerKind(models.Model):
    """A kind of partner organisation (e.g. politie, GGZ). Editable data, not code."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("partner kind")
        verbose_name_plural = _("partner kinds")

    def __str__(self) -> str:
        return self.name


class Department(models.TextChoices):
    NONE = "", _("—")
    SOCIAL = "sociaal-domein", _("Social domain")
    SAFETY = "integrale-veiligheid", _("Integral safety")
    ENFORCEMENT = "handhaving", _("Enforcement")


class PartnerOrganisation(models.Model):
    """A covenant partner: a municipal department, the police, GGZ, ..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.ForeignKey(
        PartnerKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="organisations"
    )
    municipality = models.ForeignKey(
        "portal.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_organisations",
        help_text=_("Only for municipal organisations."),
    )
    department = models.CharField(
        _("department"), max_length=30, choices=Department.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("municipality"),
        FieldPanel("department"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Links a partner user to exactly one organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="casework_membership",
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class Relatiebeheer(models.Model):
    """Relatiemanagement: a procesregisseur is first contact for a basisteam or municipality.

    A municipality-specific row wins over its basisteam's row.
    """

    regisseur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("procesregisseur"),
        on_delete=models.CASCADE,
        related_name="relatiebeheer",
    )
    basisteam = models.OneToOneField(
        "portal.Basisteam",
        verbose_name=_("basisteam"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="relatiebeheer",
    )
    municipality = models.OneToOneField(
        "portal.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="relatiebeheer",
    )

    class Meta:
        verbose_name = _("relationship management")
        verbose_name_plural = _("relationship management")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basisteam__isnull=False, municipality__isnull=True)
                | models.Q(basisteam__isnull=True, municipality__isnull=False),
                name="relatiebeheer_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.regisseur} – {self.basisteam or self.municipality}"


class OneTimeToken:
    """A link token that is shown once and stored only as its SHA-256 (invitations,
    survey links): the database never holds a token that opens anything."""

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class Invitation(OneTimeToken, models.Model):
    """An invitation to create an account; only the token's hash is stored."""

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("For partner users. Leave empty for ZVH staff."),
    )
    group_names = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class RoleGrantRequest(models.Model):
    """Roles asked for that need a second person's approval (``roles.GRANT_RULES``),
    for an existing account or for an invitation. Nothing is granted until it is
    approved; an approved request for an invitation not yet accepted gives its roles
    when the account is created."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    roles = models.JSONField(_("roles"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grant_requests",
        help_text=_("Set once the account exists."),
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grant_requests",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("role request")
        verbose_name_plural = _("role requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(invitation__isnull=False),
                name="rolegrantrequest_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"role request {self.pk}"

    @property
    def subject_email(self) -> str:
        if self.user is not None:
            return self.user.email
        return self.invitation.email if self.invitation is not None else ""
