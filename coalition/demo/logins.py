"""The demo's logins: one account per role, with a published password and printed second factors; refused in
production."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from coalition.accounts.models import User
from coalition.core.errors import CoalitionError

DEMO_DOMAIN = "demo.coalition.example"
DEMO_PASSWORD = "correct-horse-coalition-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str
    totp_secret: str


# role label, login name, person, time zone; the position is made in _people below.
LOGINS = [
    ("Support Unit", "support", "Samira Placeholder", "Europe/Amsterdam"),
    ("Chair", "chair", "Carlos Exemplar", "America/Santiago"),
    ("Member focal point", "focal", "Freya Sample", "Europe/Tallinn"),
    ("Member official", "official", "Kwame Mockdata", "Africa/Accra"),
    ("Observer", "observer", "Olive Stand-In", "Europe/Brussels"),
    ("Advisory Network", "advisory", "Amara Fictional", "Africa/Nairobi"),
    ("Invited guest", "guest", "Gustav Visitor", "Asia/Tokyo"),
]


class DemoInProduction(CoalitionError):
    """The demo was asked for where real people sign in."""


def refuse_in_production() -> None:
    """The demo's accounts share a published password and their TOTP secrets are printed: in production they would
    be open doors, so nothing of the demo is made or shown there."""
    if settings.PRODUCTION:
        raise DemoInProduction(
            "The demo coalition is refused under DJANGO_ENV=production: its accounts share a published password "
            "and their second factors are printed. Nothing was written."
        )


def demo_logins() -> list[DemoLogin]:
    refuse_in_production()
    adapter = get_mfa_adapter()
    logins = []
    for role, login, name, _tz in LOGINS:
        user = User.objects.get(email=f"{login}@{DEMO_DOMAIN}")
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        logins.append(DemoLogin(role, user.email, name, adapter.decrypt(totp.data["secret"])))
    return logins
