"""``import_cases``: one run, from the uploaded bytes to the audited result."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal import locks

from .. import audit
from .reading import MAX_BYTES
from .result import ImportResult, RowError
from .validation import _validate
from .writing import _write


def import_cases(*, data: bytes, commit: bool = False, user=None, request=None) -> ImportResult:
    """Validate a GCOS CSV export and, when clean and asked for, import it.

    Nothing is written unless every row is valid and ``commit`` is true; the commit
    is one transaction. The run is audited with counts only, never row contents.
    """
    result = ImportResult(digest=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_BYTES:
        result.unreadable = True
        result.errors.append(
            RowError(
                1,
                "",
                _("The file is too large. The maximum is %(mb)s MB.")
                % {"mb": MAX_BYTES // (1024 * 1024)},
            )
        )
    elif not commit:
        _validate(data, result)
    else:
        try:
            with transaction.atomic():
                # Two imports at once could both decide to create the same reference.
                locks.advisory_xact_lock(locks.LockKey.CASE_IMPORT)
                rows = _validate(data, result)
                if result.ok:
                    _write(rows)
                    result.committed = True
                    # In the transaction: no import without its audit entry.
                    _audit(result, user=user, request=request)
                    return result
        except IntegrityError:
            # A portal case took one of the references between the check and the write.
            result.committed = False
            result.errors.append(
                RowError(
                    1,
                    "",
                    _("The cases changed during the import; nothing was imported. Try again."),
                )
            )
    _audit(result, user=user, request=request)
    return result


def _audit(result: ImportResult, *, user, request) -> None:
    mode = "commit" if result.committed else "dry-run"
    audit.record(
        action="case.import",
        user=user,
        request=request,
        object_type="import",
        object_id=result.digest,
        purpose=(
            f"{mode} rows={result.rows_read} create={len(result.to_create)} "
            f"update={len(result.to_update)} errors={len(result.errors)}"
        ),
        result="committed" if result.committed else ("checked" if result.ok else "refused"),
    )
