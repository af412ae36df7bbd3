"""Unfinished input kept encrypted: intake drafts and input rescued after the idle timeout."""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..crypto import EncryptedTextField
from .cases import CaseKind, _new_public_id
from .organisations import PartnerOrganisation


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
