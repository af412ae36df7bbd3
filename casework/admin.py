"""The Django admin cannot administer casework accounts.

A superuser holds every Django permission. With the stock screens a superuser without
a role could set a partner's password, delete the partner's authenticators, sign in
as the partner with a second factor of their own and read the partner's cases. For
casework accounts (members of a partner organisation, holders of a ZVH role, or of a
casework permission) the user, e-mail address and authenticator screens here are
read-only, and so are the role groups: roles are granted through invitations
(``casework.services``), passwords, addresses and second factors are changed by their
owner on allauth's pages. Casework permissions cannot be handed out here at all, not
even to other accounts, because holding one is what makes an account a casework account.
What the admin still changes (other accounts) is audited by ``casework.account_audit``.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin  # registers User and Group first
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from allauth.account import admin as account_admin  # registers EmailAddress first
from allauth.account.models import EmailAddress
from allauth.mfa import admin as mfa_admin  # registers Authenticator first
from allauth.mfa.models import Authenticator

from .models import Membership
from .roles import STAFF_ROLES

User = get_user_model()


def _casework_group() -> Q:
    return Q(name__in=STAFF_ROLES) | Q(permissions__content_type__app_label="casework")


def is_casework_account(user_id) -> bool:
    """A partner, a ZVH role holder, or an account holding a casework permission."""
    if user_id is None:
        return False
    return (
        Membership.objects.filter(user_id=user_id).exists()
        or Group.objects.filter(_casework_group(), user__pk=user_id).exists()
        or Permission.objects.filter(content_type__app_label="casework", user__pk=user_id).exists()
    )


def is_casework_group(group) -> bool:
    return group.pk is not None and Group.objects.filter(_casework_group(), pk=group.pk).exists()


def _without_casework_permissions():
    return Permission.objects.exclude(content_type__app_label="casework")


class CaseworkUserAdmin(auth_admin.UserAdmin):
    """Read-only for casework accounts (including the password form, which Django
    guards with ``has_change_permission``); elsewhere no roles or casework permissions."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_casework_account(obj.pk):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_casework_account(obj.pk):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.exclude(_casework_group()).distinct()
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = _without_casework_permissions().select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CaseworkGroupAdmin(auth_admin.GroupAdmin):
    """The role groups are read-only; other groups get no casework permissions."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_casework_group(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_casework_group(obj):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = _without_casework_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CaseworkEmailAddressAdmin(account_admin.EmailAddressAdmin):
    """No addresses added here (for any account: the form could pick a partner); a
    casework account's addresses are read-only. An address the admin controls would
    receive the partner's password-reset mail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_casework_account(obj.user_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_casework_account(obj.user_id):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=account_admin.EmailAddressAdmin.make_verified.short_description)
    def make_verified(self, request, queryset):
        casework = [row.pk for row in queryset if is_casework_account(row.user_id)]
        return super().make_verified(request, queryset.exclude(pk__in=casework))


class CaseworkAuthenticatorAdmin(mfa_admin.AuthenticatorAdmin):
    """Authenticators are made by their owner on allauth's pages, never here. Removing
    one (an editor who lost a phone) stays possible, except for casework accounts."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_casework_account(obj.user_id):
            return False
        return super().has_delete_permission(request, obj)


for _model, _admin_class in (
    (User, CaseworkUserAdmin),
    (Group, CaseworkGroupAdmin),
    (EmailAddress, CaseworkEmailAddressAdmin),
    (Authenticator, CaseworkAuthenticatorAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)
