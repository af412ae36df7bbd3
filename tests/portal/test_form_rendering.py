"""Every form field is rendered by the project's templates (portal/form_rendering.py):
no colon after a label, "(optioneel)" on optional fields, a Dutch empty choice, the
error linked to its field; a form sent back has an error summary and "Fout:" in the title."""

from django import forms
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

import pytest

from portal.form_rendering import PortalFormRenderer


class Example(forms.Form):
    name = forms.CharField(label="Naam", help_text="Zoals in uw paspoort.")
    remark = forms.CharField(label="Opmerking", required=False, widget=forms.Textarea)
    colour = forms.ChoiceField(label="Kleur", choices=[("", "---------"), ("rood", "Rood")])
    agree = forms.BooleanField(label="Ik ga akkoord")
    kind = forms.ChoiceField(
        label="Soort", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_the_project_renderer_is_the_default():
    assert isinstance(Example().renderer, PortalFormRenderer)


@pytest.mark.parametrize("method", ["as_div", "as_p", "__str__"])
def test_labels_have_no_colon_and_optional_fields_say_so(method):
    html = str(getattr(Example(), method)())
    assert '<label for="id_name">Naam</label>' in html
    assert "Naam:" not in html
    assert 'Opmerking <span class="field__optional">(optioneel)</span>' in html
    assert "Naam <span" not in html  # a required field has no marker


def test_an_empty_choice_is_dutch_and_django_dashes_never_show():
    html = Example().as_div()
    assert '<option value="" selected>Kies…</option>' in html
    assert "---------" not in html


def test_a_checkbox_comes_before_its_label_and_radios_sit_in_a_fieldset():
    html = Example().as_div()
    checkbox = html.index('type="checkbox"')
    assert checkbox < html.index('<label for="id_agree">Ik ga akkoord</label>')
    assert "<legend>Soort</legend>" in html


def test_a_fields_error_and_help_are_linked_to_the_control():
    form = Example(data={"name": "", "colour": "", "kind": "a"})
    html = form.as_div()
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<p class="field-error" id="id_name_error">' in html
    assert "Dit is een verplicht veld." in html
    assert "errorlist" not in html  # one style of error: no Django bullet lists


@pytest.mark.django_db
def test_a_login_sent_back_has_a_focused_error_summary_and_fout_in_the_title(client):
    with override_settings(RATELIMIT_ENABLE=False):
        response = client.post(
            reverse("account_login"), {"login": "niemand@example.org", "password": "onjuist"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fout: " in html
    assert 'class="error-summary" role="alert" tabindex="-1"' in html
    assert "js/error-summary.js" in html


@pytest.mark.django_db
def test_a_page_without_errors_has_no_summary_and_a_plain_title(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "<title>Fout:" not in html
    assert "error-summary" not in html
