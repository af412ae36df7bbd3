"""The audit log: append-only and hash-chained.

Every entry stores the SHA-256 of its own fields plus the previous entry's hash,
so changing, inserting or deleting a row breaks the chain from that row on;
``manage.py verify_audit_chain`` walks it. Writers take an advisory lock
(``portal.locks``) so two requests cannot fork the chain.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal import locks

from .models import AuditEntry

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    fields = {
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
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


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
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    problem: str


def verify_chain() -> Iterator[ChainProblem]:
    """Yield every place where the chain does not hold."""
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            yield ChainProblem(entry.pk, "previous hash does not match (row removed or inserted)")
        if compute_hash(entry) != entry.entry_hash:
            yield ChainProblem(entry.pk, "contents do not match the stored hash (row altered)")
        previous = entry.entry_hash
