"""Background work for events: each task takes ids and calls one service."""

from celery import shared_task

from portal.mail import MAIL_RETRY

from . import emails, services


@shared_task(**MAIL_RETRY)
def send_registration_mail(
    registration_id: int, kind: str, sessions: list[dict] | None = None
) -> None:
    emails.registration_mail_send(registration_id=registration_id, kind=kind, sessions=sessions)


@shared_task(**MAIL_RETRY)
def send_event_message(registration_id: int, subject: str, body: str) -> None:
    emails.event_message_send(registration_id=registration_id, subject=subject, body=body)


@shared_task
def expire_holds_and_offers() -> int:
    return services.holds_and_offers_expire()


@shared_task
def send_reminders() -> int:
    return services.reminders_send()


@shared_task
def send_surveys() -> int:
    return services.surveys_send()
