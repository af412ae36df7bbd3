"""The case (aanmelding), its choices, its shares with partner organisations and
break-the-glass access to it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from .organisations import PartnerKind, PartnerOrganisation


class CaseKind(models.TextChoices):
    COM = "com", _("Casus op maat (COM)")
    ADVIES = "advies", _("Advice request")
    PGA_R = "pga-r", _("PGA Radicalisation signal")
    PGA_JEUGD = "pga-jeugd", _("PGA Youth (HIC)")
    PGA_OG = "pga-og", _("PGA Confused behaviour")
    MDA = "mda", _("MDA++")


class Urgency(models.TextChoices):
    NORMAL = "normaal", _("Normal")
    HIGH = "hoog", _("High: within a week")
    URGENT = "spoed", _("Urgent: within two working days")


class AveLevel(models.TextChoices):
    NONE = "", _("Not applicable")
    AVE3 = "ave-3", _("AVE-3")
    AVE4 = "ave-4", _("AVE-4")


class JeugdEntry(models.TextChoices):
    NONE = "", _("Not applicable")
    BLUELIST = "bluelist", _("Bluelist (risk screening)")
    KOPSTUK = "kopstuk", _("Kopstuk (leader of a youth group)")
    REST = "restcategorie", _("Restcategorie via the driehoek")


def _new_public_id() -> uuid.UUID:
    return uuid.uuid4()


class TriageOutcome(models.TextChoices):
    """What triage decided; empty while the case is still in triage. Reports count these."""

    PENDING = "", _("Still in triage")
    PROCESREGIE = "procesregie", _("Taken into procesregie")
    ADVIES = "advies", _("Advice given")
    NIET_OPGEPAKT = "niet-opgepakt", _("Not taken up")


class WeegtafelDecision(models.TextChoices):
    """The weegtafel's (last) decision on a PGA-R signal."""

    NONE = "", _("No decision yet")
    OPNIEUW = "opnieuw-agenderen", _("Back on the agenda")
    ONDERSTEUND = "niet-opgepakt-ondersteund", _("Not taken up, aanmelder supported")
    OPGEPAKT = "opgepakt", _("Taken up")


class CaseSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    GCOS = "gcos", _("Imported from GCOS")


class Case(models.Model):
    """An aanmelding and everything that follows from it."""

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    status = models.CharField(_("status"), max_length=40)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("registering organisation"),
        on_delete=models.PROTECT,
        related_name="registered_cases",
        null=True,
        blank=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "portal.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    procesregisseur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("procesregisseur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regie_cases",
    )
    casusregisseur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("casusregisseur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="casusregie_cases",
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    ave_level = models.CharField(
        _("AVE level"), max_length=10, choices=AveLevel.choices, blank=True
    )
    jeugd_entry = models.CharField(
        _("entry"), max_length=20, choices=JeugdEntry.choices, blank=True
    )
    # Personal data and narrative: encrypted at rest.
    person_name = EncryptedTextField(_("name of the person concerned"), blank=True)
    person_birth_date = EncryptedTextField(_("date of birth"), blank=True)
    other_persons = EncryptedTextField(_("other persons concerned"), blank=True)
    problem = EncryptedTextField(_("problem"), blank=True)
    safety_risk = EncryptedTextField(_("safety risk"), blank=True)
    tried = EncryptedTextField(_("what has been tried"), blank=True)
    question = EncryptedTextField(_("question to the ZVH"), blank=True)
    person_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Report dimensions, kept on the case so the annual report is a handful of
    # aggregate queries (see casework.reports). Set by the services and the import.
    registering_kind = models.ForeignKey(
        PartnerKind,
        verbose_name=_("registering partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "portal.Basisteam",
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    triage_outcome = models.CharField(
        _("triage outcome"), max_length=20, choices=TriageOutcome.choices, blank=True
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    direction_started_at = models.DateTimeField(_("procesregie started"), null=True, blank=True)
    weegtafel_decision = models.CharField(
        _("weegtafel decision"), max_length=30, choices=WeegtafelDecision.choices, blank=True
    )
    source = models.CharField(
        _("source"), max_length=10, choices=CaseSource.choices, default=CaseSource.PORTAL
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_all_cases", _("Can see every case")),
            ("triage_case", _("Can triage, direct and advise on cases")),
            ("break_glass", _("Can open a case with a stated reason")),
            ("log_advice", _("Can log advice requests")),
            ("view_overdue", _("Can see overdue lists")),
            ("export_case", _("Can export cases")),
            ("view_audit", _("Can query the audit log")),
            ("invite_user", _("Can invite users")),
            ("approve_destruction", _("Can propose and approve destruction lists")),
            ("import_cases", _("Can import historical cases from GCOS")),
        ]

    def __str__(self) -> str:
        # Never personal data: this string may end up in logs and admin titles.
        return self.reference or str(self.public_id)


class CaseShare(models.Model):
    """An involved partner organisation and how much of the case it may see."""

    class Scope(models.TextChoices):
        STATUS = "status", _("Status and messages only")
        SUMMARY = "summary", _("Status, messages and the question")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="shared_cases"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.STATUS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="one_share_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.organisation}"


class BreakGlass(models.Model):
    """Temporary read-only access to a case outside one's own, with a reason category
    and a stated reason (logged; the privacy officers are told at once)."""

    class Category(models.TextChoices):
        ACUTE_DANGER = "acute_danger", _("Acute danger to a person")
        COLLEAGUE_ABSENT = "colleague_absent", _("Standing in for an absent colleague")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
        OTHER = "other", _("Other")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    # Empty only for grants made before the category was asked.
    category = models.CharField(max_length=20, choices=Category.choices, blank=True, default="")
    reason = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"break-glass {self.pk} ({self.case})"
