from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework import demo_accounts
from portal.mail import normalise_email


class Command(BaseCommand):
    help = (
        "Print the current TOTP code of a demo account (default: the administrator); "
        "demo mode only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "email", nargs="?", default=demo_accounts.ADMIN_EMAIL, help="a demo account's e-mail"
        )

    def handle(self, *args, email, **options):
        if not settings.DEMO:
            raise CommandError("Only the demo accounts have a printable code (PORTAL_ENV=demo).")
        code, valid_for = demo_accounts.totp_code_to_type(self._secret(email))
        self.stdout.write(f"{code}  (valid for another {valid_for} s)")

    @staticmethod
    def _secret(email: str) -> str:
        entry = demo_accounts.entry_for(email)
        if entry is not None and entry.get("totp_secret"):
            return entry["totp_secret"]
        if normalise_email(email) == demo_accounts.ADMIN_EMAIL:
            # A demo set up before var/demo-accounts.json existed.
            secret_file = demo_accounts.legacy_admin_files()[1]
            if secret_file.exists():
                return secret_file.read_text().strip()
            raise CommandError("No demo administrator yet: run `make demo` first.")
        if not demo_accounts.accounts_file().exists():
            raise CommandError("No demo accounts yet: run `make demo` first.")
        raise CommandError(
            f"{email} is not a demo account. Demo accounts: "
            + ", ".join(row["email"] for row in demo_accounts.read_entries())
        )
