"""The year plan's expected registrations, compared with the actual ones in the annual report."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel

from .cases import CaseKind


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
