import socket

from django.utils import timezone

from celery import shared_task

from .models import WorkerHeartbeat


@shared_task
def record_worker_heartbeat() -> None:
    """Beat runs this every minute; the health endpoint shows when a worker last ran it."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
