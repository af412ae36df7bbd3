"""Account administration goes into the audit log, whichever way it is done.

Passwords, e-mail addresses, second factors, groups (the ZVH roles), direct
permissions, the superuser/staff/active flags and partner memberships can be changed
on allauth's pages, in the Wagtail admin, in the Django admin, by management commands
(``changepassword``, ``createsuperuser``) or from a shell. None of those has a single
entry point, so the receivers here listen to the models themselves: whatever saves
the row also writes the entry, in the same transaction.

The actor is the signed-in user of the request being served (``audit.current_request``,
bound by ``casework.middleware.AuditContextMiddleware``), the subject the account
changed (``object_type`` "user", ``object_id`` its id; its login opens ``purpose``).
Without a request the entry's origin is "system" and ``purpose`` names the management
command and the operating-system user that ran it. Passwords, secrets and codes are
never recorded, only that they changed.
"""

import getpass
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from . import audit
from .models import Membership

User = get_user_model()

# User fields whose change is an administrative act (the password is the hash).
WATCHED_USER_FIELDS = ("password", "email", "is_superuser", "is_staff", "is_active")
WATCHED_EMAIL_FIELDS = ("email", "verified", "primary", "user_id")


def _command() -> str:
    """Which management command runs this process, and for which system user."""
    if len(sys.argv) > 1 and Path(sys.argv[0]).name in {"manage.py", "django-admin"}:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):  # no login name in a bare container
            who = "?"
        return f"manage.py {sys.argv[1]} (system user {who})"
    return "system"


def _via(request) -> str:
    if request is None:
        return _command()
    match = getattr(request, "resolver_match", None)
    # The view's name, never the path: a password-reset path carries its token.
    return match.view_name if match is not None else "request"


def _label(user_id) -> str:
    login = User._default_manager.filter(pk=user_id).values_list("username", flat=True).first()
    return login or f"user {user_id}"


def _record(action: str, user_id, label: str, detail: str, *, purpose: str = "") -> None:
    request = audit.current_request()
    actor = getattr(request, "user", None) if request is not None else None
    audit.record(
        action=action,
        user=actor,
        request=request,
        object_type="user",
        object_id=str(user_id),
        purpose=purpose or f"{label}: {detail}; via {_via(request)}",
    )


def _pending(instance) -> list[tuple[str, str]]:
    # Kept in the instance's __dict__ between pre_save and post_save.
    return vars(instance).setdefault("_audit_pending", [])


# --- The user row: password, e-mail, flags, creation, deletion ------------------------


@receiver(pre_save, sender=User)
def _user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    vars(instance)["_audit_pending"] = []
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_USER_FIELDS):
        return  # last_login on every sign-in: nothing administrative
    old = sender._default_manager.filter(pk=instance.pk).values(*WATCHED_USER_FIELDS).first()
    if old is None:
        return
    changes = _pending(instance)
    # set_password() leaves the raw password on _password until save(). A hash that
    # changed without it is a direct assignment (set_unusable_password, a shell); the
    # one exception is Django upgrading the hash at login, which saves only that field.
    rehash_only = update_fields is not None and set(update_fields) == {"password"}
    if getattr(instance, "_password", None) is not None or (
        old["password"] != instance.password and not rehash_only
    ):
        usable = instance.has_usable_password()
        changes.append(("account.password", "password set" if usable else "password removed"))
    if old["email"] != instance.email:
        changes.append(
            ("account.email", f"e-mail changed from {old['email'] or '-'} to {instance.email}")
        )
    for flag in ("is_superuser", "is_staff", "is_active"):
        if old[flag] != getattr(instance, flag):
            changes.append(("account.flags", f"{flag} {old[flag]} -> {getattr(instance, flag)}"))


@receiver(post_save, sender=User)
def _user_after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    label = instance.get_username()
    if created:
        flags = [flag for flag in ("is_superuser", "is_staff") if getattr(instance, flag)]
        detail = "account created" + (f" ({', '.join(flags)})" if flags else "")
        _record("account.created", instance.pk, label, detail)
    for action, detail in _pending(instance):
        _record(action, instance.pk, label, detail)
    vars(instance)["_audit_pending"] = []


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance, **kwargs):
    _record("account.deleted", instance.pk, instance.get_username(), "account deleted")


# --- Groups (the roles) and direct permissions ------------------------------------


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(model._default_manager.filter(pk__in=pks).values_list("name", flat=True))


