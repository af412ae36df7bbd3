"""Personal links: the signed subscriber and confirmation tokens, the preference,
unsubscribe and confirmation URLs built from them, the keyed IP hash of the consent
ledger, and the purge of per-subscriber tracking events (opens and clicks; the
tracking itself is newsletter/tracking.py).

A leaf: it imports no other part of the services (newsletter/rendering.py uses it).
"""

import datetime as dt
import functools
import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.urls import get_urlconf, reverse

from portal.mail import absolute_url

from ..models import (
    Subscriber,
)

SUBSCRIBER_SALT = "newsletter.subscriber"
CONFIRM_SALT = "newsletter.confirm"


# --- Links and hashes ---------------------------------------------------------


def subscriber_token(*, subscriber: Subscriber) -> str:
    """Opaque, signed, long-lived token for the preference centre and unsubscribe links."""
    return signing.Signer(salt=SUBSCRIBER_SALT).sign(subscriber.public_id.hex)


def subscriber_from_token(*, token: str) -> Subscriber | None:
    try:
        public_id = signing.Signer(salt=SUBSCRIBER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(public_id=public_id).first()


def confirmation_token(*, subscriber: Subscriber) -> str:
    value = f"{subscriber.public_id.hex}.{subscriber.confirmation_nonce}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(value)


def subscriber_from_confirmation_token(*, token: str) -> Subscriber | None:
    """The pending subscriber the (unexpired, latest) confirmation link belongs to."""
    max_age = dt.timedelta(days=settings.RETENTION_DAYS["newsletter_unconfirmed"])
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    public_id, _sep, nonce = value.partition(".")
    subscriber = Subscriber.objects.filter(public_id=public_id).first()
    if subscriber is None or not nonce or subscriber.confirmation_nonce != nonce:
        return None
    return subscriber


def preferences_url(*, subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:preferences", args=[subscriber_token(subscriber=subscriber)])
    )


def unsubscribe_url(*, subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:unsubscribe", args=[subscriber_token(subscriber=subscriber)])
    )


@functools.lru_cache(maxsize=16)
def _link_patterns(base: str, urlconf: str | None) -> tuple[str, str]:
    marker = "__token__"
    return (
        base + reverse("newsletter:preferences", args=[marker]),
        base + reverse("newsletter:unsubscribe", args=[marker]),
    )


def subscriber_links(*, subscriber: Subscriber) -> dict[str, str]:
    """Both links of one subscriber with one signature (the hot path of a sending):
    the same URLs as ``preferences_url`` and ``unsubscribe_url``."""
    token = subscriber_token(subscriber=subscriber)
    prefs, unsub = _link_patterns(absolute_url(""), get_urlconf())
    return {
        "preferences_url": prefs.replace("__token__", token),
        "unsubscribe_url": unsub.replace("__token__", token),
    }


def ip_hash(ip: str | None) -> str:
    """Keyed hash of an IP address: comparable within the ledger, not reversible."""
    if not ip:
        return ""
    key = settings.NEWSLETTER_IP_HASH_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def tracking_events_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes per-subscriber opens and clicks after the retention period; the
    aggregates on deliveries and links stay."""
    from ..tracking import tracking_events_purge as purge

    return purge(now=now)
