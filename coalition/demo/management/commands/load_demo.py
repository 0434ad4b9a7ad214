from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coalition.demo.loader import DEMO_PASSWORD, DemoInProduction, load_demo


class Command(BaseCommand):
    help = "Load the demo coalition (idempotent) and print one login per role with its TOTP secret."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            logins = load_demo()
        except DemoInProduction as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(self.style.SUCCESS(f"Demo coalition ready. Logins (password for all: {DEMO_PASSWORD}):"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<20} {login.email:<{width}}  TOTP secret {login.totp_secret}")
        self.stdout.write("Add a secret to any authenticator app (or run `manage.py demo_totp EMAIL`) for the code.")
