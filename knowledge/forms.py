"""The "Vraag het de expert" form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.ids import IdChoiceField

from .models import ExpertQuestion, Theme


class ExpertQuestionForm(forms.ModelForm):
    # A field people never see; bots fill it in (no CAPTCHA needed for now).
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ExpertQuestion
        fields = ["theme", "question", "name", "email", "organisation"]
        field_classes = {"theme": IdChoiceField}  # an id out of range: invalid, not a 500
        labels = {
            "theme": _("Theme"),
            "question": _("Your question"),
            "name": _("Your name"),
            "email": _("Your e-mail address"),
            "organisation": _("Organisation (optional)"),
        }
        help_texts = {
            "question": _(
                "Do not include names or other details of clients: describe the situation in general terms."
            ),
            "email": _(
                "We first send you a link to confirm this address; the answer comes here too."
            ),
        }
        widgets = {"question": forms.Textarea(attrs={"rows": 6, "maxlength": 4000})}

    def __init__(self, *args, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes if themes is not None else Theme.objects.all()
        self.fields["theme"].empty_label = None
        self.fields["name"].required = True
        self.fields["email"].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"

    def clean_question(self):
        question = self.cleaned_data["question"].strip()
        if len(question) < 15:
            raise forms.ValidationError(_("Please describe your question in a few sentences."))
        if len(question) > 4000:
            raise forms.ValidationError(_("Please keep your question under 4000 characters."))
        return question

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This form could not be sent."))
        return ""
