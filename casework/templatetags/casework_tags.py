"""Names and the signed-in line of the secure area."""

from django import template

from ..people import person
from ..roles import is_staff_member
from ..selectors import organisation_of

register = template.Library()
register.filter("person", person)


@register.simple_tag
def signed_in_as(user) -> str:
    """The name and where the person works: their partner organisation, or the ZVH."""
    if not user.is_authenticated:
        return ""
    organisation = organisation_of(user)
    if organisation is not None:
        where = organisation.name
    elif is_staff_member(user):
        where = "Zorg- en Veiligheidshuis"  # a name, the same in every language
    else:
        return person(user)
    return f"{person(user)} ({where})"
