from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework import demo_accounts

DEMO_ADMIN_EMAIL = demo_accounts.ADMIN_EMAIL


def totp_secret_file():
    """Kept for existing callers; the accounts file (var/demo-accounts.json) is the source."""
    return demo_accounts.legacy_admin_files()[1]


class Command(BaseCommand):
    help = "Create the demo administrator (demo mode only) and print its credentials."

    def handle(self, *args, **options):
        # The admins require a second factor (casework.middleware), in the demo too. The
        # demo admin gets a TOTP authenticator whose secret is kept in var/, so a person
        # can add it to an authenticator app or ask `manage.py demo_totp_code`.
        # All demo accounts (one per role): `manage.py ensure_demo_accounts`.
        if not settings.DEMO:
            raise CommandError("The demo administrator exists only in demo mode (PORTAL_ENV=demo).")
        try:
            (admin,) = demo_accounts.ensure_accounts([demo_accounts.ADMIN_KEY])
        except demo_accounts.DemoAccountsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: e-mail {admin['email']}  password {admin['password']}  "
                f"(saved in {demo_accounts.accounts_file()})\n"
                f"Second factor: TOTP secret {admin['totp_secret']} (add it to an authenticator "
                "app), or print the current code with: .venv/bin/python manage.py demo_totp_code"
            )
        )
