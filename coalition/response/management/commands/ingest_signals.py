"""Bring in new signal files from RESPONSE_INGEST_DIR (and configured addresses), then raise alerts: run on a
schedule. Without --now it hands the work to the task worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coalition.response import tasks


class Command(BaseCommand):
    help = "Ingest new shutdown and censorship signals and raise the alerts they corroborate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run here instead of enqueueing for the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["now"]:
            tasks.ingest_signals.enqueue()
            self.stdout.write("Ingestion enqueued for the task worker.")
            return
        report = tasks.ingest()
        for line in report.imported:
            self.stdout.write(f"Imported {line}")
        for line in report.refused:
            self.stdout.write(f"Refused {line}")
        self.stdout.write(f"{report.alerts} alerts raised.")
