import sys
import time

from django.core.management.base import BaseCommand

from search.services import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the site search index (vocabulary and documents) from the live public pages."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=["database", "elasticsearch"], default=None)

    def handle(self, *args, backend=None, **options):
        started = time.monotonic()
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            line = f"\r[{bar}] {done}/{total}"
            if interactive or done == total or done % 100 == 0:
                self.stdout.write(line, ending="" if done < total else "\n")
                self.stdout.flush()

        count = search_rebuild(backend=backend, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {count} pages in {time.monotonic() - started:.1f} s.")
        )
