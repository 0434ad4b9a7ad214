from typing import Any

from django.core.management.base import BaseCommand

from coalition.statements.reminders import send_final_reminders


class Command(BaseCommand):
    help = (
        "Queue the final reminders: the focal points of each member that has not responded to a statement's open "
        "text are emailed once when its deadline is within STATEMENTS_FINAL_REMINDER_HOURS (default 24). Run it "
        "every 15 minutes (cron or a systemd timer); nothing is sent twice for one text and member."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_final_reminders.enqueue()
        self.stdout.write(f"Final reminders queued (task {result.id}, {result.status}).")
