"""Import UN General Debate speeches (UNGDC JSON lines) into the library as a named account that may import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.accounts.models import User
from coalition.core.errors import CoalitionError
from coalition.library import indexing, semantic
from coalition.library.models import Paragraph
from coalition.library.ungdc import import_speeches


class Command(BaseCommand):
    help = "Import UN General Debate speeches (one JSON object per line) into the agreed-language library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--as", dest="email", required=True, help="the email of an account that may import")
        parser.add_argument("--detect", action="store_true", help="also look for reuse in each speech")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active account {options['email']}.")
        try:
            report = import_speeches(path, by=user, detect=options["detect"])
        except CoalitionError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Imported {report.imported} speeches; {report.already} were already in the library.")
        for line in report.skipped:
            self.stdout.write(f"Skipped {line}")
        if report.sources:
            self.when_searchable(report.sources)

    def when_searchable(self, sources: list[int]) -> None:
        """Words find a text as soon as it is indexed, here on import; meaning only once the task worker has
        embedded its paragraphs, which takes far longer."""
        paragraphs = Paragraph.objects.filter(source__in=sources)
        waiting = indexing.unindexed(sources)
        if waiting:
            self.stdout.write(
                f"{waiting} paragraphs wait for the task worker to index them (the index could not be written here; "
                "see the log). `manage.py library_index --check` tells when they are in."
            )
        else:
            self.stdout.write(f"Searchable now by words: {len(sources)} speeches, {paragraphs.count()} paragraphs.")
        if semantic.enabled():
            queued = semantic.missing().filter(source__in=sources).count()
            backlog = semantic.missing().count()
            self.stdout.write(
                f"Meaning search after embeddings: {queued} paragraphs queued for the task worker ({backlog} in the "
                "library in all; `manage.py library_embed` computes them here)."
            )
