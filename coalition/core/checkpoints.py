"""Signed checkpoints of the audit ledger's Merkle tree, and the inclusion proofs a reader checks against them.

The hash chain (`ledger.py`) shows that events were not edited in place, but whoever can write to the database can
recompute it. A checkpoint closes that gap: the RFC 6962 root of the first `size` events, in the C2SP
tlog-checkpoint format (a signed note), signed with an Ed25519 key the database never holds (`LEDGER_SIGNING_KEY`,
or a key file beside the field-encryption key). Once published, no later checkpoint may contradict it: each new one
is issued only after a consistency proof from the previous one verifies, and anyone holding an older checkpoint can
ask for the same proof. A statement's signature events come with inclusion proofs that a reader checks against a
published checkpoint with `docs/verify_statement.py`, reading O(log n) stored nodes (`LedgerTreeNode`).

Checkpoints are issued when a statement is published and by the daily task (`tasks.issue_checkpoint`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from coalition.core import ledger, merkle
from coalition.core.crypto import create_key_file
from coalition.core.errors import CoalitionError
from coalition.core.models import AuditEvent, LedgerCheckpoint, LedgerHead, LedgerTreeNode

ED25519 = b"\x01"  # the signed-note signature type
DASH = "\u2014"
NODE_BATCH = 5000


class CheckpointRefused(CoalitionError):
    """A checkpoint that would contradict one already signed, or a ledger the tree cannot be built from."""


# --- The key and the signed note ---------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def key_id(name: str, public: bytes) -> bytes:
    """SHA-256(key name || 0x0A || 0x01 || public key)[:4], as c2sp.org/signed-note recommends."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Signer:
    name: str  # the key name, also the checkpoints' origin line
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier_key(self) -> str:
        """The public key as a signed-note verifier key: what a reader needs, and all they need, to check."""
        return f"{self.name}+{key_id(self.name, self.public).hex()}+{_b64(ED25519 + self.public)}"

    def sign(self, text: str) -> str:
        signature = key_id(self.name, self.public) + self.private.sign(text.encode())
        return f"{text}\n{DASH} {self.name} {_b64(signature)}\n"


