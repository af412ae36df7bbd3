"""The closure evaluation the procesregisseur fills in to close a case, and its choices."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Case
from .organisations import PartnerKind


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
