"""Casework: organisations, roles, aanmeldingen, their timeline and the audit log.

Personal fields and narrative text are ``EncryptedTextField``s (ciphertext in the
database). Who may see which case is decided in ``casework.selectors`` only.
"""

import hashlib
import json
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel

from .crypto import EncryptedTextField


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


class TimelineEntry(models.Model):
    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        NOTE = "note", _("Note")
        MEETING = "meeting", _("Case meeting")
        PLAN = "plan", _("Plan van aanpak")
        MESSAGE = "message", _("Message")
        ASSIGNMENT = "assignment", _("Assignment")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A message's partner side: the organisation it is to or from. Empty = internal.
    partner_organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    body = EncryptedTextField(blank=True)
    participants = EncryptedTextField(blank=True)
    agreements = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.created_at:%Y-%m-%d}"


class AdviceRequest(models.Model):
    """A question for advice: filed through the portal or phoned in and logged by staff."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        PHONE = "telefoon", _("Phone")
        EMAIL = "email", _("E-mail")

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="advice"
    )
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        "portal.Municipality", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    question = EncryptedTextField(_("question"))
    advice = EncryptedTextField(_("advice"), blank=True)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    advised_at = models.DateTimeField(_("advised"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Requests without a case lose question and advice after their retention term
    # (services.advice_requests_anonymise); channel, organisation and dates stay for the figures.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"advice {self.pk}"


class BreakGlass(models.Model):
    """Temporary access to a case outside one's own, with a stated reason (logged)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    reason = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"break-glass {self.pk} ({self.case})"


class JsonPayload:
    """``data``: a model's encrypted ``payload`` field, read and written as a JSON object
    (anything else reads as empty)."""

    @property
    def data(self) -> dict:
        try:
            value = json.loads(self.payload or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @data.setter
    def data(self, value: dict) -> None:
        self.payload = json.dumps(value)


class CaseDraft(JsonPayload, models.Model):
    """An unfinished aanmelding; saved on every step and by the autosave script."""

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=CaseKind.choices)
    payload = EncryptedTextField(default="{}")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.public_id}"


class RescuedInput(JsonPayload, models.Model):
    """What a user posted just after the idle timeout signed them out (a message, a note,
    a logged advice request), kept encrypted to put back in the form after they sign in
    again. Taken once; purged after CASEWORK_RESCUE_HOURS. Intake steps go to the draft."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The page the form is on (a path with opaque ids only) and which form on it.
    target = models.CharField(max_length=200)
    form = models.CharField(max_length=20)
    payload = EncryptedTextField(default="{}")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "target", "form"], name="casework_rescued_input_once"
            )
        ]

    def __str__(self) -> str:
        return f"rescued input {self.pk}"


class Invitation(models.Model):
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

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class AuditEntry(models.Model):
    """Append-only, hash-chained record of access to case data (see casework.audit)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # A plain id, not a foreign key: deleting a user must not rewrite the chain.
    actor_pk = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=20, default="ok")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.pk} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are append-only")


