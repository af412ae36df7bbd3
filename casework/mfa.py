"""allauth MFA adapter: TOTP secrets and recovery seeds are stored encrypted; the
second-factor forms audit a step refused by the lock (MFA_FORMS)."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError

from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from cryptography.fernet import Fernet, MultiFernet

from . import audit


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


class CaseworkMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS)).encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return (
            _fernet(tuple(settings.MFA_ENCRYPTION_KEYS)).decrypt(encrypted_text.encode()).decode()
        )


class _AuditedLock:
    """The second-factor step refused by allauth's lock (five wrong codes) sends no
    signal of its own: record it here, once, so every refused login is in the audit."""

    reauthentication = False

    def clean_code(self):
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                prefix = "reauth" if self.reauthentication else "login"
                audit.record(
                    action=f"{prefix}.mfa_locked",
                    user=self.user,
                    request=context.request,
                    purpose="code not checked",
                    result="denied",
                )
            raise


class AuditedAuthenticateForm(_AuditedLock, AuthenticateForm):
    pass


class AuditedReauthenticateForm(_AuditedLock, ReauthenticateForm):
    reauthentication = True
