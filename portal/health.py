"""Health checks for load balancers: database, cache and broker."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

CHECK_KEY = "health-check"


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    token = timezone.now().isoformat()
    cache.set(CHECK_KEY, token, 10)
    return cache.get(CHECK_KEY) == token


def check_broker() -> bool | None:
    """True/False for a real broker; None when tasks run in-process (demo)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
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
        except Exception:  # noqa: BLE001 - any failure means "down"; details stay out of the response
            outcome = False
        results[name] = "eager" if outcome is None else ("ok" if outcome else "down")
    return results
