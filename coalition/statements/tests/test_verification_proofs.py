"""A statement's signatures checked from outside: publication issues a signed checkpoint, the verification page and
API give each signature event its inclusion proof, `docs/verify_statement.py` checks them with nothing of the
platform, and an edit in place shows on the very next request (nothing is cached)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.core import checkpoints, ledger
from coalition.core.models import AuditEvent, LedgerCheckpoint
from coalition.core.policy import Role
from coalition.core.tests.guards import lift_ledger_guards
from coalition.statements import services
from coalition.statements.models import Freeze, Statement
from coalition.statements.tests.test_services import draft, member, open_round, past_deadline, sign

pytestmark = pytest.mark.django_db
SCRIPT = Path(settings.BASE_DIR) / "docs" / "verify_statement.py"


@pytest.fixture
def statement(make_user: Any, django_capture_on_commit_callbacks: Any) -> Statement:
    """Signed by Ghana and Kenya and published (the checkpoint that publication issues runs once it commits)."""
    support = make_user(Role.SUPPORT_UNIT)
    found = draft(support)
    freeze = open_round(found, support, mode=Freeze.Mode.SIGN_ON)
    sign(freeze, member("GH"), reservation="On paragraph 2.")
    sign(freeze, member("KE"))
    past_deadline(freeze)
    with django_capture_on_commit_callbacks(execute=True):
        return services.publish(statement=found, by=support)


def verification(client: Any, statement: Statement) -> dict[str, Any]:
    return client.get(f"/api/v1/statements/{statement.slug}/verification/").json()


def run_script(tmp_path: Path, found: dict[str, Any], note: str, key: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "verification.json").write_text(json.dumps(found))
    (tmp_path / "checkpoint.txt").write_text(note)
    command = [sys.executable, str(SCRIPT), str(tmp_path / "verification.json")]
    command += ["--checkpoint", str(tmp_path / "checkpoint.txt"), "--key", key]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_publishing_a_statement_issues_a_checkpoint_covering_its_signatures(statement):
    checkpoint = LedgerCheckpoint.objects.get()
    published = AuditEvent.objects.filter(action="statements.published").get()
    assert checkpoint.size == published.seq == AuditEvent.objects.count()


def test_each_signature_comes_with_an_inclusion_proof_that_the_script_accepts(statement, client, tmp_path):
    found = verification(client, statement)
    note = client.get("/ledger/checkpoint").content.decode()
    key = checkpoints.signer().verifier_key
    assert key in client.get("/ledger/checkpoints/").content.decode()

    assert found["verified"] and found["events_after_checkpoint"] == 0
    assert found["checkpoint"]["note"] == note and found["checkpoint"]["verifier_key"] == key
    assert all(signatory["inclusion"]["tree_size"] == found["checkpoint"]["size"] for signatory in found["signatories"])
    run = run_script(tmp_path, found, note, key)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Verified: 2 signature(s) and the publication" in run.stdout


def test_the_script_refuses_a_signature_the_ledger_does_not_hold(statement, client, tmp_path):
    found = verification(client, statement)
    note, key = found["checkpoint"]["note"], checkpoints.signer().verifier_key
    inclusion = found["signatories"][0]["inclusion"]
    entry = json.loads(inclusion["entry"])
    entry["data"]["reservation"] = ""  # the reservation taken out after the fact
    inclusion["entry"] = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    run = run_script(tmp_path, found, note, key)

    assert run.returncode == 1
    assert f"ledger event #{entry['seq']} is not in the checkpoint's tree" in run.stdout


def test_the_script_refuses_a_checkpoint_signed_by_another_key(statement, client, tmp_path):
    found = verification(client, statement)
    other = checkpoints.parse_private_key(checkpoints.new_private_key(checkpoints.signer().name))
    forged = other.sign(checkpoints.checkpoint_text(other.name, found["checkpoint"]["size"], b"\0" * 32))

    run = run_script(tmp_path, found, forged, checkpoints.signer().verifier_key)

    assert run.returncode == 1 and "Checkpoint refused" in run.stdout


def test_an_event_edited_in_place_fails_the_very_next_verification(statement, client):
    assert verification(client, statement)["verified"]
    signature = AuditEvent.objects.filter(action="statements.signed").earliest("seq")
    lift_ledger_guards(connection)
    with connection.cursor() as cursor:  # a detail the replay of responses does not compare: only the tree sees it
        cursor.execute("UPDATE core_auditevent SET actor_label = %s WHERE seq = %s", ["someone else", signature.seq])

    found = verification(client, statement)
    page = client.get(f"/statements/{statement.slug}/verify/").content.decode()

    assert not found["verified"] and not found["chain_intact"]
    assert f"event #{signature.seq} no longer matches it" in found["chain_problem"]
    assert "No: the event was changed" in page


def test_verification_reads_as_many_rows_whatever_the_size_of_the_ledger(statement):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert services.verify(Statement.objects.get(pk=statement.pk)).ok
        return len(captured)

    before = queries()
    for n in range(300):
        ledger.record("test.filler", data={"n": n})
    checkpoints.issue_checkpoint()
    assert queries() == before


def test_a_signature_after_the_latest_checkpoint_is_shown_as_pending(statement, client):
    sign(statement.published_freeze, member("NO"))  # a late joiner, after publication

    found = verification(client, statement)
    page = client.get(f"/statements/{statement.slug}/verify/").content.decode()

    assert found["verified"] and found["events_after_checkpoint"] == 1
    assert [s["inclusion"] is None for s in found["signatories"]].count(True) == 1
    assert "recorded after the latest checkpoint" in page


def test_the_page_says_what_it_checked_and_when(statement, client):
    page = client.get(f"/statements/{statement.slug}/verify/").content.decode()
    assert "computed afresh" not in page
    assert "These checks ran when you opened this page" in page and "nothing is cached" in page
    assert "this statement&#x27;s events match it" in page or "this statement's events match it" in page


def test_the_feed_carries_the_latest_checkpoint(statement, client):
    feed = ET.fromstring(client.get("/statements/feed.atom").content)
    namespaces = {"atom": "http://www.w3.org/2005/Atom", "ledger": "https://c2sp.org/tlog-checkpoint"}
    assert feed.findtext("ledger:checkpoint", namespaces=namespaces) == LedgerCheckpoint.objects.get().note
    related = feed.find("atom:link[@rel='related']", namespaces)
    assert related is not None and related.get("href", "").endswith("/ledger/checkpoints/")


def test_a_checkpoint_not_signed_by_the_ledgers_key_fails_the_verification(statement, client, settings, tmp_path):
    other = tmp_path / "another.key"
    other.write_text(checkpoints.new_private_key(checkpoints.signer().name))
    settings.LEDGER_SIGNING_KEY_FILE = str(other)
    checkpoints.signer.cache_clear()
    try:
        found = verification(client, statement)
    finally:
        checkpoints.signer.cache_clear()

    assert not found["verified"] and not found["chain_intact"]
    assert "is not the ledger's: The checkpoint carries no signature by the ledger's key." in found["problems"][0]


def test_pages_need_only_the_public_key(statement, client, settings, tmp_path):
    published_key = checkpoints.signer().verifier_key
    settings.LEDGER_VERIFIER_KEY = published_key
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "absent.key")  # a web process without the private key
    settings.LEDGER_SIGNING_KEY = ""
    checkpoints.signer.cache_clear()
    try:
        found = verification(client, statement)
        page = client.get("/ledger/checkpoints/").content.decode()
    finally:
        checkpoints.signer.cache_clear()

    assert found["verified"] and found["checkpoint"]["verifier_key"] == published_key
    assert published_key in page
    assert not (tmp_path / "absent.key").exists()  # no key was looked for, nor made
