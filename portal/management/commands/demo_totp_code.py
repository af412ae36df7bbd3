import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from .ensure_demo_admin import totp_secret_file


class Command(BaseCommand):
    help = "Print the demo administrator's current TOTP code (demo mode only)."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(
                "Only the demo administrator has a printable code (PORTAL_ENV=demo)."
            )
        secret_file = totp_secret_file()
        if not secret_file.exists():
            raise CommandError("No demo administrator yet: run `make demo` first.")
        period = mfa_settings.TOTP_PERIOD
        now = int(time.time())
        code = format_hotp_value(hotp_value(secret_file.read_text().strip(), now // period))
        self.stdout.write(f"{code}  (valid for another {period - now % period} s)")
