"""The audit log: append-only and hash-chained with a key.

Every entry stores an HMAC-SHA-256 of its own fields plus the previous entry's hash,
keyed with ``AUDIT_CHAIN_KEY`` (an environment secret, never in the database). Changing,
inserting or deleting a row breaks the chain from that row on, and whoever can write
the table but lacks the key cannot compute hashes that fit again. Entries written
before the chain was keyed keep their unkeyed SHA-256 (``hash_version`` 1): they
verify as they were written, and the first keyed entry after them seals them, because
its keyed hash covers the last unkeyed hash. An unkeyed entry after a keyed one is
refused.

Removing the newest entries leaves a shorter chain that is whole. The head (last id,
hash, count) is therefore exported every hour outside the database (``head_export``:
the log and ``AUDIT_HEAD_FILE``), and ``verify_chain`` checks the chain against every
exported head. ``manage.py verify_audit_chain`` and the privacy officer's button run
it. Writers take an advisory lock (``portal.locks``) so two requests cannot fork the
chain.
"""

import contextvars
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import locks

from .models import AuditEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
UNKEYED = 1  # SHA-256 over the fields: entries from before the chain was keyed
KEYED = 2  # HMAC-SHA-256 with AUDIT_CHAIN_KEY
HASH_VERSIONS = (UNKEYED, KEYED)

# The request being served, for audit receivers that get none of their own (model
# signals: a password set in an admin, a group added in a form); set by
# casework.middleware.AuditContextMiddleware. None outside a request (commands, tasks).
_current_request: contextvars.ContextVar = contextvars.ContextVar(
    "casework_audit_request", default=None
)


def bind_request(request) -> contextvars.Token:
    return _current_request.set(request)


def unbind_request(token: contextvars.Token) -> None:
    _current_request.reset(token)


def current_request():
    return _current_request.get()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_pk,
        "actor_label": entry.actor_label,
        "organisation": entry.organisation,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "origin": entry.origin,
        "result": entry.result,
        "prev": entry.prev_hash,
    }


def _canonical(entry: AuditEntry, version: int) -> bytes:
    fields = _fields(entry)
    if version != UNKEYED:
        # The version is inside the keyed hash: relabelling an entry as unkeyed changes it.
        fields["v"] = version
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def compute_hash(entry: AuditEntry, version: int | None = None) -> str:
    """The hash ``entry`` should carry under its (or the given) hash version."""
    version = entry.hash_version if version is None else version
    if version == UNKEYED:
        return hashlib.sha256(_canonical(entry, UNKEYED)).hexdigest()
    return hmac.new(_key(), _canonical(entry, version), hashlib.sha256).hexdigest()


def _origin(request) -> str:
    if request is None:
        return "system"
    return request.META.get("REMOTE_ADDR", "")[:64]


def _organisation_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    membership = getattr(user, "casework_membership", None)
    if membership is not None:
        return membership.organisation.name
    return "ZVH"


def record(
    *,
    action: str,
    user=None,
    request=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    result: str = "ok",
) -> AuditEntry:
    """Append one entry. ``obj`` may be a Case (its reference is logged, never content)."""
    if user is None and request is not None:
        user = request.user
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(getattr(obj, "reference", "") or obj.pk)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    with transaction.atomic():
        locks.advisory_xact_lock(locks.LockKey.AUDIT_CHAIN)
        last = AuditEntry.objects.order_by("-pk").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor_pk=user.pk if authenticated else None,
            actor_label=(user.get_username() if authenticated else "")[:254],
            organisation=_organisation_of(user)[:200],
            action=action[:40],
            object_type=object_type[:40],
            object_id=str(object_id)[:64],
            purpose=purpose[:500],
            origin=_origin(request),
            result=result[:20],
            prev_hash=last or GENESIS,
            hash_version=KEYED,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
    return entry


