"""Background work of the knowledge centre; each task calls one service."""

from celery import shared_task

from portal.mail import MAIL_RETRY

from . import services


@shared_task(bind=True, **MAIL_RETRY)
def request_question_confirmation(self, question_id: int) -> bool:
    """Mail the asker's address a link to confirm it (nothing the asker wrote)."""
    return services.question_request_confirmation(question_id=question_id)


@shared_task(bind=True, **MAIL_RETRY)
def acknowledge_question(self, question_id: int) -> bool:
    """Mail the asker a copy of the question, once the address is confirmed."""
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
def extract_publication_text(page_id: int) -> int:
    return services.publication_extract_text(page_id=page_id)
