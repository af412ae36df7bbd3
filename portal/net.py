"""The client's address, the same way everywhere (rate limits, hashed consent IPs).

Behind our reverse proxy REMOTE_ADDR is the proxy's. X-Forwarded-For can be sent by
anyone, so only the entries our own proxies appended are trusted: with
``TRUSTED_PROXY_COUNT`` = n, the client is the n-th address from the right — the rule
allauth applies to its own rate limits (``ALLAUTH_TRUSTED_PROXY_COUNT``).
"""

from django.conf import settings


def client_ip(request) -> str:
    trusted = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if trusted:
        hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")
