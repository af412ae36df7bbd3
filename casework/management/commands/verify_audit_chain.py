from django.core.management.base import BaseCommand, CommandError

from casework.audit import verify_chain
from casework.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the casework audit log's hash chain; exits non-zero on tampering."

    def handle(self, *args, **options):
        problems = list(verify_chain())
        for problem in problems:
            self.stderr.write(f"audit entry {problem.entry_id}: {problem.problem}")
        if problems:
            raise CommandError(f"audit chain broken at {len(problems)} place(s)")
        self.stdout.write(f"audit chain intact ({AuditEntry.objects.count()} entries)")
