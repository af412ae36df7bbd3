"""One way to render a form field everywhere on the site (``FORM_RENDERER``).

Every form, whichever of ``{{ form }}``, ``as_div`` or ``as_p`` its template uses (allauth
uses ``as_p``), goes through the same project templates in ``portal/templates/portal/forms/``:
a label without a colon, "(optioneel)" on optional fields, the help text and the field's
error linked to the control with ``aria-describedby`` (Django adds the ids).
``as_table``/``as_ul`` keep Django's own markup, because the page around them is a table
or a list. Widgets include their parts straight from the template engine, not through
the renderer, so the Dutch empty choice ("Kies…" for Django's "---------") overrides
Django's own ``django/forms/widgets/select_option.html`` in ``portal/templates/``.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

# Django's template names, as the forms and widgets ask for them, mapped to ours.
TEMPLATE_ALIASES = {
    "django/forms/div.html": "portal/forms/form.html",
    "django/forms/p.html": "portal/forms/form.html",
    "django/forms/field.html": "portal/forms/field.html",
}


class PortalBoundField(BoundField):
    @property
    def says_optional(self) -> bool:
        """Mark the field "(optioneel)": optional, not a lone checkbox (unticked is an
        answer), and the label does not say so already."""
        if self.field.required or self.widget_type == "checkbox":
            return False
        label = str(self.label).lower()
        return "(optioneel)" not in label and "(optional)" not in label


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"
    bound_field_class = PortalBoundField

    def get_template(self, template_name):
        return super().get_template(TEMPLATE_ALIASES.get(template_name, template_name))
