import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

DEMO_ADMIN_EMAIL = "admin@zvh-bzo.example"


def totp_secret_file():
    return settings.VAR_DIR / "demo-admin-totp-secret.txt"


class Command(BaseCommand):
    help = "Create the demo administrator (demo mode only) and print its credentials."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("The demo administrator exists only in demo mode (PORTAL_ENV=demo).")
        password_file = settings.VAR_DIR / "demo-admin-password.txt"
        user = get_user_model().objects.filter(username="admin").first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                user = get_user_model().objects.create_superuser(
                    "admin", DEMO_ADMIN_EMAIL, password
                )
            else:
                user.set_password(password)
                user.save()
            password_file.write_text(password)
            password_file.chmod(0o600)
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
        )
        # The admins require a second factor (casework.middleware), in the demo too.
        # The demo admin gets a TOTP authenticator whose secret is kept in var/, so a
        # person can add it to an authenticator app or ask `manage.py demo_totp_code`.
        secret_file = totp_secret_file()
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not has_totp or not secret_file.exists():
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            secret_file.write_text(secret)
            secret_file.chmod(0o600)
        password = password_file.read_text().strip()
        secret = secret_file.read_text().strip()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: e-mail {DEMO_ADMIN_EMAIL}  password {password}  (saved in {password_file})\n"
                f"Second factor: TOTP secret {secret} (add it to an authenticator app), or print "
                "the current code with: .venv/bin/python manage.py demo_totp_code"
            )
        )
