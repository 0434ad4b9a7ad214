from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coalition.core.checkpoints import verify_checkpoints
from coalition.core.ledger import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit ledger's hash chain and name the first broken link; then every signed checkpoint: its "
        "signature, its root recomputed from the events, and its consistency with the checkpoint before it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Ledger broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)."
            )
        problems = verify_checkpoints(result.checked)
        if problems:
            raise CommandError("Ledger contradicts its signed checkpoints: " + " ".join(problems))
        self.stdout.write(self.style.SUCCESS(f"Ledger intact: {result.checked} events verified."))
