"""Build the demo coalition: real members and bodies, fictitious people, one login per role with TOTP.

Everything time-sensitive (current positions, terms ending soon, this year's chair) is relative to the day it runs.
Loading twice changes nothing: the demo is recognised by its Support Unit login and left as it is.
"""

from __future__ import annotations

from django.db import transaction

from coalition.accounts.models import User
from coalition.core import ledger, search
from coalition.demo import donors, library, meetings, people, programme, response, statements
from coalition.demo.logins import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    LOGINS,
    DemoInProduction,
    DemoLogin,
    demo_logins,
    refuse_in_production,
)
from coalition.directory.models import Country
from coalition.directory.queries import today
from coalition.directory.services import load_countries

__all__ = ["DEMO_DOMAIN", "DEMO_PASSWORD", "LOGINS", "DemoInProduction", "DemoLogin", "demo_logins", "load_demo"]


def load_demo() -> list[DemoLogin]:
    refuse_in_production()  # before anything, countries included, is written
    load_countries()
    if User.objects.filter(email=f"support@{DEMO_DOMAIN}").exists():
        return demo_logins()
    with transaction.atomic():
        on = today()
        countries = {c.code: c for c in Country.objects.all()}
        governments = people.members(countries)
        bodies = people.bodies(countries)
        people.offices(governments, bodies, countries)
        chair = people.chair_terms(governments, on)
        persons = people.people(governments, bodies, chair, on)
        people.accounts(persons)
        programme.load(governments, bodies, on)
        meetings.load(governments, bodies, on)
        statements.load(governments)
        library.load(governments)
        response.load(governments)
        donors.load(governments)
        search.check_drift(repair=True)  # the scenes write some rows in bulk, which no signal reports
        ledger.record("demo.loaded", data={"members": len(governments), "on": on})
    return demo_logins()
