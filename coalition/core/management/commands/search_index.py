"""`manage.py search_index --rebuild` makes the platform search's index afresh; `--check` reports (and with
`--repair` mends) what drifted from the records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coalition.core import search


class Command(BaseCommand):
    help = "Rebuild the platform search's index, or check it against the records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="index every record afresh")
        parser.add_argument("--check", action="store_true", help="report entries that drifted from the records")
        parser.add_argument("--repair", action="store_true", help="with --check, bring drifted entries in step")
        parser.add_argument("--kind", action="append", help="only this kind (repeatable), e.g. response.situation")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kind"]
        unknown = set(kinds or ()) - set(search.registered())
        if unknown:
            raise CommandError(f"No search kind {', '.join(sorted(unknown))}; known: {', '.join(search.registered())}")
        if options["rebuild"]:
            for key, count in search.rebuild(kinds).items():
                self.stdout.write(f"{key}: {count} indexed")
        elif options["check"]:
            for drift in search.check_drift(repair=options["repair"]):
                if kinds and drift.kind not in kinds:
                    continue
                self.stdout.write(
                    f"{drift.kind}: {len(drift.missing)} missing, {len(drift.stale)} stale, "
                    f"{len(drift.orphaned)} orphaned" + (" (repaired)" if options["repair"] and drift.count else "")
                )
        else:
            raise CommandError("Say --rebuild or --check")