class DestructionList(models.Model):
    """Closed cases past their retention term, destroyed only after a second person approves."""

    created_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cases = models.ManyToManyField(Case, related_name="+", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")

    def __str__(self) -> str:
        return f"destruction list {self.pk}"


class Tombstone(models.Model):
    """What remains of a destroyed case: no personal data, enough for the annual figures."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=CaseKind.choices)
    municipality_name = models.CharField(max_length=100)
    organisation_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    final_status = models.CharField(max_length=40)
    destroyed_at = models.DateTimeField(default=timezone.now)
    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.PROTECT, related_name="tombstones"
    )

    class Meta:
        ordering = ["-destroyed_at"]
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")

    def __str__(self) -> str:
        return self.reference


class Attachment(models.Model):
    """A file on a case (or on a draft until it is submitted). Stored encrypted in a
    private directory; served only through the permission-checked, audited view."""

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    draft = models.ForeignKey(
        CaseDraft, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # File names can carry personal data ("verslag Jansen.pdf"): encrypted too.
    original_name = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"attachment {self.public_id}"


class Achievement(models.TextChoices):
    """How far a goal was reached; the values are the Dutch words the import uses."""

    FULLY = "volledig", _("Fully achieved")
    PARTLY = "deels", _("Partly achieved")
    NOT = "niet", _("Not achieved")


class ClosureReason(models.TextChoices):
    GOAL_REACHED = "doel-bereikt", _("Goal achieved")
    HANDED_OVER = "overgedragen", _("Direction handed over to a partner")
    ADVICE_GIVEN = "advies-gegeven", _("Advice given")
    NOT_TAKEN_UP = "niet-opgepakt", _("Not taken up")
    NO_OPTIONS = "geen-mogelijkheden", _("No further options")
    MOVED = "verhuisd", _("Moved out of the region")
    DECEASED = "overleden", _("Deceased")
    OTHER = "anders", _("Other")


class JeugdClosureResult(models.TextChoices):
    """PGA Jeugd closure results as the 2019 annual report counts them."""

    NONE = "", _("Not applicable")
    POSITIVE = "systeemaanpak-positief", _("System approach contributed positively")
    NO_OPTIONS = "geen-mogelijkheden-pga", _("No more options in PGA")
    DETENTION = "langdurige-detentie", _("Long-term detention")
    NEVER = "nooit-actief-opgepakt", _("Never actively taken up")
    DECEASED = "overleden", _("Deceased")


class CaseEvaluation(models.Model):
    """The procesregisseur's evaluation, required to close a case. No personal data.

    The goals stay empty for a case that never came into procesregie (advice only, not
    taken up): there was no plan whose goals could be reached. Reports compute goal
    percentages over the evaluations that have them.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="evaluation")
    content_goal = models.CharField(
        _("content goal"), max_length=10, choices=Achievement.choices, blank=True
    )
    process_goal_1 = models.CharField(
        _("shared picture and interest"), max_length=10, choices=Achievement.choices, blank=True
    )
    process_goal_2 = models.CharField(
        _("integral plan van aanpak"), max_length=10, choices=Achievement.choices, blank=True
    )
    process_goal_3 = models.CharField(
        _("monitoring, steering and coaching"),
        max_length=10,
        choices=Achievement.choices,
        blank=True,
    )
    extra_expertise = models.BooleanField(_("extra expertise brought in"), default=False)
    escalated = models.BooleanField(_("escalated to administration/management"), default=False)
    policy_signal = models.BooleanField(
        _("policy bottleneck signalled to a partner"), default=False
    )
    partners_involved = models.ManyToManyField(
        PartnerKind, verbose_name=_("partners involved"), blank=True, related_name="+"
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=30, choices=ClosureReason.choices
    )
    jeugd_result = models.CharField(
        _("PGA Jeugd closure result"),
        max_length=30,
        choices=JeugdClosureResult.choices,
        blank=True,
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated"), default=timezone.now)

    class Meta:
        verbose_name = _("closure evaluation")
        verbose_name_plural = _("closure evaluations")

    def __str__(self) -> str:
        return f"evaluation {self.case}"


class SurveyInvitation(models.Model):
    """A single-use, expiring link to the closing-satisfaction survey.

    Only the token's SHA-256 is stored. The address is kept (encrypted) only until the
    survey is answered or expires, for the one reminder.
    """

    class Role(models.TextChoices):
        AANMELDER = "aanmelder", _("Aanmelder")
        PARTNER = "partner", _("Involved partner")

    # For the signed-in route from "mijn aanmeldingen"; the token is never stored in clear.
    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_invitations")
    role = models.CharField(max_length=10, choices=Role.choices)
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = EncryptedTextField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The reminder carries a fresh token (the first one cannot be re-sent: only its hash
    # is kept); both links work until the survey is answered or expires.
    reminder_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"survey invitation {self.pk} ({self.case})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class SurveyResponse(models.Model):
    """One answered closing-satisfaction survey."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_responses")
    role = models.CharField(max_length=10, choices=SurveyInvitation.Role.choices)
    overall = models.PositiveSmallIntegerField(_("overall satisfaction"))
    process = models.PositiveSmallIntegerField(_("satisfaction with the process direction"))
    grade = models.PositiveSmallIntegerField(_("rapportcijfer"))
    would_involve_again = models.BooleanField(_("would involve the ZVH again"))
    went_well = EncryptedTextField(_("what went well"), blank=True)
    could_improve = EncryptedTextField(_("what could be better"), blank=True)
    contact_consent = models.BooleanField(_("may be contacted"), default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall__gte=1, overall__lte=5), name="survey_overall_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(process__gte=1, process__lte=5), name="survey_process_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=10), name="survey_grade_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"survey response {self.pk} ({self.case})"


class FollowUpTask(models.Model):
    """Work for the manager, e.g. calling back a partner who was strongly dissatisfied."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_up_tasks")
    survey_response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["done_at", "-created_at"]

    def __str__(self) -> str:
        return f"follow-up {self.pk} ({self.case})"


class Prognosis(models.Model):
    """The year plan's expected number of new registrations per case kind (editable)."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    expected = models.PositiveIntegerField(_("expected new registrations"))

    panels = [FieldPanel("year"), FieldPanel("kind"), FieldPanel("expected")]

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("prognosis")
        verbose_name_plural = _("prognoses")
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="one_prognosis_per_year_kind")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}: {self.expected}"
