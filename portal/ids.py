"""Ids from request data: URL paths, form fields and query parameters.

``str.isdigit()`` is not enough: it accepts "²" and other Unicode digits that ``int()``
refuses, and a long run of digits overflows the database's integer column — both
would be a 500. Hostile-input fuzzing of the casework intake found the first; on
SQLite (the embedded demo) ``/agenda/evenement/9223372036854775808.ics`` was the
second: Django checks the range of a plain integer lookup, but not of a lookup through
a relation (a page's ``page_ptr``) or of ``__in``, and SQLite then raises
``OverflowError``.

- ``parse_id(value)``: a query parameter or a stored value, as an id or None;
- the ``<id:name>`` path converter (registered when this module is imported, which
  ``portal.apps.PortalConfig.ready`` does before any URLconf loads): ``<int:...>``
  with the range of a database id, so an id out of range is a 404 like an id that
  does not exist. Every first-party URL takes ids with it, never ``<int:...>``
  (tests/portal/test_ids.py checks);
- ``IdChoiceField`` and ``IdMultipleChoiceField``: ``ModelChoiceField`` and
  ``ModelMultipleChoiceField`` that refuse a value out of range as an invalid choice
  (a 400 with the form) before it reaches the database.

The range is that of the widest id column, ``bigint`` (PostgreSQL) and SQLite's
INTEGER: 1 to 2**63 - 1.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """The value as a positive database id, or None when it is not one."""
    text = str(value).strip() if value is not None else ""
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """``<id:name>``: digits that make a database id (1 to 2**63 - 1); anything else does
    not match the pattern, so Django answers 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # Django tries the next pattern, then answers 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")


def _refuse_if_not_an_id(field: forms.ModelChoiceField, value: Any) -> None:
    model = field.queryset.model if field.queryset is not None else None
    checked = field.to_field_name is None and not (model and isinstance(value, model))
    if checked and parse_id(value) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class IdChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over an integer primary key that checks the id's range."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            _refuse_if_not_an_id(self, value)
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` over an integer primary key that checks each id."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            _refuse_if_not_an_id(self, item)
        return super().clean(value)
