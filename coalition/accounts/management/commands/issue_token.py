from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coalition.accounts.models import ServiceToken, User
from coalition.core import ledger


class Command(BaseCommand):
    help = (
        "Create (or reuse) a service account and issue it an API token, printed once. The account sees what its "
        "person's positions allow: give it a person with a position to widen that."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="the service account's address, e.g. reporting@coalition.example.org")
        parser.add_argument("name", help="what the token is for, e.g. 'website feed'")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        with transaction.atomic():
            user = User.objects.filter(email=email.lower()).first()
            if user is None:
                user = User.objects.create_user(email=email, password=None, is_service_account=True)
            elif not user.is_service_account:
                raise CommandError(f"{email} is a person's account; tokens are issued to service accounts only.")
            token, raw = ServiceToken.issue(user=user, name=name)
            ledger.record("auth.token_issued", subject=user, data={"token": token.prefix, "via": "command"})
        self.stdout.write(f"Token for {email} ({name}), shown once:\n{raw}")
