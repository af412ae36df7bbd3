"""Destruction lists and what remains of a destroyed case."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Case, CaseKind


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
