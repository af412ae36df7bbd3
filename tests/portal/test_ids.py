"""Ids from request data: only plain ASCII digits that fit a database id."""

import pytest

from portal.ids import parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (" 7 ", 7), (5, 5), ("05", 5), ("999999999999999999", 999999999999999999)],
)
def test_plain_digits_are_ids(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    ["05²", "٣", "¹", "-1", "1.0", "", None, "abc", "9" * 19, "1e3", "\x00", ["1"]],
)
def test_anything_else_is_not_an_id(value):
    # "²" and Arabic-Indic digits pass str.isdigit() but not int(): that was a 500.
    assert parse_id(value) is None
