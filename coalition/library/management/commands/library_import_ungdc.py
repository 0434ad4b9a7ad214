"""Import UN General Debate speeches (UNGDC JSON lines) into the library as a named account that may import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.accounts.models import User
from coalition.core.errors import CoalitionError
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
