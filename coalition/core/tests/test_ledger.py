"""The audit ledger: hash-chained, append-only in code and in the database, and verifiable from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from coalition.core import ledger
from coalition.core.models import AuditEvent, LedgerAppendOnly, LedgerHead
from coalition.core.tests.guards import lift_ledger_guards
from coalition.core.tests.parallel import run_in_parallel

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events() -> list[AuditEvent]:
    return [ledger.record("test.event", data={"n": n}) for n in range(1, 4)]


@pytest.fixture
def without_guards() -> Iterator[None]:
    """Lift the database triggers for the test's transaction (rolled back with it), as an intruder with raw SQL
    access to the database might."""
    lift_ledger_guards(connection)
    yield


def test_a_fresh_chain_verifies(three_events):
    result = ledger.verify_chain()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


def test_each_event_links_to_the_hash_of_the_one_before(three_events):
    first, second, third = three_events
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_an_empty_ledger_verifies():
    assert ledger.verify_chain().ok


def test_editing_an_event_with_raw_sql_names_it_as_the_first_broken_link(three_events, without_guards):
    tampered = three_events[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["test.innocent", tampered.seq])

    result = ledger.verify_chain()

    assert not result.ok
    assert result.broken_seq == tampered.seq
    assert "content" in result.reason


def test_rehashing_an_edited_event_still_breaks_the_next_link(three_events, without_guards):
    tampered = AuditEvent.objects.get(seq=three_events[1].seq)
    tampered.action = "test.innocent"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s, hash = %s WHERE seq = %s",
            [tampered.action, ledger.compute_hash(tampered), tampered.seq],
        )

    result = ledger.verify_chain()

    assert not result.ok
    assert result.broken_seq == three_events[2].seq


def test_deleting_an_event_from_the_middle_is_reported(three_events, without_guards):
    removed = three_events[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [removed.seq])

    result = ledger.verify_chain()

    assert not result.ok
    assert result.broken_seq == removed.seq
    assert "missing" in result.reason


def test_deleting_the_latest_event_is_reported_against_the_head(three_events, without_guards):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [three_events[2].seq])

    result = ledger.verify_chain()

    assert not result.ok
    assert result.broken_seq == three_events[2].seq


def test_verify_ledger_command_reports_an_intact_chain(three_events, capsys):
    call_command("verify_ledger")
    assert f"{AuditEvent.objects.count()} events verified" in capsys.readouterr().out


def test_verify_ledger_command_exits_non_zero_naming_the_broken_link(three_events, without_guards):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET data = %s WHERE seq = %s", ['{"n": 99}', three_events[1].seq])

    with pytest.raises(CommandError, match=f"#{three_events[1].seq}") as failure:
        call_command("verify_ledger")

    assert failure.value.returncode != 0


def test_saving_an_existing_event_is_refused(three_events):
    event = AuditEvent.objects.get(seq=three_events[0].seq)
    event.action = "test.rewritten"
    with pytest.raises(LedgerAppendOnly):
        event.save()


def test_deleting_an_event_through_the_model_is_refused(three_events):
    with pytest.raises(LedgerAppendOnly):
        AuditEvent.objects.get(seq=three_events[0].seq).delete()


def test_a_queryset_update_is_refused(three_events):
    with pytest.raises(LedgerAppendOnly):
        AuditEvent.objects.filter(seq=three_events[0].seq).update(action="test.rewritten")


def test_a_queryset_delete_is_refused(three_events):
    with pytest.raises(LedgerAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == len(three_events)


def test_the_database_refuses_a_raw_update(three_events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["test.x", three_events[0].seq])
    assert AuditEvent.objects.get(seq=three_events[0].seq).action == "test.event"
    assert ledger.verify_chain().ok


def _refused(sql: str, params: list[Any] | None = None, match: str = "append-only") -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_delete(three_events):
    _refused("DELETE FROM core_auditevent WHERE seq = %s", [three_events[0].seq])
    assert AuditEvent.objects.count() == len(three_events)


def test_the_database_refuses_emptying_the_ledger(three_events):
    # PostgreSQL's TRUNCATE fires no DELETE trigger: it has its own. SQLite has no TRUNCATE; its equivalent, a
    # DELETE without WHERE, fires the DELETE trigger for each row.
    _refused("TRUNCATE core_auditevent" if connection.vendor == "postgresql" else "DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == len(three_events)
    assert ledger.verify_chain().ok


def test_the_database_refuses_removing_the_head(three_events):
    _refused("DELETE FROM core_ledgerhead", match="head cannot be removed")
    if connection.vendor == "postgresql":
        _refused("TRUNCATE core_ledgerhead")
    assert LedgerHead.objects.get(pk=1).seq == three_events[-1].seq


def test_the_database_refuses_moving_the_head_back_over_removed_events(three_events):
    second = three_events[1]
    _refused("UPDATE core_ledgerhead SET seq = %s, hash = %s", [second.seq, second.hash], match="one step forward")
    assert LedgerHead.objects.get(pk=1).seq == three_events[-1].seq


def test_the_database_refuses_a_head_that_names_no_appended_event(three_events):
    last = three_events[-1]
    _refused("UPDATE core_ledgerhead SET seq = %s, hash = %s", [last.seq + 1, "f" * 64], match="one step forward")


def test_the_database_refuses_a_second_head(three_events):
    _refused("INSERT INTO core_ledgerhead (id, seq, hash) VALUES (2, 0, %s)", ["0" * 64], match="one head")


def test_an_event_copies_its_actor_and_subject_as_values(make_user):
    user = make_user()
    event = ledger.record("test.subjected", actor=user, subject=user, data={"when": "now"})
    assert (event.actor_id, event.actor_label) == (user.pk, str(user))
    assert (event.subject_type, event.subject_id) == ("accounts.user", str(user.pk))


THREADS, APPENDS_EACH = 8, 10


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_contiguous_and_valid():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locking across connections")
    before = AuditEvent.objects.count()

    def append(worker: int) -> int:
        for n in range(APPENDS_EACH):
            with transaction.atomic():
                ledger.record("test.concurrent", data={"worker": worker, "n": n})
        return worker

    results = run_in_parallel(THREADS, append)

    assert results == list(range(THREADS))
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + THREADS * APPENDS_EACH + 1))
    assert ledger.verify_chain().ok
