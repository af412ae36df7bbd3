import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from allauth.account.models import EmailAddress

DEMO_ADMIN_EMAIL = "admin@zvh-bzo.example"


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
        password = password_file.read_text().strip()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: e-mail {DEMO_ADMIN_EMAIL}  password {password}  (saved in {password_file})"
            )
        )
