"""Background work for casework: each task takes ids and calls one service.

E-mails go out here, not in the request, so a mail-server outage never breaks a
case action: the task is retried with backoff and the case stays as it was saved.
``OSError`` covers SMTP errors, refused connections and time-outs.
"""

from celery import shared_task

from . import services

RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def send_case_notification(case_id: int, user_id: int) -> bool:
    return services.notification_send(case_id=case_id, user_id=user_id)


@shared_task(**RETRY)
def send_registration_confirmation(case_id: int, user_id: int) -> bool:
    return services.registration_confirmation_send(case_id=case_id, user_id=user_id)


@shared_task
def send_survey_reminders() -> int:
    return services.survey_reminders_send()


@shared_task
def purge_survey_addresses() -> int:
    return services.survey_addresses_purge()


@shared_task
def run_retention() -> dict[str, int]:
    """Daily (beat ``casework-retention``): the retention run of ``casework_retention``."""
    return services.retention_run()
