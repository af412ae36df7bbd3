from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge import selectors as knowledge_selectors
from portal.ids import IdMultipleChoiceField

from .models import Frequency


class ThemesField(IdMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=knowledge_selectors.themes(),
            required=False,
            label=_("Themes of interest"),
            help_text=_("Leave empty to hear about every theme."),
            **kwargs,
        )


class AccessibleErrorsMixin:
    """Links each error list to its input so screen readers announce it."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"


class PreferencesForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=150, required=False
    )
    themes = ThemesField()
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        initial=Frequency.EVERY_ISSUE,
        widget=forms.RadioSelect,
    )


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={"required": _("Fill in your e-mail address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "name", "organisation", "themes", "frequency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The footer form only asks for the address; the rest keeps its defaults.
        self.fields["frequency"].required = False


class DeleteForm(forms.Form):
    """No fields: carries the rate-limit message on the "delete me" page."""


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, name, organisation, consent_date (YYYY-MM-DD), consent_source."
        ),
    )
    source = forms.CharField(label=_("Where does this list come from?"), max_length=200)


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label=_("Send a test to"),
        help_text=_("One or more e-mail addresses, separated by commas."),
    )

    def clean_addresses(self):
        from django.core.validators import validate_email

        addresses = [a.strip() for a in self.cleaned_data["addresses"].split(",") if a.strip()]
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("%(address)s is not a valid e-mail address.") % {"address": address}
                ) from None
        if not addresses or len(addresses) > 10:
            raise forms.ValidationError(_("Give between one and ten addresses."))
        return addresses


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Send at"),
        # A datetime-local input only shows a value in its own format (no seconds, "T").
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave the current time to send right away."),
    )
