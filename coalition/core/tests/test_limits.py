"""The task worker's limits (issue 16, item 7): work past the memory or processor time given to one task is stopped
with a refusal naming it, and the worker's own limits are as before afterwards. Imports through the worker are
tested in `coalition/donors/ingest/tests/test_parser_limits.py`."""

from __future__ import annotations

import resource
import signal

import pytest
from django.db import connection

from coalition.core import limits


def test_a_task_allocating_past_its_memory_is_refused_and_the_worker_keeps_its_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_TASK_MEMORY_BYTES", 64 * limits.MB)
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(limits.WorkLimitExceeded) as refusal, limits.task_limits("The import of “big.xml”"):
        bytearray(256 * limits.MB)
    assert refusal.value.message.startswith("The import of “big.xml” needed more than 64.0 MB of memory")
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len(bytearray(256 * limits.MB)) == 256 * limits.MB  # the worker itself is not held to it


def test_a_task_within_its_limits_runs_and_leaves_no_timer() -> None:
    handler = signal.getsignal(signal.SIGPROF)
    with limits.task_limits("The import of “small.xml”"):
        total = sum(range(100_000))
    assert total == 4_999_950_000
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0) and signal.getsignal(signal.SIGPROF) == handler


def test_a_time_refusal_swallowed_where_it_landed_is_raised_by_the_next_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI found it: the worker's timer fired inside a weakref finalizer, where Python ignores exceptions, and a small
    CSV (fewer than 10,000 cells, so never a tick) was imported whole past its processor time. The refusal the
    timer recorded is now raised by the very next row a reader counts."""
    refusal = limits.WorkLimitExceeded("The import of “a.csv”", "needed more than 1 seconds of processing", "1 s")
    monkeypatch.setattr(limits, "_task_refusals", [refusal])
    work = limits.Work("The import of “a.csv”")
    with pytest.raises(limits.WorkLimitExceeded) as raised:
        work.count_cells(30)
    assert raised.value is refusal


@pytest.mark.django_db
def test_a_time_limit_reached_during_a_query_is_raised_once_the_query_has_returned() -> None:
    """A run on PostgreSQL found it: the timer fired inside the database driver, the refusal cut a query off halfway,
    and the worker's connection answered every later query with "another command is already in progress". Here the
    timer fires as a query starts; the query completes, the refusal follows it, and the connection still works."""
    finished = []

    def timer_fires_mid_query(execute, sql, params, many, context):
        signal.raise_signal(signal.SIGPROF)
        result = execute(sql, params, many, context)
        finished.append(sql)
        return result

    with pytest.raises(limits.WorkLimitExceeded) as refusal, limits.task_limits("The import of “slow.xml”"):
        with connection.execute_wrapper(timer_fires_mid_query), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise AssertionError("the work went on past its limit")  # pragma: no cover
    assert "seconds of processing" in refusal.value.message
    assert finished == ["SELECT 1"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
