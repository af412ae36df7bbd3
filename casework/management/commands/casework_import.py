"""Import historical cases from a GCOS CSV export (dry run unless --commit)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casework.importer import MAX_BYTES, import_cases


class Command(BaseCommand):
    help = "Check (and with --commit import) historical cases from a GCOS CSV export."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="import when the whole file is clean (default: dry run, nothing is saved)",
        )

    def handle(self, *args, path, commit, **options):
        source = Path(path)
        try:
            with source.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(
                _("The file %(path)s cannot be read: %(problem)s")
                % {"path": path, "problem": exc.strerror or exc}
            ) from exc
        result = import_cases(data=data, commit=commit)
        write = self.stdout.write
        write(_("File: %(path)s") % {"path": path})
        write(_("Rows read: %(count)s") % {"count": result.rows_read})
        if result.committed:
            write(_("Created: %(count)s") % {"count": len(result.to_create)})
            write(_("Updated: %(count)s") % {"count": len(result.to_update)})
        else:
            write(_("Would create: %(count)s") % {"count": len(result.to_create)})
            write(_("Would update: %(count)s") % {"count": len(result.to_update)})
        write(_("Errors: %(count)s") % {"count": len(result.errors)})
        for error in result.errors:
            reference = f" ({error.reference})" if error.reference else ""
            write(
                _("Line %(line)s%(reference)s: %(message)s")
                % {"line": error.line, "reference": reference, "message": error.message}
            )
        if result.errors:
            raise CommandError(
                _("Nothing has been imported: correct the errors and run the import again.")
            )
        if result.committed:
            write(_("The import has been saved."))
        else:
            write(_("Dry run: nothing has been saved. Add --commit to import."))
