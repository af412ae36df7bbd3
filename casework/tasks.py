"""Background work for casework: each task takes ids and calls one service.

E-mails go out here, not in the request, so a mail-server outage never breaks a
case action: the task is retried with backoff (``portal.mail.MAIL_RETRY``) and the
case stays as it was saved.
"""

from celery import shared_task

from portal.mail import MAIL_RETRY

from . import audit, services


@shared_task(**MAIL_RETRY)
def send_case_notification(case_id: int, user_id: int) -> bool:
    return services.notification_send(case_id=case_id, user_id=user_id)


@shared_task(**MAIL_RETRY)
def send_registration_confirmation(case_id: int, user_id: int) -> bool:
    return services.registration_confirmation_send(case_id=case_id, user_id=user_id)


@shared_task(**MAIL_RETRY)
def send_role_change_notice(user_id: int, event: str) -> bool:
    return services.role_change_notice_send(user_id=user_id, event=event)


@shared_task(**MAIL_RETRY)
def send_break_glass_alert(grant_id: int, user_id: int) -> bool:
    return services.break_glass_alert_send(grant_id=grant_id, user_id=user_id)


@shared_task
def send_survey_reminders() -> int:
    return services.survey_reminders_send()


@shared_task
def export_audit_chain_head() -> int:
    """Beat ``casework-audit-chain-head``: the chain's head to the log and a file."""
    head = audit.head_export()
    return head.count if head is not None else 0


@shared_task(**MAIL_RETRY)
def send_meeting_invitation(meeting_id: int, user_id: int) -> bool:
    return services.meeting_invitation_send(meeting_id=meeting_id, user_id=user_id)


@shared_task(**MAIL_RETRY)
def send_action_reminder(action_id: int, user_id: int, phase: str) -> bool:
    return services.plan_action_reminder_send(action_id=action_id, user_id=user_id, phase=phase)


@shared_task
def send_action_reminders() -> int:
    """Beat ``casework-action-reminders``: reminders before and after due dates."""
    return services.plan_action_reminders_send()
