"""What happens on a case: timeline entries (status changes, notes, meetings, plans,
messages) and attachments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from .cases import Case, _new_public_id
from .drafts import CaseDraft
from .organisations import PartnerOrganisation


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
