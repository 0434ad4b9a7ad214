"""Signed checkpoints: the ledger verifiable from outside the database. Whoever can write to the database can
recompute the hash chain, empty the ledger or rewrite the tree; none of it survives a checkpoint signed with a key
the database never holds."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coalition.core import checkpoints, ledger, merkle
from coalition.core.models import AuditEvent, LedgerCheckpoint, LedgerTreeNode
from coalition.core.tests.guards import lift_ledger_guards

pytestmark = pytest.mark.django_db


def record(n: int) -> list[AuditEvent]:
    return [ledger.record("test.event", data={"n": i}) for i in range(n)]


def issued(capture: Callable[..., Any]) -> LedgerCheckpoint:
    with capture(execute=True):  # the copy beside the key is written once the checkpoint commits
        return checkpoints.issue_checkpoint()


def rewrite(sql: str, params: list[Any] | None = None) -> None:
    lift_ledger_guards(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_checkpoint_is_a_c2sp_signed_note_over_the_rfc_6962_root_of_the_events():
    events = record(5)
    size = AuditEvent.objects.count()

    checkpoint = checkpoints.issue_checkpoint()

    text, signature_line = checkpoint.note.split("\n\n")
    origin, tree_size, root = text.split("\n")
    key = checkpoints.signer()
    assert (origin, int(tree_size)) == (key.name, size) and size >= len(events)
    everything = AuditEvent.objects.order_by("seq")
    assert base64.b64decode(root) == merkle.reference_root([merkle.leaf_hash(ledger.entry(e)) for e in everything])
    dash, name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, name) == ("\u2014", key.name)
    assert base64.b64decode(blob)[:4] == checkpoints.key_id(key.name, key.public)
    assert checkpoints.open_checkpoint(checkpoint.note, key.verifier_key).size == size
    assert "PRIVATE" not in checkpoint.note and key.verifier_key.startswith(f"{key.name}+")


def test_a_note_signed_by_another_key_is_refused():
    record(2)
    note = checkpoints.issue_checkpoint().note
    stranger = checkpoints.parse_private_key(checkpoints.new_private_key(checkpoints.signer().name))
    with pytest.raises(checkpoints.CheckpointRefused):
        checkpoints.open_checkpoint(note, stranger.verifier_key)
    forged = stranger.sign(checkpoints.checkpoint_text(stranger.name, 2, b"\0" * 32))
    with pytest.raises(checkpoints.CheckpointRefused):
        checkpoints.open_checkpoint(forged, checkpoints.signer().verifier_key)


def test_an_unchanged_ledger_keeps_its_checkpoint_and_a_grown_one_gets_a_new_one(capsys):
    record(3)
    call_command("issue_checkpoint")  # the daily job: the task runs in place in tests
    call_command("issue_checkpoint")
    assert LedgerCheckpoint.objects.count() == 1
    record(1)
    call_command("issue_checkpoint", now=True)
    assert LedgerCheckpoint.objects.count() == 2
    assert capsys.readouterr().out.endswith(LedgerCheckpoint.objects.order_by("size").last().note)  # type: ignore[union-attr]


def test_an_empty_ledger_verifies_until_a_checkpoint_exists_then_a_truncated_one_does_not():
    assert ledger.verify_chain().ok
    record(3)
    checkpoints.issue_checkpoint()

    rewrite("DELETE FROM core_auditevent")
    rewrite("UPDATE core_ledgerhead SET seq = 0, hash = %s", [ledger.GENESIS])

    result = ledger.verify_chain()
    assert not result.ok and "checkpoint covers" in result.reason
    with pytest.raises(CommandError, match="checkpoint covers"):
        call_command("verify_ledger")


def test_a_recomputed_chain_verifies_as_a_chain_but_not_against_the_checkpoint():
    events = record(3)
    checkpoints.issue_checkpoint()
    lift_ledger_guards(connection)
    prev = AuditEvent.objects.get(seq=events[0].seq).prev_hash
    for event in AuditEvent.objects.filter(seq__gte=events[0].seq).order_by("seq"):
        if event.seq == events[1].seq:
            event.action = "test.innocent"
        event.prev_hash = prev
        event.hash = ledger.compute_hash(event)
        rewrite(
            "UPDATE core_auditevent SET action = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.action, event.prev_hash, event.hash, event.seq],
        )
        prev = event.hash
    rewrite("UPDATE core_ledgerhead SET hash = %s", [prev])

    assert ledger.verify_chain().ok
    with pytest.raises(CommandError, match="no longer have the root signed"):
        call_command("verify_ledger")


def test_verify_ledger_checks_each_checkpoint_is_consistent_with_the_one_before():
    record(3)
    first = checkpoints.issue_checkpoint()
    record(2)
    size = checkpoints.issue_checkpoint().size
    call_command("verify_ledger")
    # A third checkpoint, properly signed, whose tree does not extend the first (a forked history).
    key = checkpoints.signer()
    forked = merkle.reference_root([merkle.leaf_hash(b"forked")] * (size + 1))
    rewrite("DELETE FROM core_ledgercheckpoint WHERE size = %s", [size])
    LedgerCheckpoint.objects.create(
        size=size,
        root_hash=forked,
        note=key.sign(checkpoints.checkpoint_text(key.name, size, forked)),
        issued_at=first.issued_at,
    )

    with pytest.raises(CommandError, match=f"at {size} events does not extend the one at {first.size}"):
        call_command("verify_ledger")


def test_no_checkpoint_is_signed_over_a_rewritten_tree():
    record(4)
    checkpoints.issue_checkpoint()
    record(1)
    # The subtree over the first four events, which the checkpoint at four events signed.
    rewrite('UPDATE core_ledgertreenode SET hash = %s WHERE level = 2 AND "index" = 0', [b"\1" * 32])

    with pytest.raises(checkpoints.CheckpointRefused, match="rewritten"):
        checkpoints.issue_checkpoint()


def test_a_ledger_emptied_with_its_checkpoints_is_caught_by_the_copy_beside_the_key(
    settings, tmp_path: Path, django_capture_on_commit_callbacks
):
    settings.LEDGER_CHECKPOINT_FILE = str(tmp_path / "ledger-checkpoint")
    record(3)
    issued(django_capture_on_commit_callbacks)
    for table in ("core_auditevent", "core_ledgertreenode", "core_ledgercheckpoint"):
        rewrite(f"DELETE FROM {table}")
    rewrite("UPDATE core_ledgerhead SET seq = 0, hash = %s", [ledger.GENESIS])
    record(1)

    assert ledger.verify_chain().ok  # the database alone no longer knows
    with pytest.raises(CommandError, match="kept beside the key"):
        call_command("verify_ledger")
    with pytest.raises(checkpoints.CheckpointRefused, match="rewritten"):
        checkpoints.issue_checkpoint()


def test_the_tree_is_append_only_in_the_database():
    record(2)
    checkpoints.issue_checkpoint()
    from django.db import DatabaseError, transaction

    for sql in ("UPDATE core_ledgertreenode SET level = level", "DELETE FROM core_ledgercheckpoint"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert LedgerTreeNode.objects.exists() and LedgerCheckpoint.objects.exists()


def test_the_checkpoints_are_published_for_anyone(client):
    assert client.get("/ledger/checkpoint").status_code == 404
    record(2)
    checkpoint = checkpoints.issue_checkpoint()

    note = client.get("/ledger/checkpoint")
    page = client.get("/ledger/checkpoints/").content.decode()

    assert note["Content-Type"].startswith("text/plain") and note.content.decode() == checkpoint.note
    assert checkpoints.signer().verifier_key in page and f"Covers the first {checkpoint.size} events" in page
