from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework import demo_accounts, demo_cases


class Command(BaseCommand):
    help = (
        "Create the demo accounts (one per role) and the demo cases, and print every "
        "e-mail address and password (demo mode only; idempotent). "
        "See casework/demo_accounts.py for var/demo-accounts.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-cases", action="store_true", help="create the accounts only, no demo cases"
        )

    def handle(self, *args, no_cases=False, **options):
        if not settings.DEMO:
            raise CommandError("Demo accounts exist only in demo mode (PORTAL_ENV=demo).")
        try:
            entries = demo_accounts.ensure_accounts()
            created = 0 if no_cases else demo_cases.load_cases()
        except demo_accounts.DemoAccountsError as exc:
            raise CommandError(str(exc)) from exc
        if created:
            self.stdout.write(f"Demo-casussen aangemaakt: {created}.")
        self.stdout.write(
            f"Demo-accounts (ook in {demo_accounts.accounts_file()}):\n"
            + demo_accounts.table(entries)
            + "\nTweede factor (TOTP): .venv/bin/python manage.py demo_totp_code E-MAILADRES"
        )
