"""Issues going out one at a time: the welcome e-mail (with the latest issue), test
sends of a draft, and scheduling an issue (beat starts it when due; the sending
itself is in ``sending``).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    NewsletterIssuePage,
    Sending,
    Subscriber,
    SubscriberStatus,
)
from ..selectors import latest_sent_issue
from .messages import build_issue_message


def subscriber_send_welcome(*, subscriber_id: int) -> bool:
    """The welcome e-mail: a greeting with the latest issue below it."""
    from .. import rendering

    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.ACTIVE).first()
    if subscriber is None:
        return False
    issue = latest_sent_issue()
    if issue:
        sections = rendering.issue_sections(issue)
        key = rendering.theme_key(
            list(subscriber.themes.values_list("pk", flat=True)), rendering.issue_themes(sections)
        )
        rendered = rendering.render_issue(issue, welcome=True, sections=sections, key=key)
    else:
        rendered = rendering.render_welcome()
    message = build_issue_message(
        html=rendered.html,
        text=rendered.text,
        subject=_("Welcome to the ZVH newsletter"),
        subscriber=subscriber,
        message_id=f"<welcome-{secrets.token_hex(8)}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>",
    )
    message.send()
    return True


def issue_send_test(*, issue: NewsletterIssuePage, addresses: list[str]) -> int:
    """Sends the current draft to the given addresses, marked as a test."""
    from .. import rendering

    rendered = rendering.render_issue(issue, preview=True)
    connection = get_connection()
    messages = []
    for address in addresses:
        dummy = Subscriber(email=address, name="")
        messages.append(
            build_issue_message(
                html=rendered.html,
                text=rendered.text,
                subject="[TEST] " + issue.email_subject,
                subscriber=dummy,
                message_id=f"<test-{secrets.token_hex(8)}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>",
            )
        )
    return connection.send_messages(messages) or 0


@transaction.atomic
def issue_schedule(*, issue: NewsletterIssuePage, when: dt.datetime) -> Sending:
    """Schedules the live version of an issue; beat starts it when it is due."""
    if not issue.live:
        raise ValidationError(_("Publish the issue before you schedule it."))
    sending, _created = Sending.objects.get_or_create(issue=issue, defaults={"scheduled_for": when})
    if sending.state != Sending.State.SCHEDULED:
        raise ValidationError(_("This issue is already being sent."))
    sending.scheduled_for = when
    sending.save(update_fields=["scheduled_for"])
    if when <= timezone.now():
        from ..tasks import start_sending

        start_sending.delay_on_commit(sending.pk)
    return sending
