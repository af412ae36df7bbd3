from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.audit import ChainHead, exported_heads, verify_chain
from casework.models import AuditEntry


def _head_from_log(text: str) -> ChainHead:
    """A head copied from the log line "audit chain head: last entry ID, COUNT entries,
    hash H" as ID,COUNT,H (the hash as logged, in groups separated by colons)."""
    try:
        last_id, count, entry_hash = (part.strip() for part in text.split(","))
        return ChainHead(
            last_id=int(last_id),
            entry_hash=entry_hash.replace(":", "").lower(),
            count=int(count),
            at="",
            action="",
            exported_at="the log",
        )
    except ValueError as exc:
        raise CommandError("--head takes ID,COUNT,HASH as the log shows them") from exc


class Command(BaseCommand):
    help = (
        "Verify the casework audit log's keyed hash chain, and that it is not shorter "
        "than any exported head; exits non-zero when it does not hold."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            help="also compare with a head from the log: ID,COUNT,HASH (repeatable)",
        )

    def handle(self, *args, **options):
        extra = [_head_from_log(text) for text in options["head"]]
        exported = exported_heads()
        problems = list(verify_chain(also=extra))
        for problem in problems:
            when = timezone.localtime(problem.at).isoformat() if problem.at else "-"
            self.stderr.write(
                f"audit entry {problem.entry_id} ({when}, {problem.action or '-'}): "
                f"{problem.problem}"
            )
        heads = len(exported.heads) + len(extra)
        compared = (
            f"compared with {heads} exported head(s)"
            if heads
            else f"no exported head to compare with ({settings.AUDIT_HEAD_FILE})"
        )
        if problems:
            raise CommandError(f"audit chain broken at {len(problems)} place(s); {compared}")
        self.stdout.write(f"audit chain intact ({AuditEntry.objects.count()} entries; {compared})")
