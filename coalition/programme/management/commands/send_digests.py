import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coalition.programme.tasks import send_staleness_digests


class Command(BaseCommand):
    help = (
        "Queue this week's staleness digests: each lead receives one email listing their activities without a "
        "recent update. Run it weekly (cron or a systemd timer); a second run in the same ISO week sends nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--on", help="the day to judge staleness on, YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args: Any, on: str | None = None, **options: Any) -> None:
        if on:
            try:
                dt.date.fromisoformat(on)
            except ValueError:
                raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD).") from None
        result = send_staleness_digests.enqueue(on=on)
        self.stdout.write(f"Staleness digests queued (task {result.id}, {result.status}).")
