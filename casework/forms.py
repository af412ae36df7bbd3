"""Forms for the intake steps and the staff actions. Help texts in plain language."""

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.ids import IdChoiceField, IdMultipleChoiceField
from portal.models import Municipality

from .models import (
    Achievement,
    AdviceRequest,
    AveLevel,
    BreakGlass,
    CaseKind,
    ClosureReason,
    JeugdClosureResult,
    JeugdEntry,
    PartnerKind,
    PartnerOrganisation,
    Urgency,
)
from .people import person_with_address
from .roles import GRANT_RULES, STAFF_ROLES

SHORT = 200
LONG = 10_000


def _text(label, help_text, *, required=True, max_length=LONG):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PersonStep(forms.Form):
    person_name = forms.CharField(
        label=_("Name of the person concerned"),
        max_length=SHORT,
        help_text=_("First name and surname, as they are known to you."),
    )
    person_birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("If you know it. Format: 31-12-1990."),
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
    )
    other_persons = _text(
        _("Other people concerned"),
        _("For example partner, children or other family members. Leave empty if none."),
        required=False,
        max_length=2000,
    )
    municipality = IdChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        help_text=_("Where the person lives or where the problems occur."),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == CaseKind.ADVIES:
            # Advice can be asked about a situation without naming anyone.
            self.fields["person_name"].required = False
            self.fields["person_name"].help_text = _("Only if needed for the advice.")


