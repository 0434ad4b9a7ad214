"""`manage.py restore ARCHIVE [--force]`: verify a backup, restore it into an empty database, and prove the result
(row counts, the ledger, encrypted values, the library and search indexes): coalition/ops/backup_restore.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.ops.backup import BackupError
from coalition.ops.backup_restore import restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database (or replace what it holds with --force), then check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a coalition-backup-*.tar written by `manage.py backup`")
        parser.add_argument("--force", action="store_true", help="replace what a non-empty database holds")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(error.message) from None
        for line in report.lines:
            self.stdout.write(line)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if report.problems:
            raise CommandError("Restored, but the checks failed:\n" + "\n".join(report.problems))
        self.stdout.write(self.style.SUCCESS("Restore complete and verified."))
