"""Encryption at rest and the keyed blind index for casework data.

Keys come from settings (read from the environment in portal/settings/base.py).
MultiFernet: the first key encrypts, every key decrypts, so a new key can be put
in front and old ciphertext re-encrypted with ``manage.py casework_rotate_keys``.
"""

import hashlib
import hmac
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.db import models

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def case_fernet() -> MultiFernet:
    return _fernet(tuple(settings.CASEWORK_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return case_fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return case_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never echo the ciphertext: it is personal data.
        raise ValueError(
            "casework ciphertext could not be decrypted with the configured keys"
        ) from exc


def rotate_token(token: str) -> str:
    return case_fernet().rotate(token.encode()).decode()


def normalise_person(name: str, birth_date: str = "") -> str:
    """Case-, accent- and spacing-insensitive form of a name for the blind index."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(text.split()) + "|" + (birth_date or "")


def blind_index(name: str, birth_date: str = "") -> str:
    """Keyed HMAC of a person's normalised name and birth date (duplicate detection)."""
    if not (name or "").strip():
        return ""
    key = settings.CASEWORK_BLIND_INDEX_KEY.encode()
    return hmac.new(key, normalise_person(name, birth_date).encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; plain text in Python, ciphertext in SQL.

    Encrypted fields cannot be filtered or sorted on; use a blind index for lookups.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)
