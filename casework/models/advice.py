"""Advice requests, filed through the portal or logged by staff."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from .cases import Case
from .organisations import PartnerOrganisation


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
