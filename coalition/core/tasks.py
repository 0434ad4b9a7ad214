"""Background work of the core: signing a checkpoint of the audit ledger (at least daily, and when a statement is
published), through the Django Tasks API like every other scheduled job."""

from __future__ import annotations

from django_tasks import task

from coalition.core import checkpoints


@task()
def issue_checkpoint() -> int:
    """Sign the tree of every event recorded so far; returns the size the latest checkpoint covers."""
    return checkpoints.issue_checkpoint().size
