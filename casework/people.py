"""People as the secure area shows them: by name, not by e-mail address."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def person(user: User | None) -> str:
    """The full name; the address only when no name is known."""
    if user is None:
        return "—"
    return user.get_full_name() or user.email or user.get_username()


def person_with_address(user: User) -> str:
    """For a choice between colleagues: the address tells two namesakes apart."""
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email
