"""`manage.py import_signals FILE... --source stop|ooni|ioda|cloudflare|auto --as EMAIL`: bring monitoring files in.

Each file is applied whole or not at all; a refused file is reported and the others still run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coalition.accounts.models import User
from coalition.core.errors import CoalitionError
from coalition.response import importers

SHOWN_SKIPS = 20


class Command(BaseCommand):
    help = "Import shutdown and censorship signals (STOP sheets, OONI, IODA, Cloudflare Radar) as a Support Unit user."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", help="CSV, XLSX or JSON files")
        parser.add_argument(
            "--source", default="auto", choices=["auto", *importers.IMPORTABLE], help="the format (default: detect)"
        )
        parser.add_argument("--as", dest="email", required=True, help="the importing Support Unit account's email")
        parser.add_argument("--dataset-year", type=int, default=None, help="a STOP sheet's year, if not in its name")
        parser.add_argument("--country", default=None, help="ISO-2 country for rows that carry none (IODA ASNs)")

    def handle(self, *args: Any, files: list[str], source: str, email: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No account has the email {email}.")
        failed = 0
        for name in files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                self.stderr.write(f"{name}: cannot be read ({error.strerror}).")
                failed += 1
                continue
            try:
                batch = importers.import_file(
                    by=user,
                    source=source,
                    file_name=path.name,
                    data=data,
                    dataset_year=options["dataset_year"],
                    country=options["country"],
                )
            except CoalitionError as error:
                self.stderr.write(f"{name}: not imported.\n{error.message}")
                failed += 1
                continue
            self.stdout.write(
                f"{name} ({batch.source}): {batch.created} created, {batch.unchanged} unchanged, "
                f"{len(batch.skipped)} skipped"
            )
            for skip in batch.skipped[:SHOWN_SKIPS]:
                self.stdout.write(f"  {importers.describe_skip(skip)}")
            if len(batch.skipped) > SHOWN_SKIPS:
                self.stdout.write(f"  … and {len(batch.skipped) - SHOWN_SKIPS} more skipped rows")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} not imported.")
