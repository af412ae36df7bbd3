from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.services import subscribers_import


class Command(BaseCommand):
    help = "Import subscribers from a CSV file; only rows with documented consent are imported."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--source", required=True, help="Where the list comes from.")

    def handle(self, *args, path: Path, source: str, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        report = subscribers_import(csv_text=text, source=source)
        self.stdout.write(f"Imported: {report.imported}")
        self.stdout.write(f"Rejected: {len(report.rejects)}")
        for line, email, reason in report.rejects:
            self.stdout.write(f"  line {line}: {email or '-'}: {reason}")
