"""Casework: partner organisation kinds now; aanmeldingen follow (issue 6)."""

from django.db import models
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
