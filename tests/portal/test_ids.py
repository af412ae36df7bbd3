"""Ids from request data: only plain ASCII digits that fit a database id, in URLs
(the ``<id:...>`` converter), forms (``IdChoiceField``, ``IdMultipleChoiceField``)
and query parameters (``parse_id``), on PostgreSQL and on the demo's SQLite."""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

from django import forms
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter

import pytest

from casework.forms import PersonStep, QuestionStep
from newsletter.forms import PreferencesForm
from portal.ids import MAX_ID, IdChoiceField, IdConverter, IdMultipleChoiceField, parse_id
from tests.casework.factories import MunicipalityFactory, UserFactory
from tests.mfa import with_mfa

SCRIPT = Path(__file__).parent / "scripts" / "sqlite_ids.py"
FIRST_PARTY = ("portal.", "casework.", "events.", "knowledge.", "newsletter.", "search.")
OUT_OF_RANGE = [str(MAX_ID + 1), "9" * 25]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (5, 5),
        ("05", 5),
        ("999999999999999999", 999999999999999999),
        (str(MAX_ID), MAX_ID),
    ],
)
def test_plain_digits_are_ids(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "05²",
        "٣",
        "¹",
        "-1",
        "1.0",
        "",
        None,
        "abc",
        "9" * 19,
        str(MAX_ID + 1),
        "0",
        "1e3",
        "\x00",
        ["1"],
    ],
)
def test_anything_else_is_not_an_id(value):
    # "²" and Arabic-Indic digits pass str.isdigit() but not int(): that was a 500.
    assert parse_id(value) is None


def test_the_path_converter_takes_only_ids():
    converter = IdConverter()
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    assert re.fullmatch(converter.regex, "9" * 25) is None
    for value in (str(MAX_ID + 1), "0"):
        with pytest.raises(ValueError):
            converter.to_python(value)


def url_patterns():
    """(full route, pattern, converters along the way) for every URL of the project."""

    def walk(patterns, prefix, converters):
        for pattern in patterns:
            found = {**converters, **getattr(pattern.pattern, "converters", {})}
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, found)
            else:
                yield route, pattern, found

    yield from walk(get_resolver().url_patterns, "/", {})


def first_party(pattern) -> bool:
    return pattern.lookup_str.startswith(FIRST_PARTY)


def test_no_first_party_url_takes_an_id_without_the_range_check():
    checked = [route for route, pattern, _ in url_patterns() if first_party(pattern)]
    unchecked = [
        route
        for route, pattern, converters in url_patterns()
        if first_party(pattern)
        and any(type(converter) is IntConverter for converter in converters.values())
    ]
    assert len(checked) > 50
    assert unchecked == []


def with_value(route: str, value: str) -> str:
    route = re.sub(r"<id:\w+>", value, route)
    route = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), route)
    return re.sub(r"<(?:str|slug|path):\w+>", "x", route)


@pytest.mark.django_db
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_every_id_url_answers_404_to_an_id_out_of_range(client, value):
    """Signed in with every right, so nothing but the id can refuse the request."""
    routes = [
        with_value(route, value)
        for route, pattern, converters in url_patterns()
        if first_party(pattern)
        and any(isinstance(converter, IdConverter) for converter in converters.values())
    ]
    assert len(routes) >= 15
    client.force_login(with_mfa(UserFactory(is_superuser=True, is_staff=True)))
    for route in routes:
        for send in (client.get, client.post):
            # (CommonMiddleware may first redirect a route without its final slash.)
            assert send(route, follow=True).status_code == 404, route


@pytest.mark.django_db
def test_every_first_party_form_field_that_takes_ids_checks_their_range():
    import casework.forms
    import events.forms
    import knowledge.forms
    import newsletter.forms

    checked, unchecked = [], []
    for module in (casework.forms, events.forms, knowledge.forms, newsletter.forms):
        for name, form in vars(module).items():
            if isinstance(form, type) and issubclass(form, forms.BaseForm):
                for field_name, field in form.base_fields.items():
                    if isinstance(field, forms.ModelChoiceField):
                        ok = isinstance(field, IdChoiceField | IdMultipleChoiceField)
                        (checked if ok else unchecked).append(f"{name}.{field_name}")
    assert len(checked) >= 10
    assert unchecked == []

    # On PostgreSQL too, such a value is an invalid choice (a 400 with the form).
    municipality = MunicipalityFactory()
    assert PersonStep(
        data={"person_name": "Test", "municipality": municipality.pk}, kind="com"
    ).is_valid()
    for value in OUT_OF_RANGE:
        person = PersonStep(data={"person_name": "Test", "municipality": value}, kind="com")
        assert not person.is_valid() and "municipality" in person.errors
        question = QuestionStep(
            data={"partners": [value], "question": "Vraag", "urgency": "normaal"}
        )
        assert not question.is_valid() and "partners" in question.errors
        preferences = PreferencesForm(data={"themes": [value], "frequency": "issue"})
        assert not preferences.is_valid() and "themes" in preferences.errors


@pytest.fixture(scope="module")
def on_sqlite() -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["vendor"] == "sqlite"
    return outcome


def test_on_sqlite_ids_out_of_range_in_urls_are_404_never_500(on_sqlite):
    requests = on_sqlite["requests"]
    assert requests.pop("GET event ics existing") == 200
    assert len(requests) >= 12
    assert {path: status for path, status in requests.items() if status != 404} == {}


def test_on_sqlite_forms_refuse_ids_out_of_range_without_an_error(on_sqlite):
    assert on_sqlite["forms"] == {
        "intake municipality": False,
        "intake partners": False,
        "newsletter themes": False,
        "intake municipality in range": True,
    }