class SituationStep(forms.Form):
    problem = _text(
        _("What is the problem?"),
        _("Describe what is going on. Write facts: what happened, when, and who is involved."),
    )
    safety_risk = _text(
        _("What is the safety risk?"),
        _("Who is in danger, and how serious is it? Write what you have seen or heard."),
    )
    ave_level = forms.ChoiceField(
        label=_("AVE level"),
        choices=AveLevel.choices,
        required=False,
        help_text=_("The level in the escalation model, if the case has been escalated."),
    )
    jeugd_entry = forms.ChoiceField(
        label=_("Entry"),
        choices=JeugdEntry.choices[1:],
        help_text=_("How the young person comes into the approach."),
    )
    tried = _text(
        _("What has already been tried?"),
        _("Which help or measures were used, and what was the result?"),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind not in {CaseKind.COM, CaseKind.MDA}:
            del self.fields["ave_level"]
        if kind != CaseKind.PGA_JEUGD:
            del self.fields["jeugd_entry"]
        if kind in {CaseKind.PGA_R, CaseKind.ADVIES}:
            self.fields["tried"].required = False
        if kind == CaseKind.PGA_R:
            self.fields["problem"].label = _("What is the signal?")
            self.fields["problem"].help_text = _(
                "Describe what you noticed that worries you about radicalisation."
            )


class QuestionStep(forms.Form):
    partners = IdMultipleChoiceField(
        label=_("Involved partners"),
        queryset=PartnerOrganisation.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisations already involved. They only see what the ZVH shares with them."),
    )
    question = _text(
        _("Your question to the ZVH"),
        _("What do you want the Zorg- en Veiligheidshuis to do?"),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_(
            "For example a report or a letter. PDF, JPEG, PNG, Word or Excel, at most 10 MB. Photos are stripped of location and camera data."
        ),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("In an emergency, always call 112 first."),
    )


class ConfirmStep(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the information and it is correct."),
        help_text=_("Only share what is needed for this registration."),
    )


STEPS = [
    ("persoon", _("Person"), PersonStep),
    ("situatie", _("Situation"), SituationStep),
    ("vraag", _("Question"), QuestionStep),
    ("controle", _("Check and send"), ConfirmStep),
]
STEP_SLUGS = [slug for slug, _label, _form in STEPS]


def step_form(slug: str, kind: str, data=None, files=None):
    for step_slug, _label, form_class in STEPS:
        if step_slug == slug:
            if form_class in (PersonStep, SituationStep):
                return form_class(data, files, kind=kind)
            return form_class(data, files)
    raise KeyError(slug)


class TransitionForm(forms.Form):
    to_status = forms.CharField(max_length=40, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Explanation (optional)"),
        required=False,
        max_length=LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    body = _text(_("Note"), _("Only for ZVH staff."))


class AssignForm(forms.Form):
    procesregisseur = IdChoiceField(
        label=_("Procesregisseur"), queryset=get_user_model().objects.none(), required=False
    )
    casusregisseur = IdChoiceField(
        label=_("Casusregisseur"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["procesregisseur"].queryset = User.objects.filter(
            is_active=True, groups__name="Procesregisseur"
        ).order_by("email")
        involved = (
            [case.organisation_id, *case.shares.values_list("organisation_id", flat=True)]
            if case
            else []
        )
        self.fields["casusregisseur"].queryset = (
            User.objects.filter(is_active=True)
            .filter(models_q_casusregisseur(involved))
            .distinct()
            .order_by("email")
        )
        self.fields["procesregisseur"].label_from_instance = person_with_address
        self.fields["casusregisseur"].label_from_instance = person_with_address


def models_q_casusregisseur(organisation_ids):
    from django.db.models import Q

    return Q(groups__name="Procesregisseur") | Q(
        casework_membership__organisation_id__in=organisation_ids
    )


class MessageForm(forms.Form):
    body = _text(_("Message"), _("Write only what the other party needs to know."), max_length=5000)
    to_organisation = IdChoiceField(
        label=_("To"), queryset=PartnerOrganisation.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[PartnerOrganisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["to_organisation"]
        else:
            to_organisation = cast(forms.ModelChoiceField, self.fields["to_organisation"])
            to_organisation.queryset = organisations
            to_organisation.required = True


class AdviceLogForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the question come in?"), choices=AdviceRequest.Channel.choices
    )
    organisation = IdChoiceField(
        label=_("Organisation"), queryset=PartnerOrganisation.objects.all(), required=False
    )
    municipality = IdChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.all(), required=False
    )
    question = _text(_("Question"), _("The question as asked, without names where possible."))
    advice = _text(
        _("Advice"), _("The advice given. Leave empty if it still has to be given."), required=False
    )


class AdviceAnswerForm(forms.Form):
    advice = _text(_("Advice"), _("The advice given."))


class AttachmentForm(forms.Form):
    attachment = forms.FileField(
        label=_("Add an attachment"),
        help_text=_("PDF, JPEG, PNG, Word or Excel, at most 10 MB."),
    )


class BreakGlassForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Reason for access"),
        choices=BreakGlass.Category.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why do you need access to this case?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your reason is recorded and checked by the privacy officer. Access expires automatically."
        ),
        validators=[MaxLengthValidator(500)],
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    organisation = IdChoiceField(
        label=_("Partner organisation"),
        queryset=PartnerOrganisation.objects.filter(is_active=True),
        required=False,
        help_text=_("For partner users."),
    )
    roles = forms.MultipleChoiceField(
        label=_("ZVH roles"),
        choices=[(name, name) for name in STAFF_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For ZVH staff. Leave the organisation empty."),
    )

    def __init__(self, *args, offered_roles: list[str] | None = None, **kwargs):
        """``offered_roles``: the ZVH roles the inviter may give or ask for
        (``roles.roles_offered_to``); without any, the roles field is left out."""
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        if offered_roles is not None and isinstance(field, forms.MultipleChoiceField):
            if offered_roles:
                field.choices = [
                    (name, _("%(role)s (after approval by a second person)") % {"role": name})
                    if GRANT_RULES[name].needs_approval
                    else (name, name)
                    for name in offered_roles
                ]
            else:
                del self.fields["roles"]


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters. After this you set up a second factor (an authenticator app)."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords are not the same."))
        if first:
            password_validation.validate_password(first, get_user_model()(email=self.email))
        return cleaned


class AuditQueryForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), required=False, max_length=20)
    user = forms.CharField(label=_("User (e-mail)"), required=False, max_length=254)


class ReportPeriodForm(forms.Form):
    """The annual report's period: a calendar year, or a from/to range of local dates."""

    MAX_YEARS = 20

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("Enter a year, e.g. 2019.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2019-01-01.")},
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2019-12-31.")},
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year, start, end = data.get("year"), data.get("start"), data.get("end")
        if year is not None and (start or end):
            raise forms.ValidationError(_("Choose either a year or a from/to period, not both."))
        if year is None:
            if not (start and end):
                raise forms.ValidationError(_("Choose a year, or both a from and a to date."))
            if end < start:
                raise forms.ValidationError(_("The to date lies before the from date."))
            if start.year < 2000 or end.year > 2100:
                raise forms.ValidationError(_("Choose dates between the years 2000 and 2100."))
            if (end - start).days > self.MAX_YEARS * 366:
                raise forms.ValidationError(
                    _("A period can span at most %(years)s years.") % {"years": self.MAX_YEARS}
                )
        return data

    def period(self):
        """(first day, last day) of a valid form."""
        year = self.cleaned_data.get("year")
        if year is not None:
            return date(year, 1, 1), date(year, 12, 31)
        return self.cleaned_data["start"], self.cleaned_data["end"]


# --- Closure and the closing-satisfaction survey -------------------------------------------


