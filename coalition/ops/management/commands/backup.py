"""`manage.py backup [--output DIR]`: one consistent, timestamped archive of the database and the uploaded files,
with a manifest of counts and SHA-256 sums — never the keys (coalition/ops/backup.py, docs/operations.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup archive (database, uploaded files, manifest) into a folder; never the keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="folder for the archive (default: var/backups under the data)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups"
        started = time.perf_counter()
        try:
            path = create_backup(output=output)
        except BackupError as error:
            raise CommandError(error.message) from None
        size = path.stat().st_size
        self.stdout.write(f"{path} ({size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s)")
        self.stdout.write("The field-encryption and ledger signing keys are not in it: keep them elsewhere.")
