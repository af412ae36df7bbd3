"""The annual report on the command line: ``manage.py casework_report --year 2019``."""

import json
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from casework import reports
from casework.report_export import report_csv


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Print the casework annual report for a year or a period (inclusive local dates, "
        "Europe/Amsterdam) as JSON or CSV. Keys: docs/casework-reports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="calendar year, e.g. 2019")
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, year=None, start=None, end=None, format="json", **options):
        if year is not None and (start or end):
            raise CommandError("give either --year or --from and --to, not both")
        if year is not None:
            if not 1900 <= year <= 9998:
                raise CommandError(f"not a sensible year: {year}")
            first, last = date(year, 1, 1), date(year, 12, 31)
        elif start and end:
            first, last = _date(start), _date(end)
            if last < first:
                raise CommandError("--to lies before --from")
            if last.year > 9998:
                raise CommandError("--to lies too far in the future")
        else:
            raise CommandError("give --year, or --from and --to")
        report = reports.annual_report(start=first, end=last)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        # The CSV's labels are in the portal's language (Dutch), as in the admin export.
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(report_csv(report), ending="")
