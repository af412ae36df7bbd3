"""django-allauth adapter: accounts exist by invitation only, and failed logins slow
down an address and an account without letting a stranger lock the owner out.

allauth counts failed logins (``ACCOUNT_RATE_LIMITS["login_failed"]``) per client
address ("ip") and per "key". Its key is the login alone, so anyone who knows an
address could lock that account for everyone for 15 minutes. Here the key is the
login *and* the client address: five failures lock that account from that address
only.

Guessing from many addresses meets the account's own brake (``LOGIN_ACCOUNT_LOCK``):
after ``failures`` failures within ``window`` seconds from anywhere the account is
locked for a short time (``first_lock`` seconds, doubling with each further failure,
at most ``max_lock``), but only for browsers that never completed a login to it. A
browser that did (password, and the second factor where there is one) carries a
signed cookie naming the account (``LOGIN_DEVICE_COOKIE``, a keyed hash, not the
address) and passes the lock; it still needs the password and the second factor and
still meets allauth's limits.

A login refused before the password is checked (either lock) is announced with the
``login_refused`` signal, which casework audits; a wrong password or an unknown
address reaches the audit through Django's ``user_login_failed``.
"""

import hmac
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import Signal

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress

# Sent with request, login (as typed, normalised) and reason ("locked").
login_refused = Signal()

_DEVICE_SALT = "portal.accounts.login-device"
_DEVICE_TOKENS_KEPT = 10
# Enough to keep the lock at its maximum; older failures no longer count.
_MAX_DOUBLINGS = 16


def _login_of(credentials) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


def _account_token(login: str) -> str:
    """A keyed hash of the login: neither the cache nor the cookie holds the address,
    and unknown addresses are counted exactly like known ones (no enumeration)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"login-account:" + login.encode(), "sha256")
    return digest.hexdigest()[:32]


def _guard_key(login: str) -> str:
    return f"login-guard:{_account_token(login)}"


def account_lock_seconds(login: str) -> float:
    """How long the account-wide lock on ``login`` still holds (0: none)."""
    state = cache.get(_guard_key(login)) or {}
    return max(0.0, float(state.get("locked_until", 0)) - time.time())


def account_failure_recorded(login: str) -> None:
    """Count a failed password for ``login`` from any address; start or lengthen the lock.

    Two failures at the same moment may count as one (read, then write): the brake is
    about many guesses, so that does not matter."""
    policy = settings.LOGIN_ACCOUNT_LOCK
    now = time.time()
    key = _guard_key(login)
    state = cache.get(key) or {}
    failures = [at for at in state.get("failures", []) if now - at < policy["window"]]
    failures.append(now)
    locked_until = float(state.get("locked_until", 0))
    excess = len(failures) - policy["failures"]
    if excess >= 0:
        lock = min(policy["first_lock"] * 2 ** min(excess, _MAX_DOUBLINGS), policy["max_lock"])
        locked_until = max(locked_until, now + lock)
    cache.set(
        key,
        {
            "failures": failures[-(policy["failures"] + _MAX_DOUBLINGS) :],
            "locked_until": locked_until,
        },
        timeout=policy["window"] + policy["max_lock"],
    )


def _known_tokens(request) -> list[str]:
    try:
        value = request.get_signed_cookie(
            settings.LOGIN_DEVICE_COOKIE,
            salt=_DEVICE_SALT,
            max_age=settings.LOGIN_DEVICE_COOKIE_AGE,
        )
    except (KeyError, signing.BadSignature):
        return []
    return [token for token in value.split(",") if token]


def is_known_device(request, login: str) -> bool:
    """Did this browser complete a login (with the second factor) to ``login``?"""
    return _account_token(login) in _known_tokens(request)


def _remember_device(request, response, user) -> None:
    logins = {user.email.lower()} | {
        email.lower()
        for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    tokens = [_account_token(login) for login in sorted(logins) if login]
    kept = [token for token in _known_tokens(request) if token not in tokens]
    response.set_signed_cookie(
        settings.LOGIN_DEVICE_COOKIE,
        ",".join([*tokens, *kept][:_DEVICE_TOKENS_KEPT]),
        salt=_DEVICE_SALT,
        max_age=settings.LOGIN_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.PORTAL_OPEN_SIGNUP

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth's per-"key" limit, per account *and* client address: a stranger's
        # failures lock the account only from the stranger's own address.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        login = _login_of(credentials)
        try:
            if account_lock_seconds(login) > 0 and not is_known_device(request, login):
                raise self.validation_error("too_many_login_attempts")
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login_refused.send(sender=type(self), request=request, login=login, reason="locked")
            raise

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        account_failure_recorded(_login_of(credentials))

    def post_login(self, request, user, **kwargs):
        # Called once the whole login (password and second factor) has succeeded.
        response = super().post_login(request, user, **kwargs)
        _remember_device(request, response, user)
        return response
