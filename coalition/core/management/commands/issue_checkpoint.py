from typing import Any

from django.core.management.base import BaseCommand

from coalition.core import checkpoints
from coalition.core.tasks import issue_checkpoint


class Command(BaseCommand):
    help = (
        "Queue the signing of a checkpoint of the audit ledger (run it at least daily from cron or a timer); "
        "--now signs it in place and prints the signed note."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="sign here instead of queueing the task")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        if now:
            self.stdout.write(checkpoints.issue_checkpoint().note, ending="")
            return
        result = issue_checkpoint.enqueue()
        self.stdout.write(f"Checkpoint queued (task {result.id}, {result.status}).")
