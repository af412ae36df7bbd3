"""A mail backend for tests: the SMTP server is down."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class SMTPDownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
