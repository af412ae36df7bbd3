"""Import historical cases from the old registration system (GCOS) as CSV.

One entry point, ``import_cases``: it reads the whole file, validates every row and
writes only when the file is entirely clean *and* ``commit=True``, in one transaction.
The reference is the natural key, so importing the same file again updates the cases
it created before and never duplicates them; a case made in the portal is never
overwritten. Imported cases carry no personal data: the file has no such columns, and
the encrypted personal fields stay empty. Every run is audited with counts only.

Column by column rules, accepted spellings and derivations: docs/casework-import.md.

One module per step; this package re-exports their public names, so callers keep
writing ``from casework import importer`` and ``importer.import_cases(...)``:

- ``vocabulary``: ``normalise`` and the accepted spellings (``Vocabulary``, ``KINDS``, ...);
- ``result``: ``ImportResult``, ``RowError``;
- ``reading``: the columns, ``MAX_BYTES``, decoding and splitting the file (``_read``);
- ``validation``: ``CaseRow``, ``_validate``, ``_validate_row``, ``_validate_evaluation``;
- ``writing``: status and report dimensions per row, bulk writes (``_write``);
- ``run``: ``import_cases`` and its audit entry;
- ``pending``: an upload waiting, encrypted, for confirmation (``pending_store``, ...).

Imports between the modules run one way, in the order above. To replace a step in a
test, patch it in the module that calls it (``casework.importer.run._write``).
"""

from .pending import PENDING_SECONDS, pending_load, pending_purge, pending_remove, pending_store
from .reading import COLUMNS, EVALUATION_COLUMNS, FLAG_COLUMNS, GOAL_COLUMNS, MAX_BYTES
from .result import ImportResult, RowError
from .run import import_cases
from .validation import ISO_DATE_RE, REFERENCE_RE, CaseRow

# The benchmarks (bench/casework_import.py) time these steps one by one.
from .validation import _validate as _validate
from .vocabulary import (
    ACHIEVEMENTS,
    CLOSURE_REASONS,
    ENTRY_CHANNELS,
    FLAGS,
    JEUGD_REASON,
    JEUGD_RESULTS,
    KINDS,
    TRIAGE_OUTCOMES,
    WEEGTAFEL_BY_OUTCOME,
    Vocabulary,
    normalise,
)
from .writing import BATCH, CASE_FIELDS
from .writing import _fill as _fill
from .writing import _midnight as _midnight
from .writing import _write as _write

__all__ = [
    "COLUMNS",
    "EVALUATION_COLUMNS",
    "GOAL_COLUMNS",
    "FLAG_COLUMNS",
    "MAX_BYTES",
    "REFERENCE_RE",
    "ISO_DATE_RE",
    "normalise",
    "Vocabulary",
    "KINDS",
    "TRIAGE_OUTCOMES",
    "ACHIEVEMENTS",
    "FLAGS",
    "CLOSURE_REASONS",
    "JEUGD_RESULTS",
    "JEUGD_REASON",
    "ENTRY_CHANNELS",
    "WEEGTAFEL_BY_OUTCOME",
    "RowError",
    "CaseRow",
    "ImportResult",
    "CASE_FIELDS",
    "BATCH",
    "import_cases",
    "PENDING_SECONDS",
    "pending_store",
    "pending_load",
    "pending_remove",
    "pending_purge",
]
