"""Health checks for load balancers: database, cache and broker.

Every check is bounded by a short timeout so a load balancer probing every few
seconds never piles up requests behind a dead Redis; a failure is reported as
"down" without details (errors can carry host names or credentials).
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from kombu import Connection

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

CHECK_KEY = "health-check"
# Seconds a broker check may take to connect and answer; well under the usual
# load-balancer probe timeout of 5 s.
BROKER_TIMEOUT = 1.0


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    token = timezone.now().isoformat()
    cache.set(CHECK_KEY, token, 10)
    return cache.get(CHECK_KEY) == token


def check_broker() -> bool | None:
    """True/False for a real broker; None when tasks run in-process (demo).

    Reads the broker URL from settings (not the Celery app's cached config) and
    connects once, without Celery's retry loop, which would wait for seconds.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    options = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT}
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options
    ) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
        return conn.connected


def last_worker_heartbeat():
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def run_checks() -> dict:
    results = {}
    for name, check in (
        ("database", check_database),
        ("cache", check_cache),
        ("broker", check_broker),
    ):
        try:
            outcome = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            # Only the exception's class: its message may name hosts or credentials.
            logger.warning("Health check %s failed: %s", name, type(exc).__name__)
            outcome = False
        results[name] = "eager" if outcome is None else ("ok" if outcome else "down")
    return results
