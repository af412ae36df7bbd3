"""Procesregie as structured data: case meetings (casusoverleg) with their invitees,
attendance and minutes, and the versioned plan van aanpak with its actions.

Older cases keep their meetings and plans as free text on the timeline
(``TimelineEntry`` kinds ``meeting`` and ``plan``); new ones are recorded here. Every
narrative field is encrypted like the rest of the case; everything cascades with the
case, so the case's retention term and destruction cover it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from .cases import Case, _new_public_id
from .organisations import PartnerOrganisation


class CaseMeeting(models.Model):
    """A casusoverleg the procesregisseur plans with the involved partners."""

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # A place can say more than one would think ("at the family's home"): encrypted.
    location = EncryptedTextField(_("place"), blank=True)
    online_url = EncryptedTextField(_("online link"), blank=True)
    agenda = EncryptedTextField(_("agenda"), blank=True)
    organisations = models.ManyToManyField(
        PartnerOrganisation, verbose_name=_("invited organisations"), related_name="+"
    )
    minutes = EncryptedTextField(_("minutes"), blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Raised when time or place changes, so calendars update the entry they have.
    ics_sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("case meeting")
        verbose_name_plural = _("case meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="casemeeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"meeting {self.public_id} ({self.case})"

    @property
    def is_held(self) -> bool:
        return self.cancelled_at is None and self.starts_at <= timezone.now()


class MeetingInvitee(models.Model):
    """One person invited to a meeting; ``attended`` is recorded with the minutes."""

    meeting = models.ForeignKey(CaseMeeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attended = models.BooleanField(null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"invitee {self.pk} ({self.meeting_id})"


class CarePlan(models.Model):
    """One version of a case's plan van aanpak. A draft is edited; a version adopted
    in a meeting is fixed (only its actions' status and progress move on), and the
    next draft starts as a copy of it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        SUPERSEDED = "superseded", _("Superseded")

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The shared picture (gemeenschappelijke beeldvorming).
    summary = EncryptedTextField(_("shared picture"), blank=True)
    risks = EncryptedTextField(_("risks"), blank=True)
    protective_factors = EncryptedTextField(_("protective factors"), blank=True)
    content_goal = EncryptedTextField(_("content goal"), blank=True)
    scenarios = EncryptedTextField(_("scenarios"), blank=True)
    case_direction = EncryptedTextField(_("case direction"), blank=True)
    communication = EncryptedTextField(_("communication agreements"), blank=True)
    adopted_in = models.ForeignKey(
        CaseMeeting,
        verbose_name=_("adopted in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_plans",
    )
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # The text parts of a version, in the order the page and the comparison show them.
    TEXT_FIELDS = (
        "summary",
        "risks",
        "protective_factors",
        "content_goal",
        "scenarios",
        "case_direction",
        "communication",
    )

    class Meta:
        ordering = ["case", "version"]
        verbose_name = _("plan van aanpak")
        verbose_name_plural = _("plans van aanpak")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_plan_version_per_case"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="draft"),
                name="one_plan_draft_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="adopted"),
                name="one_adopted_plan_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"plan v{self.version} ({self.case})"


class PlanAction(models.Model):
    """Who does what by when. ``lineage`` stays the same when a version is copied into
    the next one, so versions can be compared and a reminder is sent once per action,
    not once per version."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "bezig", _("In progress")
        DONE = "gedaan", _("Done")
        DROPPED = "vervallen", _("No longer needed")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    public_id = models.UUIDField(default=_new_public_id, unique=True, editable=False)
    lineage = models.UUIDField(default=_new_public_id, editable=False, db_index=True)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="actions")
    title = EncryptedTextField(_("action"))
    # Empty: the ZVH itself (the procesregisseur) does it.
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    progress = EncryptedTextField(_("progress"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # One reminder per phase, claimed before it is sent (services.plan_action_reminders_send).
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_after_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "lineage"], name="one_action_per_lineage")
        ]

    def __str__(self) -> str:
        return f"action {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
