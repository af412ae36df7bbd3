"""Logins, logouts, refused logins and second-factor failures go into the casework
audit log. Every refused login gives exactly one entry: a wrong password or an unknown
address (Django's ``user_login_failed``), a login refused by a lock before the password
was checked (``portal.accounts.login_refused``), a wrong second-factor code (allauth's
``authentication_failed``) and a second-factor step refused by its lock
(``casework.mfa``). Re-authentication (before exports and downloads) is recorded the
same way as ``reauth.*``.

Failed attempts record the origin and, when the login names an existing account, that
account as the subject; never the typed credentials or codes, and never an address
that has no account. Authenticators added or removed are recorded by
``casework.account_audit`` (every path, not only allauth's pages).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from allauth.account.utils import filter_users_by_email
from allauth.mfa import signals as mfa_signals

from portal.accounts import login_refused

from . import audit


def _prefix(request) -> str:
    user = getattr(request, "user", None)
    return "reauth" if user is not None and user.is_authenticated else "login"


def _refused(request, login: str, *, action: str, reason: str) -> None:
    users = filter_users_by_email(login) if login else []
    subject = users[0] if len(users) == 1 else None
    audit.record(
        action=f"{_prefix(request)}.{action}",
        request=request,
        object_type="user" if subject else "",
        object_id=str(subject.pk) if subject else "",
        purpose=reason if subject else "unknown address",
        result="denied",
    )


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(action="login", user=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action="logout", user=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("email") or credentials.get("username") or "").strip()
    _refused(request, login, action="failed", reason="wrong password")


@receiver(login_refused)
def audit_login_refused(sender, request, login, reason, **kwargs):
    _refused(request, login, action=reason, reason=f"{reason}: password not checked")


@receiver(mfa_signals.authentication_failed)
def audit_second_factor_failed(sender, request, user, authenticator, **kwargs):
    action = "reauth.mfa_failed" if kwargs.get("reauthentication") else "login.mfa_failed"
    audit.record(
        action=action, user=user, request=request, purpose=authenticator.type, result="denied"
    )
