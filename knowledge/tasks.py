"""Background work of the knowledge centre; each task calls one service."""

import smtplib
import socket

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, socket.error, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def acknowledge_question(self, question_id: int) -> bool:
    """Mail the asker; retried with backoff (30 s up to an hour) while SMTP fails."""
    return services.question_acknowledge(question_id=question_id)


@shared_task
def purge_question_personal_data() -> int:
    return services.question_purge_personal_data()


@shared_task
def extract_publication_text(page_id: int) -> int:
    return services.publication_extract_text(page_id=page_id)
