"""Logins, logouts, failed logins and second-factor events go into the casework audit log.

Failed attempts record only the origin, never the typed credentials or codes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from allauth.mfa import signals as mfa_signals

from . import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(action="login", user=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action="logout", user=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record(action="login.failed", request=request, user=None, result="denied")


@receiver(mfa_signals.authentication_failed)
def audit_second_factor_failed(sender, request, user, authenticator, **kwargs):
    action = "reauth.mfa_failed" if kwargs.get("reauthentication") else "login.mfa_failed"
    audit.record(
        action=action, user=user, request=request, purpose=authenticator.type, result="denied"
    )


@receiver(mfa_signals.authenticator_added)
def audit_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit.record(action="mfa.added", user=user, request=request, purpose=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def audit_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit.record(action="mfa.removed", user=user, request=request, purpose=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def audit_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit.record(action="mfa.reset", user=user, request=request, purpose=authenticator.type)