def new_private_key(name: str) -> str:
    """A new key in the signed-note private key form (`PRIVATE+KEY+name+id+base64(0x01 || seed)`)."""
    if not name or any(c.isspace() or c == "+" for c in name):
        raise ImproperlyConfigured(f"LEDGER_ORIGIN {name!r}: a key name has no spaces and no '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return f"PRIVATE+KEY+{name}+{key_id(name, public).hex()}+{_b64(ED25519 + seed)}"


def parse_private_key(text: str) -> Signer:
    parts = text.strip().split("+", 4)  # base64 may hold "+"
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise ImproperlyConfigured("The ledger signing key is not a signed-note private key (PRIVATE+KEY+…)")
    name, expected_id, encoded = parts[2:]
    raw = base64.b64decode(encoded)
    if len(raw) != 33 or raw[:1] != ED25519:
        raise ImproperlyConfigured("The ledger signing key is not an Ed25519 key")
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if key_id(name, signer.public).hex() != expected_id:
        raise ImproperlyConfigured("The ledger signing key's id does not match its key")
    return signer


@functools.cache
def signer() -> Signer:
    text = settings.LEDGER_SIGNING_KEY
    if not text:
        path = Path(settings.LEDGER_SIGNING_KEY_FILE)
        if not path.exists():
            if settings.PRODUCTION:
                raise ImproperlyConfigured("LEDGER_SIGNING_KEY is required in production")
            create_key_file(path, new_private_key(settings.LEDGER_ORIGIN).encode())
        text = path.read_text()
    return parse_private_key(text)


def verifier_key() -> str:
    """The public half, all that reading and checking need: `LEDGER_VERIFIER_KEY` where set, so web processes can
    run without the private key (only the worker that signs needs it), or else derived from the signing key."""
    return settings.LEDGER_VERIFIER_KEY or signer().verifier_key


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{_b64(root)}\n"


def open_checkpoint(note: str, verifier_key: str) -> Checkpoint:
    """The checkpoint a note carries, once its signature by `verifier_key` verifies; CheckpointRefused otherwise."""
    try:
        name, id_hex, encoded = verifier_key.strip().split("+", 2)
        raw = base64.b64decode(encoded)
        public = Ed25519PublicKey.from_public_bytes(raw[1:])
        text, _, signatures = note.rpartition("\n\n")
        text += "\n"
        for line in signatures.splitlines():
            prefix, signed_by, value = line.split(" ")
            blob = base64.b64decode(value)
            if prefix == DASH and signed_by == name and blob[:4].hex() == id_hex and raw[:1] == ED25519:
                public.verify(blob[4:], text.encode())
                origin, size, root = text.splitlines()[:3]
                if origin != name:
                    break
                return Checkpoint(origin, int(size), base64.b64decode(root))
    except (ValueError, InvalidSignature) as error:
        raise CheckpointRefused(f"The checkpoint's signature does not verify ({error or 'bad signature'}).") from None
    raise CheckpointRefused("The checkpoint carries no signature by the ledger's key.")


# --- The tree ----------------------------------------------------------------------------------------------------


def leaf_entries(start: int, end: int) -> Iterator[bytes]:
    """The entries of leaves start … end-1, in order: the hook for whatever else the tree should cover. Today each
    leaf is one ledger event (leaf i is event #i+1, its entry the canonical JSON its chain hash covers); a record to
    protect (approved minutes, say) joins the tree by being recorded as an event that carries its hash."""
    expected = start + 1
    events = AuditEvent.objects.filter(seq__gt=start, seq__lte=end).order_by("seq").iterator(chunk_size=5000)
    for event in events:
        if event.seq != expected:
            raise CheckpointRefused(f"Ledger event #{expected} is missing: the tree cannot cover it.")
        yield ledger.entry(event)
        expected += 1
    if expected != end + 1:
        raise CheckpointRefused(f"Ledger event #{expected} is missing: the tree cannot cover it.")


def stored_size() -> int:
    last = LedgerTreeNode.objects.filter(level=0).order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def read_nodes(nodes: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    """The stored hashes of `nodes`, in one query (one condition per level). Written as SQL: the ORM took longer
    to compile a few hundred parameters than the database took to answer (bench/ledger.py)."""
    by_level: dict[int, list[int]] = {}
    for level, index in nodes:
        by_level.setdefault(level, []).append(index)
    if not by_level:
        return {}
    quote = connection.ops.quote_name
    conditions, parameters = [], []
    for level, indexes in by_level.items():
        conditions.append(f"({quote('level')} = %s AND {quote('index')} IN ({', '.join(['%s'] * len(indexes))}))")
        parameters += [level, *indexes]
    table = quote(LedgerTreeNode._meta.db_table)
    with connection.cursor() as cursor:
        columns = f"{quote('level')}, {quote('index')}, {quote('hash')}"
        # Only quoted names and placeholders are formatted in; every value is a parameter.
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {' OR '.join(conditions)}", parameters)  # noqa: S608
        return {(level, index): bytes(value) for level, index, value in cursor.fetchall()}


def extend_tree(size: int) -> None:
    """Store the leaves and completed subtrees of events up to `size`, carrying from the tree's right edge."""
    have = stored_size()
    if size <= have:
        return
    edge = merkle.range_nodes(0, have)
    known = read_nodes(edge)
    stack = [(level, index, known[level, index]) for level, index in edge]
    batch: list[LedgerTreeNode] = []
    for offset, entry in enumerate(leaf_entries(have, size)):
        level, index, value = 0, have + offset, merkle.leaf_hash(entry)
        batch.append(LedgerTreeNode(level=level, index=index, hash=value))
        while stack and stack[-1][0] == level:
            _, left_index, left = stack.pop()
            level, index, value = level + 1, left_index // 2, merkle.node_hash(left, value)
            batch.append(LedgerTreeNode(level=level, index=index, hash=value))
        stack.append((level, index, value))
        if len(batch) >= NODE_BATCH:
            LedgerTreeNode.objects.bulk_create(batch)
            batch = []
    LedgerTreeNode.objects.bulk_create(batch)


def root_at(size: int) -> bytes:
    return merkle.range_root(0, size, read_nodes(merkle.range_nodes(0, size)))


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    ranges = merkle.consistency_ranges(old_size, new_size)
    return merkle.proof_hashes(ranges, read_nodes(merkle.nodes_for(ranges)))


def latest() -> LedgerCheckpoint | None:
    return LedgerCheckpoint.objects.order_by("-size").first()


def _outside_file() -> Path | None:
    return Path(settings.LEDGER_CHECKPOINT_FILE) if settings.LEDGER_CHECKPOINT_FILE else None


def last_signed_outside() -> Checkpoint | None:
    """The last checkpoint this signer issued, as kept beside its key (outside the database), if kept."""
    path = _outside_file()
    if path is None or not path.exists():
        return None
    return open_checkpoint(path.read_text(), signer().verifier_key)


def issue_checkpoint() -> LedgerCheckpoint:
    """Sign the tree of every event recorded so far, unless the latest checkpoint already covers them all. Refused
    when the tree would contradict an earlier checkpoint (in the database, or the last one kept beside the key)."""
    key = signer()
    with transaction.atomic():
        previous = LedgerCheckpoint.objects.select_for_update().order_by("-size").first()
        size = LedgerHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        if previous is not None and previous.size == size:
            return previous
        extend_tree(size)
        root = root_at(size)
        earlier_ones = [last_signed_outside()]
        if previous is not None:
            earlier_ones.append(open_checkpoint(previous.note, key.verifier_key))
        for earlier in filter(None, earlier_ones):
            if not merkle.consistent(earlier.size, earlier.root, size, root, consistency_proof(earlier.size, size)):
                raise CheckpointRefused(
                    f"The ledger no longer extends the checkpoint at {earlier.size} events: it was rewritten."
                )
        note = key.sign(checkpoint_text(key.name, size, root))
        checkpoint = LedgerCheckpoint.objects.create(size=size, root_hash=root, note=note, issued_at=timezone.now())
        path = _outside_file()
        if path is not None:
            transaction.on_commit(lambda: create_key_file_replacing(path, note))
    return checkpoint


def create_key_file_replacing(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.draft")
    draft.write_text(text)
    draft.replace(path)


# --- Proofs for readers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inclusion:
    """An event's place in a checkpoint's tree: everything a reader needs to recompute the signed root."""

    seq: int
    leaf_index: int
    tree_size: int
    entry: str
    proof: list[bytes]
    matches: bool  # the event as stored now leads to the signed root

    def as_json(self) -> dict[str, object]:
        return {
            "ledger_event": self.seq,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "entry": self.entry,
            "proof": [_b64(node) for node in self.proof],
        }


def inclusion_proofs(events: Iterable[AuditEvent], checkpoint: LedgerCheckpoint) -> dict[int, Inclusion]:
    """Proofs for the events a checkpoint covers, reading every node they need in one query."""
    covered = [event for event in events if event.seq <= checkpoint.size]
    paths = {event.seq: merkle.inclusion_ranges(event.seq - 1, checkpoint.size) for event in covered}
    hashes = read_nodes(merkle.nodes_for(r for ranges in paths.values() for r in ranges))
    proofs = {}
    for event in covered:
        entry = ledger.entry(event)
        try:
            proof = merkle.proof_hashes(paths[event.seq], hashes)
        except KeyError:  # a node is missing: the tree was damaged
            proof = []
        leaf = merkle.leaf_hash(entry)
        root = merkle.root_from_inclusion(event.seq - 1, checkpoint.size, leaf, proof)
        proofs[event.seq] = Inclusion(
            event.seq, event.seq - 1, checkpoint.size, entry.decode(), proof, root == bytes(checkpoint.root_hash)
        )
    return proofs


def verify_checkpoints(events_checked: int) -> list[str]:
    """For `verify_ledger`: every stored checkpoint is signed by the key, its root is that of the events as they are,
    each is consistent with the one before, and none (nor the last one kept beside the key) covers more events than
    the ledger holds."""
    problems: list[str] = []
    key = signer()
    checkpoints = list(LedgerCheckpoint.objects.order_by("size"))
    outside = last_signed_outside()
    if outside is not None and outside.size > events_checked:
        problems.append(f"The checkpoint kept beside the key covers {outside.size} events; the ledger holds fewer.")
    if not checkpoints:
        return problems
    roots = merkle.roots_at(leaf_entries(0, events_checked), [stored.size for stored in checkpoints])
    before: Checkpoint | None = None
    for stored in checkpoints:
        try:
            checkpoint = open_checkpoint(stored.note, key.verifier_key)
        except CheckpointRefused as error:
            problems.append(f"Checkpoint at {stored.size} events: {error}")
            continue
        if checkpoint.size > events_checked:
            problems.append(f"The checkpoint at {checkpoint.size} events covers more than the ledger holds.")
            continue
        if roots.get(checkpoint.size) != checkpoint.root:
            problems.append(f"The events no longer have the root signed at {checkpoint.size} events.")
        proof = consistency_proof(before.size, checkpoint.size) if before else []
        if before and not merkle.consistent(before.size, before.root, checkpoint.size, checkpoint.root, proof):
            problems.append(f"The checkpoint at {checkpoint.size} events does not extend the one at {before.size}.")
        before = checkpoint
    if outside is not None and before is not None and outside.size <= before.size:
        proof = consistency_proof(outside.size, before.size)
        if not merkle.consistent(outside.size, outside.root, before.size, before.root, proof):
            problems.append(f"The ledger does not extend the checkpoint kept beside the key ({outside.size} events).")
    return problems
