"""The integrity of sign-on: the verification replays the audit ledger against the responses on record, so a record
changed behind the platform's back is reported; the ledger's own chain names an edited event; and on PostgreSQL
focal points signing at once are each recorded exactly once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coalition.core.errors import InvalidInput
from coalition.core.ledger import verify_chain
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.core.tests.guards import lift_ledger_guards
from coalition.core.tests.parallel import run_in_parallel
from coalition.documents import services as documents
from coalition.documents.models import Version
from coalition.statements import services
from coalition.statements.models import Freeze, Response, Statement
from coalition.statements.tests.test_services import (
    draft,
    member,
    open_round,
    past_deadline,
    published,
    sign,
    signed_freeze,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def without_guards() -> Iterator[None]:
    """Lift the ledger's database triggers for the test's transaction (rolled back with it), as an intruder with
    raw SQL access to the database might (as coalition/core/tests/test_ledger.py does)."""
    lift_ledger_guards(connection)
    yield


@pytest.fixture
def broken_silence(support: Any, django_capture_on_commit_callbacks: Any) -> tuple[Statement, Response, Response]:
    """A silence broken by Estonia's objection, published as the statement of Ghana, which signed (and the
    checkpoint publication issues once it commits)."""
    estonia, ghana = member("EE"), member("GH")
    statement = draft(support)
    freeze = open_round(statement, support, mode=Freeze.Mode.SILENCE)
    objection = services.respond(
        freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="Not agreed."
    )
    signature = sign(freeze, ghana, reservation="On paragraph 2.")
    past_deadline(freeze)
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.publish(statement=statement, by=support)
    return statement, objection, signature


def test_an_honest_record_verifies(broken_silence):
    statement, objection, signature = broken_silence

    result = services.verify(statement)

    assert result.ok and result.chain_ok and result.problems == []
    assert result.content_hash == signed_freeze(statement).content_hash
    by_member = {r.organisation: r for r in result.responses}
    assert by_member[signature.organisation.name].kind == "signed"
    assert by_member[signature.organisation.name].ledger_seq == signature.ledger_seq
    assert by_member[signature.organisation.name].reservation == "On paragraph 2."
    assert by_member[objection.organisation.name].kind == "objected"
    assert all(r.matches for r in result.responses)


def test_a_late_joiner_verifies_as_late(support):
    statement = published(support, [member("EE")])
    late = sign(signed_freeze(statement), member("GH"))

    result = services.verify(statement)

    assert result.ok
    assert [r.late for r in result.responses if r.ledger_seq == late.ledger_seq] == [True]


def test_an_objection_turned_into_a_signature_in_the_database_is_reported(broken_silence):
    statement, objection, _signature = broken_silence
    Response.objects.filter(pk=objection.pk).update(kind="signed", reason="")

    result = services.verify(statement)

    assert not result.ok
    assert result.chain_ok  # the ledger itself is intact: it is the record that lies
    assert any(objection.organisation.name in p and f"#{objection.ledger_seq}" in p for p in result.problems)
    assert [r.matches for r in result.responses if r.ledger_seq == objection.ledger_seq] == [False]


def test_a_deleted_signature_is_reported(broken_silence):
    statement, _objection, signature = broken_silence
    Response.objects.filter(pk=signature.pk).delete()

    result = services.verify(statement)

    assert not result.ok
    assert any(signature.organisation.name in p and "no longer on record" in p for p in result.problems)


def test_a_signature_added_without_a_ledger_event_is_reported(support):
    statement = published(support, [member("EE")])
    intruder, account = member("CL")
    Response.objects.create(
        freeze=signed_freeze(statement),
        organisation=intruder,
        kind="signed",
        person=account.person,
        account=account,
    )

    result = services.verify(statement)

    assert not result.ok
    assert any(intruder.name in p and "no ledger event" in p for p in result.problems)


def test_an_edited_reservation_is_reported(broken_silence):
    statement, _objection, signature = broken_silence
    Response.objects.filter(pk=signature.pk).update(reservation="")

    assert not services.verify(statement).ok


def test_an_edited_signing_time_is_reported(broken_silence):
    statement, _objection, signature = broken_silence
    Response.objects.filter(pk=signature.pk).update(at=signature.at - dt.timedelta(days=3))

    assert not services.verify(statement).ok


def test_a_signature_moved_to_another_signer_is_reported(broken_silence, make_user):
    statement, objection, signature = broken_silence
    Response.objects.filter(pk=signature.pk).update(person=objection.person, account=objection.account)

    assert not services.verify(statement).ok


def test_an_edited_published_text_is_reported(broken_silence):
    statement, _objection, _signature = broken_silence
    Version.objects.filter(pk=signed_freeze(statement).version_id).update(text="A text nobody signed.")

    result = services.verify(Statement.objects.get(pk=statement.pk))

    assert not result.ok
    assert any("no longer matches the hash" in p for p in result.problems)


def test_a_tampered_ledger_event_of_a_signature_is_named_by_verify_ledger_and_breaks_the_verification(
    broken_silence, without_guards
):
    statement, _objection, signature = broken_silence
    event = AuditEvent.objects.get(seq=signature.ledger_seq)
    data = {**event.data, "reservation": "Nothing to add."}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET data = %s WHERE seq = %s", [json.dumps(data), event.seq])

    with pytest.raises(CommandError, match=f"#{event.seq}"):
        call_command("verify_ledger")

    result = services.verify(statement)
    assert not result.ok and not result.chain_ok
    assert any(f"event #{event.seq} no longer matches" in p for p in result.problems)


def test_a_deleted_ledger_event_of_a_signature_breaks_the_verification(broken_silence, without_guards):
    statement, _objection, signature = broken_silence
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [signature.ledger_seq])

    with pytest.raises(CommandError, match=f"#{signature.ledger_seq}"):
        call_command("verify_ledger")
    result = services.verify(statement)
    assert not result.ok and not result.chain_ok
    assert any("no ledger event" in p for p in result.problems)
    assert f"event #{signature.ledger_seq}, which it covers, is missing" in result.chain_reason


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------------------------

MEMBERS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_focal_points_signing_at_once_are_each_recorded_once_and_a_double_signature_is_refused(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking and concurrent transactions are real on PostgreSQL only")
    support = make_user(Role.SUPPORT_UNIT)
    signers = [member(code) for code in ("EE", "GH", "CL", "KE", "FR", "JP", "CA", "FI")[:MEMBERS]]
    statement = draft(support)
    freeze = open_round(statement, support)
    head_before = AuditEvent.objects.count()
    # Every member's focal point signs at once, and Estonia's twice.
    jobs = [*signers, signers[0]]

    results = run_in_parallel(len(jobs), lambda i: sign(freeze, jobs[i]))

    recorded = [r for r in results if isinstance(r, Response)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(recorded) == MEMBERS and len(refused) == 1, results
    assert "already" in refused[0].message
    rows = list(Response.objects.filter(freeze=freeze))
    assert sorted(r.organisation_id for r in rows) == sorted(o.pk for o, _ in signers)  # each exactly once
    events = AuditEvent.objects.filter(action="statements.signed", subject_id=str(statement.pk))
    assert events.count() == MEMBERS
    assert sorted(r.ledger_seq or 0 for r in rows) == sorted(events.values_list("seq", flat=True))
    assert AuditEvent.objects.count() == head_before + MEMBERS  # no event lost or doubled
    assert verify_chain().ok

    past_deadline(freeze)
    statement = services.publish(statement=statement, by=support)
    result = services.verify(statement)
    assert result.ok, result.problems
    assert len([r for r in result.responses if r.kind == "signed"]) == MEMBERS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_signing_while_the_text_is_refrozen_lands_on_one_text_or_is_refused(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking and concurrent transactions are real on PostgreSQL only")
    support = make_user(Role.SUPPORT_UNIT)
    signers = [member(code) for code in ("EE", "GH", "CL", "KE")]
    statement = draft(support)
    first = open_round(statement, support)
    documents.save_version(document=statement.document, by=support, text="A changed text.")

    def work(index: int) -> object:
        if index == len(signers):
            return open_round(statement, support)
        return sign(first, signers[index])

    results = run_in_parallel(len(signers) + 1, work)

    assert [type(r) for r in results].count(Freeze) == 1, results
    signed = [r for r in results if isinstance(r, Response)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(signed) + len(refused) == len(signers), results
    assert all("superseded" in r.message for r in refused)
    assert Response.objects.filter(freeze=first).count() == len(signed)  # every signature before the re-freeze
    assert not Response.objects.exclude(freeze=first).exists()
    assert verify_chain().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_freezing_a_new_text_twice_at_once_opens_one_round_and_refuses_the_other(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locking and concurrent transactions are real on PostgreSQL only")
    support = make_user(Role.SUPPORT_UNIT)
    statement = draft(support)

    results = run_in_parallel(4, lambda i: open_round(statement, support))

    assert [type(r) for r in results].count(Freeze) == 1, results
    assert all(
        isinstance(r, InvalidInput) and "already frozen" in r.message
        for r in results
        if r is not None and not isinstance(r, Freeze)
    ), results
    assert statement.freezes.count() == 1
