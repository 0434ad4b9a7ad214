"""Keep the library's search index in line with the database: `--rebuild` recreates it from the rows, `--check`
reports paragraphs missing from it or left in it (exit status 1 on drift)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coalition.library import indexing


class Command(BaseCommand):
    help = "Rebuild or check the agreed-language library's search index."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rebuild", action="store_true", help="recreate the index from the database")
        group.add_argument("--check", action="store_true", help="report drift between the index and the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            started = time.perf_counter()
            count = indexing.rebuild()
            self.stdout.write(f"Indexed {count} paragraphs in {time.perf_counter() - started:.1f} s.")
            return
        missing, stale = indexing.drift()
        if not missing and not stale:
            self.stdout.write(f"The index matches the database ({indexing.engine().size} paragraphs).")
            return
        self.stdout.write(f"{len(missing)} paragraphs are missing from the index; {len(stale)} are left in it.")
        self.stdout.write("Run `manage.py library_index --rebuild` to repair it.")
        sys.exit(1)
