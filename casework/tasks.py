"""Background work of the casework app: each task calls one service."""

from celery import shared_task

from . import services


@shared_task
def send_survey_reminders() -> int:
    return services.survey_reminders_send()


@shared_task
def purge_survey_addresses() -> int:
    return services.survey_addresses_purge()
