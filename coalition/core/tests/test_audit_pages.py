"""The audit ledger's page comes in pages of 50 (issue 17, item 6): at 10,000 px a phone could not get through it.
The pages keep the filter, say where they are, and count their noun ("1 event verified")."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from coalition.core import ledger
from coalition.core.models import AuditEvent
from coalition.core.policy import Role

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr><td>(\d+)</td>")


def _events(n: int, action: str = "test.paged") -> None:
    for number in range(n):
        ledger.record(action, data={"n": number})


def _rows(body: str) -> list[int]:
    return [int(seq) for seq in ROW.findall(body)]


@pytest.fixture
def support(signed_in_client: Callable[..., Client]) -> Client:
    return signed_in_client(Role.SUPPORT_UNIT)


def test_the_ledger_shows_50_events_a_page_newest_first_with_a_link_to_the_next(support: Client) -> None:
    _events(120)
    total = AuditEvent.objects.count()
    body = support.get("/audit/").content.decode()
    rows = _rows(body)
    assert len(rows) == 50 and rows == sorted(rows, reverse=True) and rows[0] == total
    assert f"Events 1–50 of {total}, newest first" in body
    assert '<nav class="pages" aria-label="Pages of the audit ledger">' in body
    assert 'href="?page=2" rel="next"' in body


def test_the_last_page_holds_the_oldest_events_and_links_back(support: Client) -> None:
    _events(120)
    total = AuditEvent.objects.count()
    last = (total + 49) // 50
    body = support.get("/audit/", {"page": str(last)}).content.decode()
    assert _rows(body)[-1] == 1
    assert 'rel="prev"' in body and 'rel="next"' not in body
    assert f'<li aria-current="page">Page {last} of {last}</li>' in body


def test_paging_keeps_the_filter(support: Client) -> None:
    _events(60, action="test.kept")
    _events(10, action="test.other")
    body = support.get("/audit/", {"action": "test.kept"}).content.decode()
    assert "Events 1–50 of 60, newest first" in body
    assert 'href="?action=test.kept&amp;page=2" rel="next"' in body
    assert len(_rows(support.get("/audit/", {"action": "test.kept", "page": "2"}).content.decode())) == 10


def test_a_chain_of_one_event_is_verified_in_the_singular(support: Client) -> None:
    assert AuditEvent.objects.count() == 1  # the officer's sign-in
    assert "Chain intact: 1 event verified." in support.get("/audit/", {"verify": "1"}).content.decode()
