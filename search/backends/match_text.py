"""A parsed query as the database engines' match text: PostgreSQL tsquery and SQLite
FTS5 MATCH expressions, for every clause or (tier 2) any of some (database.py)."""

from ..query import Alt, Clause, ParsedQuery


def _ts_alt(alt: Alt) -> str:
    stems = [s for s in alt.stems if s]
    if alt.prefix:
        return f"{stems[-1]}:*"
    if len(stems) == 1:
        return stems[0]
    joiner = " <-> " if alt.phrase else " & "
    return "(" + joiner.join(stems) + ")"


def ts_clause(clause: Clause) -> str:
    alts = [_ts_alt(a) for a in clause.alts if a.stems]
    return "(" + " | ".join(alts) + ")"


def ts_any(clauses: list[Clause]) -> str:
    return "(" + " | ".join(ts_clause(c) for c in clauses) + ")"


def to_tsquery(query: ParsedQuery, any_of: list[Clause] | None = None) -> str:
    """PostgreSQL tsquery text; stems are [a-z0-9] only, so nothing needs escaping.

    With ``any_of`` (tier 2): any of those clauses, plus the typed phrases.
    """
    if any_of is None:
        parts = [ts_clause(c) for c in query.must]
    else:
        parts = [ts_any(any_of)]
        parts += [ts_clause(c) for c in query.must if c.required]
    parts += ["!" + ts_clause(c) for c in query.must_not]
    return " & ".join(parts)


def _fts_alt(alt: Alt) -> str:
    stems = [s for s in alt.stems if s]
    if alt.prefix:
        return f'"{stems[-1]}"*'
    if alt.phrase:
        return '"' + " ".join(stems) + '"'
    return "(" + " AND ".join(f'"{s}"' for s in stems) + ")"


def fts_clause(clause: Clause) -> str:
    return "(" + " OR ".join(_fts_alt(a) for a in clause.alts if a.stems) + ")"


def fts_any(clauses: list[Clause]) -> str:
    return "(" + " OR ".join(fts_clause(c) for c in clauses) + ")"


def to_fts5(query: ParsedQuery, any_of: list[Clause] | None = None) -> str:
    """SQLite FTS5 MATCH expression; stems are quoted, so keywords cannot be injected.

    With ``any_of`` (tier 2): any of those clauses, plus the typed phrases.
    """
    if any_of is None:
        text = " AND ".join(fts_clause(c) for c in query.must)
    else:
        required = [fts_clause(c) for c in query.must if c.required]
        text = " AND ".join([fts_any(any_of), *required])
    for clause in query.must_not:
        text = f"({text}) NOT {fts_clause(clause)}"
    return text
