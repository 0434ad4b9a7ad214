"""Background work of the core: signing a checkpoint of the audit ledger (at least daily, and when a statement is
published), through the Django Tasks API like every other scheduled job; and `claim_queued`, how a task takes the
row of a file an app kept for it (donors' and the library's imports)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django_tasks import task

from coalition.core import checkpoints, search

M = TypeVar("M", bound=models.Model)


@task()
def issue_checkpoint() -> int:
    """Sign the tree of every event recorded so far; returns the size the latest checkpoint covers."""
    return checkpoints.issue_checkpoint().size


@task()
def check_search_index() -> int:
    """Bring the platform search's index in step with the records (a bulk write sends no signal); returns how many
    entries were missing, stale or orphaned. A second run finds nothing to do."""
    return sum(len(d.missing) + len(d.stale) + len(d.orphaned) for d in search.check_drift(repair=True))


def claim_queued(rows: models.QuerySet[M], pk: int, *, field: str, queued: str, running: str, **also: Any) -> M | None:
    """The row `pk` of `rows` while its `field` says `queued`, marked `running` (with the values in `also`) for this
    run of its task; None when an earlier run took it (a task may be delivered more than once) or it is gone. The row
    is locked while it is claimed, so two workers cannot both take it."""
    with transaction.atomic():
        row = rows.select_for_update(of=("self",)).filter(pk=pk, **{field: queued}).first()
        if row is None:
            return None
        for name, value in {field: running, **also}.items():
            setattr(row, name, value)
        row.save(update_fields=[field, *also])
    return row
