"""A second factor for test users.

The casework middleware lets a signed-in user into /partners/, /admin/ and
/django-admin/ only with an activated authenticator (see
casework/middleware.py), so every test that uses those pages as staff gives
its user one:

- ``with_mfa(user)`` activates a TOTP authenticator the way allauth does (its
  secret stored through our encrypting MFA adapter) and keeps the plain secret
  on ``user.totp_secret``;
- ``totp_code(user_or_secret)`` is the code an authenticator app shows now,
  for the second step of allauth's login.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt


def with_mfa(user):
    """Activate a TOTP authenticator (its secret stored through our encrypting adapter)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def totp_code(user_or_secret) -> str:
    """The current TOTP code for a user given ``with_mfa`` (or for a plain secret)."""
    if isinstance(user_or_secret, str):
        secret = user_or_secret
    else:
        secret = getattr(user_or_secret, "totp_secret", None) or decrypt(
            Authenticator.objects.get(user=user_or_secret, type=Authenticator.Type.TOTP).data[
                "secret"
            ]
        )
    # A code typed in the last moments of its period reaches the server in the next
    # one, where it is refused (no tolerance): wait for the new period instead.
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.05)
    # The window's middle counter: the one for the current time period.
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
