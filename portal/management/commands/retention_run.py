"""Apply every retention term now (``portal.retention.retention_run``): what beat's
``retention`` job does every hour, for running by hand."""

from django.core.management.base import BaseCommand

from portal.retention import retention_run


class Command(BaseCommand):
    help = (
        "Apply every retention term now: delete or anonymise the personal data past its "
        "term (docs/operations.md, Retention). Prints the count per rule."
    )

    def handle(self, *args, **options):
        for key, count in retention_run().items():
            self.stdout.write(f"{key}: {count}")
