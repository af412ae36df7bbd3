"""Forms of the procesregie screens: planning a case meeting, its minutes, the plan
van aanpak's draft and actions, adopting it, and updating an action. The rules are in
``services.meetings`` and ``services.plans``; these only parse and bound the input."""

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.ids import IdChoiceField, IdMultipleChoiceField

from .models import CarePlan, CaseMeeting, PartnerOrganisation, PlanAction

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TEXT = 10_000
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]


def _area(label, help_text="", *, required=False, max_length=TEXT, rows=4):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class MeetingPlanForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Shown only in the secure environment, never in the e-mail."),
    )
    online_url = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )
    organisations = IdMultipleChoiceField(
        label=_("Invited organisations"),
        queryset=PartnerOrganisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    people = IdMultipleChoiceField(
        label=_("Invited people"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to invite everyone of the chosen organisations."),
    )
    agenda = _area(_("Agenda"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [organisation.pk for organisation in organisations]
        self.fields["organisations"].queryset = PartnerOrganisation.objects.filter(pk__in=ids)
        self.fields["people"].queryset = (
            get_user_model()
            .objects.filter(casework_membership__organisation_id__in=ids, is_active=True)
            .select_related("casework_membership__organisation")
            .order_by("casework_membership__organisation__name", "email")
        )
        self.fields["people"].label_from_instance = lambda user: (
            f"{user.email} ({user.casework_membership.organisation})"
        )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"] = datetime.combine(day, start, tzinfo=AMSTERDAM)
            data["ends_at"] = datetime.combine(day, end, tzinfo=AMSTERDAM)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The meeting must end after it starts."))
        return data


class MinutesForm(forms.Form):
    minutes = _area(_("Minutes"), _("What was discussed."), required=True, rows=6)
    decisions = _area(_("Decisions"), _("What was decided, and by whom it is carried out."))
    attended = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting: CaseMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        invitees = meeting.invitees.select_related("user", "organisation")
        cast(forms.TypedMultipleChoiceField, self.fields["attended"]).choices = [
            (invitee.pk, f"{invitee.user.email} ({invitee.organisation or 'ZVH'})")
            for invitee in invitees
        ]
        if not self.is_bound:
            self.initial.setdefault("minutes", meeting.minutes)
            self.initial.setdefault("decisions", meeting.decisions)
            self.initial.setdefault("attended", [i.pk for i in invitees if i.attended is not False])


class PlanTextForm(forms.Form):
    summary = _area(
        _("Shared picture"), _("The situation as the partners see it together."), rows=5
    )
    risks = _area(_("Risks"))
    protective_factors = _area(_("Protective factors"))
    content_goal = _area(_("Content goal"), _("What the approach should achieve."), rows=3)
    scenarios = _area(_("Scenarios"), _("For example a voluntary and a compulsory scenario."))
    case_direction = _area(
        _("Case direction"), _("Who is casusregisseur, who directs what."), rows=2
    )
    communication = _area(
        _("Communication agreements"), _("Who informs whom, and how the person is told."), rows=3
    )

    def __init__(self, *args, plan: CarePlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None and not self.is_bound:
            for name in CarePlan.TEXT_FIELDS:
                self.initial.setdefault(name, getattr(plan, name))


class ActionForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("plan van aanpak", "Action"), max_length=500)
    organisation = IdChoiceField(
        label=_("Owner"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        empty_label=_("ZVH (procesregisseur)"),
    )
    owner_user = IdChoiceField(
        label=_("Person (optional)"), queryset=get_user_model().objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [organisation.pk for organisation in organisations]
        self.fields["organisation"].queryset = PartnerOrganisation.objects.filter(pk__in=ids)
        self.fields["owner_user"].queryset = (
            get_user_model()
            .objects.filter(casework_membership__organisation_id__in=ids, is_active=True)
            .order_by("email")
        )


class AdoptForm(forms.Form):
    meeting = IdChoiceField(
        label=_("Adopted in the case meeting of"), queryset=CaseMeeting.objects.none()
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda meeting: meeting.starts_at.astimezone(
            AMSTERDAM
        ).strftime("%d-%m-%Y %H:%M")


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanAction.Status.choices)
    progress = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Briefly: what has been done, what is next."),
    )

    def __init__(self, *args, action: PlanAction | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if action is not None and not self.is_bound:
            self.initial.update({"status": action.status, "progress": action.progress})
        # Each action on the page has its own form: unique ids keep the labels right.
        if action is not None:
            self.auto_id = f"id_action_{action.public_id.hex[:8]}_%s"


__all__ = [
    "MeetingPlanForm",
    "MinutesForm",
    "PlanTextForm",
    "ActionForm",
    "AdoptForm",
    "ActionUpdateForm",
]
