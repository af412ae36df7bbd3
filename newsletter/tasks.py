"""Celery tasks of the newsletter: each takes ids and calls one service."""

from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task
def send_welcome(subscriber_id: int) -> None:
    services.subscriber_send_welcome(subscriber_id=subscriber_id)


@shared_task
def start_sending(sending_id: int) -> None:
    services.sending_start(sending_id=sending_id)


@shared_task
def send_batch(sending_id: int) -> str:
    outcome = services.sending_send_batch(sending_id=sending_id)
    if outcome == "more":
        send_batch.delay(sending_id)
    elif outcome.startswith("wait:") and not send_batch.app.conf.task_always_eager:
        # In-process (demo) mode cannot defer; resume_stalled (beat) picks it up later.
        send_batch.apply_async((sending_id,), countdown=int(outcome.split(":")[1]))
    return outcome


@shared_task
def resume_stalled() -> None:
    services.sendings_recover_stale()


@shared_task
def start_due_sendings() -> None:
    services.sendings_start_due()


@shared_task
def send_quarterly_digests() -> None:
    services.digests_send()


@worker_ready.connect
def recover_after_restart(**kwargs) -> None:
    # A worker that was killed leaves its claimed delivery in "sending" and its
    # unacknowledged batch task invisible in Redis for the visibility timeout;
    # a (re)started worker picks the sending up at once.
    resume_stalled.delay()
