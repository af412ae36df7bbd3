"""The closing-satisfaction survey: invitations, responses and follow-up tasks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from .cases import Case, _new_public_id
from .organisations import OneTimeToken, PartnerOrganisation


class SurveyInvitation(OneTimeToken, models.Model):
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
