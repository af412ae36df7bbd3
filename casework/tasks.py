"""Background work for casework: each task takes ids and calls one service.

E-mails go out here, not in the request, so a mail-server outage never breaks a
case action: the task is retried with backoff (``portal.mail.MAIL_RETRY``) and the
case stays as it was saved.
"""

from celery import shared_task

from portal.mail import MAIL_RETRY

from . import services


@shared_task(**MAIL_RETRY)
def send_case_notification(case_id: int, user_id: int) -> bool:
    return services.notification_send(case_id=case_id, user_id=user_id)


@shared_task(**MAIL_RETRY)
def send_registration_confirmation(case_id: int, user_id: int) -> bool:
    return services.registration_confirmation_send(case_id=case_id, user_id=user_id)


@shared_task
def send_survey_reminders() -> int:
    return services.survey_reminders_send()
