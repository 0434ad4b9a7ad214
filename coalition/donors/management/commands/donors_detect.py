"""`manage.py donors_detect [--now]`: compare every member's funding for overlaps (after a change of the topic
mapping, say); imports already trigger it for what they changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coalition.donors import services, tasks


class Command(BaseCommand):
    help = "Run overlap detection across every member's funding activities."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="run here instead of handing it to the worker")

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            counts = services.detect_overlaps()
            self.stdout.write(f"{counts['found']} candidates: {counts['new']} new, {counts['dropped']} dropped.")
        else:
            tasks.detect.enqueue(None)
            self.stdout.write("Overlap detection queued for the worker.")
