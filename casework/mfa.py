"""allauth MFA adapter: TOTP secrets and recovery seeds are stored encrypted."""

from functools import lru_cache

from django.conf import settings

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet


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
