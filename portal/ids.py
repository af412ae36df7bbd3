"""Ids from request data.

``str.isdigit()`` is not enough: it accepts "²" and other Unicode digits that ``int()``
refuses, and a long run of digits overflows the database's integer column — both
would be a 500. Hostile-input fuzzing of the casework intake found the first.
"""

import re

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value) -> int | None:
    """The value as a positive database id, or None when it is not one."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None
