"""Background work of the knowledge centre; each task calls one service."""

import smtplib
import socket

from celery import shared_task

from . import services

# Mail tasks retry with backoff (30 s up to an hour, about a day in all) while SMTP
# fails; what they send is stored first, so nothing is lost meanwhile.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, socket.error, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 12,
}


@shared_task(bind=True, **MAIL_RETRY)
def acknowledge_question(self, question_id: int) -> bool:
    """Mail the asker a confirmation."""
    return services.question_acknowledge(question_id=question_id)


@shared_task(bind=True, **MAIL_RETRY)
def notify_experts_of_question(self, question_id: int) -> bool:
    """Tell the routed expert (or the theme's experts) that a question waits."""
    return services.question_notify_experts(question_id=question_id)


@shared_task(bind=True, **MAIL_RETRY)
def send_question_reply(self, question_id: int) -> bool:
    """Mail the answer or referral that staff recorded in the admin to the asker."""
    return services.question_send_reply(question_id=question_id)


@shared_task
def resend_question_mails() -> dict:
    """Hourly: queue again what never went out (broker down, retries exhausted)."""
    return services.question_mails_resend()


@shared_task
def purge_question_personal_data() -> int:
    return services.question_purge_personal_data()


@shared_task
def extract_publication_text(page_id: int) -> int:
    return services.publication_extract_text(page_id=page_id)
