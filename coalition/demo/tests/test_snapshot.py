"""The browser journeys' demo, put back from a snapshot, is the demo as loaded: row for row, index included."""

from __future__ import annotations

import pytest

from coalition.accounts.models import User
from coalition.demo.tests import snapshot
from coalition.demo.tests.snapshot import demo_coalition, demo_tables, tables_as_stored
from coalition.library import indexing
from coalition.library.models import Paragraph

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(monkeypatch):
    monkeypatch.setattr(snapshot, "_snapshot", None)  # this test loads the demo for real first
    logins = demo_coalition()
    return logins, tables_as_stored(demo_tables())


def test_a_restored_demo_holds_exactly_the_rows_the_loaded_demo_held(loaded):
    logins, as_loaded = loaded
    User.objects.filter(email=logins[0].email).update(is_active=False)  # what a journey might change
    User.objects.create_user(email="someone-new@example.org", password="a-long-enough-test-passphrase")

    again = demo_coalition()

    assert again == logins
    assert tables_as_stored(demo_tables()) == as_loaded
    assert sum(len(rows) for rows in as_loaded.values()) > 1_000


def test_a_restored_demo_can_be_searched_and_written_to(loaded):
    demo_coalition()

    assert indexing.drift() == (set(), set())
    assert Paragraph.objects.exists()
    # New rows take ids after the restored ones (PostgreSQL's sequences are set past them).
    newest = User.objects.order_by("-pk").first()
    assert newest is not None
    assert User.objects.create_user(email="after@example.org", password="a-long-enough-test-passphrase").pk > newest.pk
