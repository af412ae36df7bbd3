import socket

from django.core.management import call_command
from django.utils import timezone

from celery import shared_task

from .models import WorkerHeartbeat


@shared_task
def record_worker_heartbeat() -> None:
    """Beat runs this every minute; the health endpoint shows when a worker last ran it."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": timezone.now()}
    )


@shared_task
def publish_scheduled() -> None:
    """Beat runs this every minute: Wagtail's scheduled publishing. Pages and snippets
    whose approved go-live time has passed go live, live ones past their expiry time are
    unpublished. Wagtail keeps this in its management command only, so call that."""
    call_command("publish_scheduled")


@shared_task
def run_retention() -> dict[str, int]:
    """Beat ``retention`` (hourly): every retention term of every app, one service."""
    from .retention import retention_run

    return retention_run()
