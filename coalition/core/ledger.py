"""The audit ledger: an append-only, hash-chained record of security events and changes to domain records.

Each event's hash covers its content and the previous event's hash, so altering or removing any event breaks every
later link; `verify_chain` (and `manage.py verify_ledger`) names the first broken one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from coalition.core.models import AuditEvent, LedgerCheckpoint, LedgerHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "on_behalf_of": event.on_behalf_of,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_label": event.subject_label,
        "data": event.data,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def entry(event: AuditEvent) -> bytes:
    """The event's canonical bytes: what its chain hash covers, and its leaf in the Merkle tree (checkpoints.py)."""
    return _canonical(event)


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _label(obj: Any) -> str:
    return "" if obj is None else str(obj)[:300]


def _locked_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # only after a database was emptied wholesale (tests); the migration creates it
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def record(
    action: str,
    *,
    actor: Any = None,
    subject: Any = None,
    on_behalf_of: Any = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    label: str | None = None,
) -> AuditEvent:
    """Append one event (`label` names the subject where its own name must not reach the ledger's readers). Runs
    inside the caller's transaction, so the event lands if and only if the change does
    (no savepoint: a failure to record aborts the whole change, and it saves two round trips per event)."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            action=action,
            actor_id=actor_id,
            actor_label=_label(actor) if actor_id else "",
            on_behalf_of=_label(on_behalf_of),
            subject_type=subject._meta.label_lower if hasattr(subject, "_meta") else "",
            subject_id=str(getattr(subject, "pk", "") or ""),
            subject_label=_label(subject) if label is None else label[:300],
            data=json.loads(json.dumps(data or {}, default=str)),
            ip=ip,
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> Verification:
    """Walk the chain from the first event; stop at the first link whose content or position is wrong."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in _in_order():
        if event.seq != expected_seq:
            return Verification(False, checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return Verification(False, checked, event.seq, "it does not follow the previous event's hash")
        if compute_hash(event) != event.hash:
            return Verification(False, checked, event.seq, "its content no longer matches its hash")
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    head = LedgerHead.objects.filter(pk=1).first() or LedgerHead(seq=0, hash=GENESIS)
    if head.seq != checked or head.hash != expected_prev:
        return Verification(False, checked, checked + 1, f"the head names #{head.seq}: later events were removed")
    # A head rewritten to match a shortened (or emptied) ledger still leaves the signed checkpoints behind.
    signed = LedgerCheckpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0
    if signed > checked:
        reason = f"a signed checkpoint covers {signed} events: later ones were removed"
        return Verification(False, checked, checked + 1, reason)
    return Verification(True, checked)
