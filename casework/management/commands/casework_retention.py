"""Daily retention run: purge old drafts, clear spent survey addresses, anonymise old
advice requests without a case, purge input kept at idle timeouts and carry out
approved destruction lists. Celery beat runs the same service daily
(``casework-retention``); this command is for running it by hand."""

from django.core.management.base import BaseCommand

from casework import services


class Command(BaseCommand):
    help = (
        "Purge intake drafts past their term; anonymise advice requests without a case past "
        "theirs; destroy cases on approved destruction lists."
    )

    def handle(self, *args, **options):
        counts = services.retention_run()
        self.stdout.write(
            f"drafts purged: {counts['drafts']}; "
            f"survey addresses cleared: {counts['survey_addresses']}; "
            f"advice requests anonymised: {counts['advice_requests']}; "
            f"cases destroyed: {counts['cases_destroyed']}"
        )
