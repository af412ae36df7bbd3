"""Daily retention run: purge old drafts, clear spent survey addresses, anonymise old
advice requests without a case, purge input kept at idle timeouts and carry out
approved destruction lists."""

from django.core.management.base import BaseCommand

from casework import services
from casework.models import DestructionList


class Command(BaseCommand):
    help = (
        "Purge intake drafts past their term; anonymise advice requests without a case past "
        "theirs; destroy cases on approved destruction lists."
    )

    def handle(self, *args, **options):
        drafts = services.drafts_purge()
        addresses = services.survey_addresses_purge()
        advice = services.advice_requests_anonymise()
        services.rescued_inputs_purge()
        destroyed = 0
        for destruction_list in DestructionList.objects.filter(
            approved_at__isnull=False, executed_at__isnull=True
        ):
            destroyed += services.destruction_execute(destruction_list=destruction_list)["count"]
        self.stdout.write(
            f"drafts purged: {drafts}; survey addresses cleared: {addresses}; "
            f"advice requests anonymised: {advice}; "
            f"cases destroyed: {destroyed}"
        )