# --- The exported head --------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """The newest entry and the length of the chain at one moment, kept outside the
    database so that removing the newest entries shows."""

    last_id: int
    entry_hash: str
    count: int
    at: str  # the last entry's time (ISO 8601)
    action: str  # the last entry's action
    exported_at: str


def chain_head() -> ChainHead | None:
    """The head as it is now; None for an empty chain."""
    with transaction.atomic():
        # Under the writers' lock: no entry is appended between the two reads.
        locks.advisory_xact_lock(locks.LockKey.AUDIT_CHAIN)
        last = AuditEntry.objects.order_by("-pk").first()
        if last is None:
            return None
        count = AuditEntry.objects.count()
    return ChainHead(
        last_id=last.pk,
        entry_hash=last.entry_hash,
        count=count,
        at=last.at.isoformat(),
        action=last.action,
        exported_at=timezone.now().isoformat(),
    )


def _head_mac(fields: dict[str, object]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_key(), b"head:" + body, hashlib.sha256).hexdigest()


def _head_file() -> Path:
    return Path(settings.AUDIT_HEAD_FILE)


def head_export() -> ChainHead | None:
    """Write the current head to the log and append it to AUDIT_HEAD_FILE (beat
    ``casework-audit-chain-head``). The file is one JSON line per export with a MAC, so
    an edited line is noticed; the log copy goes wherever the logs are shipped."""
    head = chain_head()
    if head is None:
        logger.info("audit chain head: the chain is empty")
        return None
    fields = asdict(head)
    line = json.dumps({**fields, "mac": _head_mac(fields)}, sort_keys=True)
    path = _head_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    # The log filter removes runs of nine digits (they look like a BSN); in groups of
    # eight separated by colons the hash reaches the log whole.
    grouped = ":".join(head.entry_hash[i : i + 8] for i in range(0, len(head.entry_hash), 8))
    logger.info(
        "audit chain head: last entry %s, %s entries, hash %s",
        head.last_id,
        head.count,
        grouped,
    )
    return head


@dataclass(frozen=True)
class ExportedHeads:
    heads: list[ChainHead]
    unreadable: list[int]  # line numbers whose MAC does not verify


def exported_heads(path: Path | None = None) -> ExportedHeads:
    """Every head exported so far (the file missing: none)."""
    path = path or _head_file()
    heads: list[ChainHead] = []
    unreadable: list[int] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return ExportedHeads(heads, unreadable)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            mac = data.pop("mac")
            head = ChainHead(**data)
        except (ValueError, TypeError, KeyError):
            unreadable.append(number)
            continue
        if not hmac.compare_digest(str(mac), _head_mac(asdict(head))):
            unreadable.append(number)
            continue
        heads.append(head)
    return ExportedHeads(heads, unreadable)


# --- Verification -------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One place where the chain does not hold: the entry (id, time, action) and what
    is wrong. ``kind`` is a stable code the privacy officer's page translates."""

    entry_id: int
    problem: str
    at: datetime | None = None
    action: str = ""
    kind: str = ""


def _problem(entry: AuditEntry, kind: str, problem: str) -> ChainProblem:
    return ChainProblem(entry.pk, problem, at=entry.at, action=entry.action, kind=kind)


def _head_problem(head: ChainHead, kind: str, problem: str) -> ChainProblem:
    at = datetime.fromisoformat(head.at) if head.at else None
    return ChainProblem(head.last_id, problem, at=at, action=head.action, kind=kind)


def verify_chain(
    *, heads: list[ChainHead] | None = None, also: Sequence[ChainHead] = ()
) -> Iterator[ChainProblem]:
    """Yield every place where the chain does not hold, including against the exported
    heads (by default those in AUDIT_HEAD_FILE) and ``also`` (heads taken from the log)."""
    if heads is None:
        exported = exported_heads()
        heads = exported.heads
        for number in exported.unreadable:
            yield ChainProblem(
                0,
                f"line {number} of the exported head file does not verify (file altered)",
                kind="head_file",
            )
    pinned: dict[int, list[ChainHead]] = {}
    for head in [*heads, *also]:
        pinned.setdefault(head.last_id, []).append(head)
    previous = GENESIS
    keyed_seen = False
    count = 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != previous:
            yield _problem(entry, "link", "previous hash does not match (row removed or inserted)")
        if keyed_seen and entry.hash_version != KEYED:
            yield _problem(
                entry,
                "downgraded",
                "unkeyed entry after keyed entries (rewritten without the key)",
            )
        elif entry.hash_version not in HASH_VERSIONS:
            yield _problem(entry, "altered", "unknown hash version (row altered)")
        elif not hmac.compare_digest(compute_hash(entry), entry.entry_hash):
            yield _problem(entry, "altered", "contents do not match the stored hash (row altered)")
        keyed_seen = keyed_seen or entry.hash_version == KEYED
        previous = entry.entry_hash
        for head in pinned.pop(entry.pk, []):
            if entry.entry_hash != head.entry_hash:
                yield _problem(
                    entry,
                    "head",
                    f"differs from the head exported at {head.exported_at} (row replaced)",
                )
            elif count != head.count:
                yield _problem(
                    entry,
                    "head",
                    f"{count} entries up to here, {head.count} when the head was exported "
                    f"at {head.exported_at} (rows removed or inserted)",
                )
    for last_id in sorted(pinned):
        head = pinned[last_id][-1]
        yield _head_problem(
            head,
            "truncated",
            f"missing: the chain ends before the head exported at {head.exported_at} "
            f"({head.count} entries then, {count} now; entries removed)",
        )
