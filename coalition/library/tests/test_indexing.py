"""The index follows the database at once: a text is found by its words when its import returns, whatever the task
worker has still to do (issue 15 item 19: on one first-in-first-out queue, indexing waited behind every earlier
text's embeddings, and an import of 477 speeches was not searchable for minutes)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import override_settings
from django_tasks.base import TASK_MAX_PRIORITY
from django_tasks_db.models import DBTaskResult

from coalition.library import embedding, indexing, queries
from coalition.library.models import ParagraphEmbedding, Source

# Committed for real, as the command commits each speech: the index is written after each commit.
pytestmark = pytest.mark.django_db(transaction=True)

AS_DEPLOYED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _speeches(folder: Path, count: int) -> Path:
    """`count` General Debate speeches of three paragraphs each; only the last speaks of the Zambezi."""
    lines = []
    for n in range(count):
        topic = "the Zambezi watercourse commission" if n == count - 1 else f"the agenda item number {n}"
        text = (
            f"Mr. President, my delegation speaks on {topic}.\n\n"
            "We call on all States to keep the internet open, secure and interoperable.\n\n"
            "We thank the Secretary-General for his report."
        )
        lines.append(json.dumps({"iso3": "EST", "year": 2015, "session": 70, "text": text, "source_path": f"s{n}"}))
    path = folder / "speeches.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@override_settings(TASKS=AS_DEPLOYED, LIBRARY_SEMANTIC=True)
def test_imported_speeches_are_found_by_their_words_while_their_embeddings_wait_for_the_worker(
    support: Any, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("library_import_ungdc", str(_speeches(tmp_path, 40)), "--as", support.email, stdout=out)

    hits = queries.search(AnonymousUser(), "Zambezi watercourse").results
    assert [hit.source.origin for hit in hits] == ["s39"]
    assert "Searchable now by words: 40 speeches, 120 paragraphs." in out.getvalue()
    if embedding.available():  # the embeddings are still the worker's to compute, and the command says so
        assert not ParagraphEmbedding.objects.exists()
        assert DBTaskResult.objects.filter(task_path="coalition.library.semantic.embed_sources").count() == 40
        assert "Meaning search after embeddings: 120 paragraphs queued for the task worker" in out.getvalue()
    assert not DBTaskResult.objects.filter(task_path="coalition.library.indexing.index_sources").exists()


@override_settings(TASKS=AS_DEPLOYED)
def test_a_text_the_index_cannot_take_at_once_goes_to_the_worker_ahead_of_all_else(
    support: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    def locked(*args: Any, **kwargs: Any) -> None:
        raise ValueError("Failed to acquire Lockfile: LockBusy")

    monkeypatch.setattr(indexing.engine(), "replace_sources", locked)
    out = io.StringIO()
    call_command("library_import_ungdc", str(_speeches(tmp_path, 2)), "--as", support.email, stdout=out)

    assert Source.objects.count() == 2  # the import stands: the database is the record
    waiting = DBTaskResult.objects.filter(task_path="coalition.library.indexing.index_sources")
    assert sorted(waiting.values_list("priority", flat=True)) == [TASK_MAX_PRIORITY] * 2
    assert "6 paragraphs wait for the task worker to index them" in out.getvalue()

    monkeypatch.undo()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [hit.source.origin for hit in queries.search(AnonymousUser(), "Zambezi").results] == ["s1"]
