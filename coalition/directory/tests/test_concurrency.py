"""Writes that race: on PostgreSQL, parallel requests must not double-record or lose an update."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from coalition.core.errors import InvalidInput
from coalition.core.ledger import verify_chain
from coalition.core.policy import Role
from coalition.core.tests.parallel import run_in_parallel
from coalition.directory import services
from coalition.directory.models import Participation
from coalition.directory.tests.factories import government

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking and concurrent transactions are real on PostgreSQL only")


def test_parallel_identical_participation_steps_record_exactly_one(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    org = government("GH", since=dt.date(2015, 1, 1))
    on = dt.date(2026, 3, 1)
    results = run_in_parallel(
        6, lambda i: services.record_participation(organisation=org, status="withdrawn", effective_on=on, by=support)
    )
    recorded = [r for r in results if isinstance(r, Participation)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(recorded) == 1 and len(refused) == 5, results
    assert Participation.objects.filter(organisation=org, effective_on=on).count() == 1
    assert verify_chain().ok


def test_parallel_steps_on_different_days_are_all_recorded_and_chained(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    org = government("GH", since=dt.date(2015, 1, 1))
    results = run_in_parallel(
        6,
        lambda i: services.record_participation(
            organisation=org, status="member", effective_on=dt.date(2026, 1, 1 + i), by=support
        ),
    )
    assert all(isinstance(r, Participation) for r in results), results
    assert org.participation.count() == 7
    assert verify_chain().ok
