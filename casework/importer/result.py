"""What a run reports back: ``ImportResult`` and its ``RowError``s."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    line: int
    reference: str
    message: str


@dataclass
class ImportResult:
    rows_read: int = 0
    to_create: list[str] = field(default_factory=list)
    to_update: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The file could not be read as a GCOS CSV at all (encoding, header): nothing per row.
    unreadable: bool = False
    committed: bool = False
    digest: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})
