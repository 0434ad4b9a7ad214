import time
from typing import Any

from allauth.mfa.totp.internal.auth import hotp_value
from django.core.management.base import BaseCommand, CommandError

from coalition.demo.logins import DemoInProduction, demo_logins


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo login (demo accounts only)."
    # People run it while a sign-in form waits for the code: the system checks would import every view of the
    # platform (seconds) to print six digits, and `manage.py check` and the other commands run them anyway.
    requires_system_checks = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        try:
            logins = demo_logins()
        except DemoInProduction as refused:
            raise CommandError(refused.message) from None
        for login in logins:
            if login.email == email:
                code = hotp_value(login.totp_secret, int(time.time()) // 30)
                self.stdout.write(f"{code:06d}")
                return
        raise CommandError(f"{email} is not a demo login.")
