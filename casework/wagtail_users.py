"""The Wagtail admin's user screens, held to the same rule as the Django admin's
(casework/admin.py): a casework account (a partner, a ZVH role holder, or an account
with a casework permission) cannot be changed there, and no account gets a ZVH role
there. Roles are granted through the four-eyes service (``casework.services``,
``role_grant_request``); passwords, addresses and second factors are changed by their
owner on allauth's pages. Without this a superuser could give themselves or anyone a
role, or set a partner's password, and skip the approval (the change would only be
audited, by casework.account_audit).

Installed through ``casework.wagtail_users_app.CaseworkUsersAppConfig`` in place of
``wagtail.users`` (``INSTALLED_APPS``), with the same label.
"""

from typing import Any

from django.contrib.auth.models import Group

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from .admin import _casework_group, is_casework_account


class _NoCaseworkRoles:
    """Form mixin: role groups are not on offer; a casework account's form is read-only."""

    fields: dict[str, Any]
    instance: Any
    casework_account = False

    @property
    def password_enabled(self) -> bool:
        # Wagtail's own switch (WAGTAILUSERS_PASSWORD_ENABLED), and never for a
        # casework account: its owner changes it on allauth's page.
        enabled: bool = super().password_enabled  # type: ignore[misc]  # defined by the form
        return enabled and not self.casework_account

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        self.casework_account = bool(
            instance is not None and instance.pk and is_casework_account(instance.pk)
        )
        super().__init__(*args, **kwargs)
        if self.casework_account:
            for name in ("password1", "password2"):
                self.fields.pop(name, None)
            for field in self.fields.values():
                field.disabled = True
            return
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.exclude(_casework_group()).distinct()


class CaseworkAwareUserCreationForm(_NoCaseworkRoles, UserCreationForm):
    pass


class CaseworkAwareUserEditForm(_NoCaseworkRoles, UserEditForm):
    pass


class CaseworkAwareUserViewSet(UserViewSet):
    def get_form_class(self, for_update: bool = False) -> type:
        return CaseworkAwareUserEditForm if for_update else CaseworkAwareUserCreationForm
