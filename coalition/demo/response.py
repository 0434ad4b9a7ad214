"""The demo's rapid response: the toolkit, signals that corroborate, an alert and an open situation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo.logins import DEMO_DOMAIN
from coalition.directory.models import (
    Country,
    Organisation,
)
from coalition.response import services as response
from coalition.response.models import Signal, SignalKind, Source, Tool

DEMO_TOOLKIT = [
    (
        "Joint public statement",
        "public_statement",
        "When a shutdown or block is confirmed and members agree that public pressure helps those affected.",
        "Any member may propose; the Chair and Support Unit run the fast-track sign-on (1A.5).",
        "Chair",
    ),
    (
        "Joint démarche",
        "joint_demarche",
        "When members with embassies in the country can raise the disruption with the authorities together.",
        "Members with an embassy in the country, led by one of them.",
        "Members with an embassy there",
    ),
    (
        "Private diplomatic engagement",
        "private_engagement",
        "When quiet contact is more likely to restore access than a public statement.",
        "Any member with access to the government; report back to the Support Unit.",
        "Members with an embassy there",
    ),
    (
        "Donor support for circumvention and documentation",
        "donor_support",
        "When people need tools to reach the internet, or monitors need support to document the disruption.",
        "Members with a development programme; coordinated through donor coordination (2A.4).",
        "Donor members",
    ),
    (
        "Civil-society consultation",
        "cso_consultation",
        "Early in every situation: the Advisory Network and local groups know what is happening and what helps.",
        "The Support Unit convenes; reports stay with those who need them.",
        "Support Unit",
    ),
]


def load(governments: dict[str, Organisation]) -> None:
    """The toolkit, and fictitious signals about one country from two sources that agree, so the situation room
    opens on an alert to act on."""
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    for position, (name, kind, when, who, lead) in enumerate(DEMO_TOOLKIT):
        response.save_tool(
            by=support,
            name=name,
            kind=kind,
            when_to_use=when,
            who_can_use=who,
            suggested_lead=lead,
            position=position,
            in_playbook=True,
            classification=Classification.MEMBERS,
        )
    assert Tool.objects.count() == len(DEMO_TOOLKIT)
    country = Country.objects.get(code="ET")
    now = timezone.now()
    start = now - dt.timedelta(hours=7)
    Signal.objects.create(
        source=Source.IODA,
        external_id="demo:ioda:ET",
        country=country,
        region="Amhara (demo)",
        kind=SignalKind.OUTAGE,
        starts_at=start,
        details={"note": "demo, fictitious: active probing at 12 %"},
    )
    Signal.objects.create(
        source=Source.OONI,
        external_id="demo:ooni:ET",
        country=country,
        asn=24757,
        network="Ethio Telecom (demo)",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=start + dt.timedelta(minutes=40),
        details={"note": "demo, fictitious: messaging apps unreachable"},
    )
    Signal.objects.create(
        source=Source.STOP,
        external_id="demo:stop:ET",
        country=country,
        region="Amhara (demo)",
        kind=SignalKind.FULL_SHUTDOWN,
        starts_at=start - dt.timedelta(minutes=20),
        evidence_url="https://www.accessnow.org/keepiton/",
        details={"note": "demo, fictitious report"},
    )
    response.raise_alerts(now=now)
