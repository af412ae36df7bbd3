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

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt

from casework.demo_accounts import totp_code_to_type


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
    # The demo's rule: never a code about to expire (casework/demo_accounts.py).
    return totp_code_to_type(secret)[0]