def _m2m_audit(action_name: str, related_model, instance, action, reverse, pk_set, accessor):
    """One entry per account whose groups or permissions changed, in either direction
    (``user.groups.add(group)`` or ``group.user_set.add(user)``)."""
    if action == "pre_clear":
        # clear() reports no ids afterwards: note who or what is about to go.
        manager = getattr(instance, "user_set" if reverse else accessor)
        vars(instance)["_audit_cleared"] = set(manager.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action == "post_clear":
        pk_set = vars(instance).pop("_audit_cleared", set())
    if not pk_set:
        return
    sign = "+" if action == "post_add" else "-"
    if reverse:
        # instance is the group or permission, pk_set the accounts.
        name = _names(related_model, [instance.pk])[0] if instance.pk else str(instance)
        for user_id, login in User._default_manager.filter(pk__in=pk_set).values_list(
            "pk", "username"
        ):
            _record(action_name, user_id, login, f"{accessor} {sign}{name}")
        return
    changed = ", ".join(sign + name for name in _names(related_model, pk_set))
    _record(action_name, instance.pk, instance.get_username(), f"{accessor} {changed}")


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    _m2m_audit("account.groups", Group, instance, action, reverse, pk_set, "groups")


@receiver(m2m_changed, sender=User.user_permissions.through)
def _permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:
        return  # permission.user_set: no screen or command does this
    _m2m_audit(
        "account.permissions", Permission, instance, action, reverse, pk_set, "user_permissions"
    )


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A role's permissions changed (the Django admin's group screen, ensure_roles)."""
    if reverse or action not in {"post_add", "post_remove"} or not pk_set:
        return
    sign = "+" if action == "post_add" else "-"
    changed = ", ".join(sign + name for name in _names(Permission, pk_set))
    request = audit.current_request()
    audit.record(
        action="group.permissions",
        user=getattr(request, "user", None) if request is not None else None,
        request=request,
        object_type="group",
        object_id=str(instance.pk),
        purpose=f"{instance.name}: permissions {changed}; via {_via(request)}",
    )


# --- Partner membership -----------------------------------------------------------


@receiver(pre_save, sender=Membership)
def _membership_before_save(sender, instance, raw=False, **kwargs):
    vars(instance)["_audit_pending"] = []
    if raw or instance._state.adding:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("organisation_id", flat=True).first()
    if old is not None and old != instance.organisation_id:
        _pending(instance).append(
            ("account.membership", f"organisation changed to {instance.organisation}")
        )


@receiver(post_save, sender=Membership)
def _membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        _pending(instance).append(("account.membership", f"member of {instance.organisation}"))
    for action, detail in _pending(instance):
        _record(action, instance.user_id, _label(instance.user_id), detail)
    vars(instance)["_audit_pending"] = []


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance, **kwargs):
    organisation = instance.organisation_id and instance.organisation.name
    detail = f"no longer a member of {organisation}"
    _record("account.membership", instance.user_id, _label(instance.user_id), detail)


# --- E-mail addresses (allauth's, which the login and password reset use) ----------


@receiver(pre_save, sender=EmailAddress)
def _address_before_save(sender, instance, raw=False, **kwargs):
    vars(instance)["_audit_pending"] = []
    if raw or instance._state.adding:
        return
    old = sender.objects.filter(pk=instance.pk).values(*WATCHED_EMAIL_FIELDS).first()
    if old is None:
        return
    changed = [field for field in WATCHED_EMAIL_FIELDS if old[field] != getattr(instance, field)]
    if changed:
        detail = ", ".join(
            f"{field} {old[field]} -> {getattr(instance, field)}" for field in changed
        )
        _pending(instance).append(("account.email", f"address {old['email']}: {detail}"))


@receiver(post_save, sender=EmailAddress)
def _address_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        marks = [mark for mark in ("verified", "primary") if getattr(instance, mark)]
        detail = f"address {instance.email} added" + (f" ({', '.join(marks)})" if marks else "")
        _pending(instance).append(("account.email", detail))
    for action, detail in _pending(instance):
        _record(action, instance.user_id, _label(instance.user_id), detail)
    vars(instance)["_audit_pending"] = []


@receiver(post_delete, sender=EmailAddress)
def _address_deleted(sender, instance, **kwargs):
    detail = f"address {instance.email} removed"
    _record("account.email", instance.user_id, _label(instance.user_id), detail)


# --- Second factors ---------------------------------------------------------------
# allauth's own authenticator_added/removed signals cover only its pages; a deletion in
# the Django admin or a shell sends none. The model signals cover every path, so they
# are the one source (purpose: the authenticator type, as before).


def _authenticator_entry(action: str, instance) -> None:
    request = audit.current_request()
    audit.record(
        action=action,
        user=getattr(request, "user", None) if request is not None else None,
        request=request,
        object_type="user",
        object_id=str(instance.user_id),
        purpose=instance.type,
    )


@receiver(post_save, sender=Authenticator)
def _authenticator_saved(sender, instance, created, raw=False, **kwargs):
    # Later saves are allauth recording use (last_used_at, used recovery codes,
    # WebAuthn counters, a rename): not administration. The admin cannot edit them.
    if created and not raw:
        _authenticator_entry("mfa.added", instance)


@receiver(post_delete, sender=Authenticator)
def _authenticator_deleted(sender, instance, **kwargs):
    _authenticator_entry("mfa.removed", instance)