class ClosureForm(forms.Form):
    """The procesregisseur's evaluation; the rules themselves are in services.case_close."""

    to_status = forms.ChoiceField(
        label=_("How does the ZVH's involvement end?"),
        widget=forms.RadioSelect,
        help_text=_("Handed over: a partner takes over the direction of the case."),
    )
    content_goal = forms.ChoiceField(
        label=_("Content goal"),
        choices=Achievement.choices,
        widget=forms.RadioSelect,
        help_text=_("Was the goal of the approach reached for the person concerned?"),
    )
    process_goal_1 = forms.ChoiceField(
        label=_("Process goal 1: a shared picture and common interest"),
        choices=Achievement.choices,
        widget=forms.RadioSelect,
    )
    process_goal_2 = forms.ChoiceField(
        label=_(
            "Process goal 2: an integral plan van aanpak with scenarios, interventions, tasks, "
            "casusregie and communication agreements"
        ),
        choices=Achievement.choices,
        widget=forms.RadioSelect,
    )
    process_goal_3 = forms.ChoiceField(
        label=_(
            "Process goal 3: monitoring, steering and coaching the execution of the plan van "
            "aanpak and the casusregie"
        ),
        choices=Achievement.choices,
        widget=forms.RadioSelect,
    )
    extra_expertise = forms.BooleanField(label=_("Extra expertise was brought in"), required=False)
    escalated = forms.BooleanField(
        label=_("The case was escalated to administration or management"), required=False
    )
    policy_signal = forms.BooleanField(
        label=_("A policy bottleneck was signalled to a partner"), required=False
    )
    partners_involved = IdMultipleChoiceField(
        label=_("Partners involved"),
        queryset=PartnerKind.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every kind of partner that took part in the approach."),
    )
    closure_reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", _("Choose a reason"))] + list(ClosureReason.choices),
    )
    jeugd_result = forms.ChoiceField(
        label=_("PGA Jeugd: result at closure"),
        choices=[choice for choice in JeugdClosureResult.choices if choice[0]],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Explanation (optional)"),
        required=False,
        max_length=LONG,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the timeline. Do not repeat the evaluation here."),
    )

    def __init__(self, *args, case, closing_statuses, in_procesregie: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = [
            (transition.to_status, transition.label) for transition in closing_statuses
        ]
        targets = [transition.to_status for transition in closing_statuses]
        # Closing is the usual end; handing over is the deliberate other choice.
        self.fields["to_status"].initial = "afgesloten" if "afgesloten" in targets else targets[0]
        if not in_procesregie:
            # No plan van aanpak, so no goals to evaluate.
            for name in ("content_goal", "process_goal_1", "process_goal_2", "process_goal_3"):
                del self.fields[name]
        if case.kind != CaseKind.PGA_JEUGD:
            del self.fields["jeugd_result"]
        if not self.is_bound:
            self.fields["partners_involved"].initial = list(
                PartnerKind.objects.filter(
                    Q(organisations__pk=case.organisation_id)
                    | Q(organisations__shared_cases__case=case)
                )
                .values_list("pk", flat=True)
                .distinct()
            )

    def evaluation(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("to_status", None)
        data.pop("note", None)
        return data


SCALE_5 = [(str(n), str(n)) for n in range(1, 6)]
SCALE_10 = [(str(n), str(n)) for n in range(1, 11)]


def _yes_no(value) -> bool:
    return value == "ja"


class SurveyForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_(
            "How satisfied are you overall with the ZVH's work on this case? "
            "(1 = very dissatisfied, 5 = very satisfied)"
        ),
        choices=SCALE_5,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    process = forms.TypedChoiceField(
        label=_(
            "How satisfied are you with how the ZVH directed the process? "
            "(1 = very dissatisfied, 5 = very satisfied)"
        ),
        choices=SCALE_5,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    grade = forms.TypedChoiceField(
        label=_("Which grade do you give the ZVH? (1 = very poor, 10 = excellent)"),
        choices=SCALE_10,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    would_involve_again = forms.TypedChoiceField(
        label=_("Would you involve the ZVH again in a similar situation?"),
        choices=[("ja", _("Yes")), ("nee", _("No"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    went_well = forms.CharField(
        label=_("What went well?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not write names or other personal details."),
    )
    could_improve = forms.CharField(
        label=_("What could be better?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not write names or other personal details."),
    )
    contact_consent = forms.BooleanField(
        label=_("The ZVH may contact me about my answers."), required=False
    )

    def __init__(self, *args, **kwargs):
        # The questions end in "?" or ")"; a colon after them reads oddly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done or agreed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for ZVH staff."),
    )
