"""`manage.py donors_import FILE... --member CC --as EMAIL [--tier T]`: import a member's IATI files or
spreadsheets by hand (e.g. a publisher's file too large for the upload form), with the per-file report.

Each file is applied whole or not at all; a refused file is reported and the others still run. Exit status 1 when
any file was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coalition.accounts.models import User
from coalition.core.errors import CoalitionError
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.donors import services
from coalition.donors.models import ImportBatch

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = "Import a member's funding (IATI activity files, the XLSX/CSV template) into donor coordination."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", help="IATI .xml, or the template as .xlsx or .csv")
        parser.add_argument("--member", required=True, help="the reporting member's ISO-2 country code")
        parser.add_argument("--as", dest="email", required=True, help="the account importing (the member's or the SU)")
        parser.add_argument("--tier", default=Tier.MECHANISM, choices=[t.value for t in Tier if t != Tier.GROUP])

    def handle(self, *args: Any, files: list[str], member: str, email: str, tier: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No account has the email {email}.")
        reporter = Organisation.objects.filter(kind="government", country__code=member.strip().upper()).first()
        if reporter is None:
            raise CommandError(f"No government has the country code {member}.")
        refused = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file.")
                refused += 1
                continue
            try:
                batch = services.import_file(path, file_name=path.name, reporter=reporter, by=user, tier=tier)
            except CoalitionError as error:
                self.stderr.write(f"{name}: not imported. {error.message}")
                refused += 1
                continue
            if batch.outcome == ImportBatch.Outcome.REFUSED:
                refused += 1
                self.stderr.write(f"{name}: refused, nothing saved ({len(batch.errors)} errors).")
                for problem in batch.errors[:SHOWN_PROBLEMS]:
                    self.stderr.write(f"  {problem['text']}")
                continue
            self.stdout.write(
                f"{name}: {batch.activities} activities — {batch.created} created, {batch.updated} updated, "
                f"{batch.unchanged} unchanged; {len(batch.warnings)} warnings"
            )
        if refused:
            raise CommandError(f"{refused} of {len(files)} files not imported.")
