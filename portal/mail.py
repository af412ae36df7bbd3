"""The demo's outbox: every e-mail is written to ``var/mail`` as an .eml file.

A person reads them with any mail program, or in the Wagtail admin under
"Verzonden e-mail (demo)".
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


def outbox_dir() -> Path:
    path = Path(settings.MAIL_OUTBOX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = outbox_dir()
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)
