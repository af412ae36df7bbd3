from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import EvaluationKind, EventPage, QuestionKind, RegistrationQuestion


def _question_field(question: RegistrationQuestion) -> forms.Field:
    common = {
        "label": question.label,
        "required": question.required,
        "help_text": question.help_text,
    }
    match question.kind:
        case QuestionKind.CHOICE:
            choices = [("", _("Choose…"))] + [(c, c) for c in question.choice_list()]
            return forms.ChoiceField(choices=choices, **common)
        case QuestionKind.YES_NO:
            return forms.ChoiceField(
                choices=[("", _("Choose…")), ("ja", _("Yes")), ("nee", _("No"))],
                **common,
            )
        case QuestionKind.DIETARY | QuestionKind.ACCESSIBILITY:
            common["help_text"] = ((question.help_text + " ") if question.help_text else "") + str(
                _("We delete this answer after the event.")
            )
            return forms.CharField(
                max_length=500, widget=forms.Textarea(attrs={"rows": 2}), **common
            )
        case QuestionKind.REGISTER_NUMBER:
            hint = services.register_number_hint(register=question.register)
            if hint and not question.help_text:
                common["help_text"] = _("Your %(register)s number: %(hint)s.") % {
                    "register": question.register,
                    "hint": hint,
                }
            return forms.CharField(max_length=30, **common)
        case _:
            return forms.CharField(max_length=300, **common)


class RegistrationForm(forms.Form):
    """Name and e-mail for guests, then the questions the editor set for this event."""

    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))

    def __init__(self, *args, event: EventPage, user=None, include_person: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if user is not None and user.is_authenticated or not include_person:
            del self.fields["name"]
            del self.fields["email"]
        else:
            self.fields["name"].widget.attrs["autocomplete"] = "name"
            self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.questions = list(event.questions.all())
        for question in self.questions:
            self.fields[question.key] = _question_field(question)

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            value = cleaned.get(question.key)
            if question.kind == QuestionKind.REGISTER_NUMBER and value:
                value = value.replace(" ", "")
                cleaned[question.key] = value
                if not services.register_number_is_valid(register=question.register, number=value):
                    hint = services.register_number_hint(register=question.register)
                    self.add_error(
                        question.key,
                        _("This is not a valid %(register)s number (%(hint)s).")
                        % {"register": question.register or _("register"), "hint": hint or "?"},
                    )
        return cleaned

    def answers(self) -> dict:
        return {
            q.key: self.cleaned_data.get(q.key, "")
            for q in self.questions
            if self.cleaned_data.get(q.key)
        }

    def register_number(self) -> str:
        for question in self.questions:
            if question.kind == QuestionKind.REGISTER_NUMBER and self.cleaned_data.get(
                question.key
            ):
                return self.cleaned_data[question.key]
        return ""

    @classmethod
    def initial_for(cls, registration) -> dict:
        return dict(registration.answers)


class SurveyForm(forms.Form):
    """The evaluation: one field per question of the event (see services.evaluation_questions)."""

    SCALE = [(str(n), str(n)) for n in range(1, 6)]

    def __init__(self, *args, questions: list, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = _evaluation_field(question)


def _evaluation_field(question) -> forms.Field:
    common = {"label": question.label, "required": question.required}
    if question.help_text:
        common["help_text"] = question.help_text
    match question.kind:
        case EvaluationKind.SCALE:
            return forms.TypedChoiceField(
                choices=SurveyForm.SCALE, coerce=int, widget=forms.RadioSelect, **common
            )
        case EvaluationKind.YES_NO:
            return forms.ChoiceField(
                choices=[("ja", _("Yes")), ("nee", _("No"))], widget=forms.RadioSelect, **common
            )
        case EvaluationKind.CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
            )
        case _:
            return forms.CharField(
                max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common
            )
