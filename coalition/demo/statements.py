"""The demo's documents and statements: a published joint statement, a draft, a concept note in consultation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coalition.accounts.models import User
from coalition.demo.logins import DEMO_DOMAIN
from coalition.demo.people import demo_focal_point
from coalition.directory.models import (
    Country,
    Organisation,
)
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.programme.models import Activity
from coalition.statements import services as statements
from coalition.statements.models import Freeze

STATEMENT_TEXT = """The Freedom Online Coalition (FOC) is deeply concerned by the growing use of internet shutdowns and
network disruptions by governments around the world (demo text, fictitious).

Shutdowns cut people off from information, from emergency services and from one another. They harm economies and
undermine the exercise of human rights online, including freedom of expression and of peaceful assembly.

The FOC calls on all states to refrain from shutting down the internet and to ensure that any restriction is
prescribed by law, necessary and proportionate, in line with international human rights law.

The FOC will continue to work with civil society, the private sector and the technical community to document
disruptions and to support those affected."""


def load(governments: dict[str, Organisation]) -> None:
    """A joint statement signed and published (one member with a reservation, one joining late), a country-specific
    statement in drafting with a member's comment, and a concept note in consultation with the Advisory Network."""
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    chair = User.objects.get(email=f"chair@{DEMO_DOMAIN}")
    focal = User.objects.get(email=f"focal@{DEMO_DOMAIN}")
    official = User.objects.get(email=f"official@{DEMO_DOMAIN}")
    advisory = User.objects.get(email=f"advisory@{DEMO_DOMAIN}")
    others = {
        code: demo_focal_point(governments[code], name, zone)
        for code, name, zone in [
            ("CA", "Chloe Placeholder", "America/Toronto"),
            ("NL", "Noor Example", "Europe/Amsterdam"),
            ("GH", "Abena Sample", "Africa/Accra"),
            ("JP", "Kenji Fictional", "Asia/Tokyo"),
        ]
    }
    year = timezone.now().year
    activity = Activity.objects.filter(objective__goal__programme__year=year, code="1A.5").first()

    joint = statements.create_statement(
        by=support,
        title="Joint Statement on Internet Shutdowns (demo)",
        text=STATEMENT_TEXT,
        kind="joint",
        activities=[activity] if activity else [],
    )
    now = timezone.now()
    freeze = statements.freeze(
        statement=joint,
        by=chair,
        deadline=now + dt.timedelta(hours=2),
        deadline_time_zone="America/Santiago",
        mode=Freeze.Mode.SIGN_ON,
    )
    for code, user in [("CL", chair), ("EE", focal), ("CA", others["CA"]), ("NL", others["NL"])]:
        statements.respond(
            freeze=freeze,
            by=user,
            organisation=governments[code],
            kind="signed",
            reservation="We read paragraph 3 as applying to measures taken in armed conflict as well."
            if code == "NL"
            else "",
        )
    statements.decide(freeze, now=freeze.deadline)
    statements.publish(statement=joint, by=support)
    statements.add_translation(
        statement=joint,
        by=support,
        language="fr",
        title="Déclaration commune sur les coupures d'internet (démo)",
        text="La Freedom Online Coalition est profondément préoccupée par les coupures d'internet (texte fictif).",
    )
    statements.respond(freeze=freeze, by=others["GH"], organisation=governments["GH"], kind="signed")  # late joiner

    draft = statements.create_statement(
        by=support,
        title="Statement on the network disruption in Myanmar (demo draft)",
        text="The Freedom Online Coalition is alarmed by reports of a region-wide network disruption.\n\n"
        "We call on the authorities to restore full access without delay.",
        kind="country_specific",
        about_country=Country.objects.get(code="MM"),
        situation="Region-wide mobile data shutdown (fictitious)",
        fast_track=True,
    )
    documents.add_comment(
        document=draft.document,
        by=official,
        paragraph=2,
        text="Could we add a reference to the Human Rights Council resolution on the promotion of human rights "
        "on the internet?",
        visibility="members",
    )
    note = documents.create_document(
        by=support,
        title="Concept note: rapid response mechanism (demo)",
        text="## Purpose\n\nA mechanism to pool diplomatic and donor responses to fast-breaking crises (PoA 1B.3)."
        "\n\n## Triggers\n\nA shutdown or a wave of censorship confirmed by two independent sources.",
        kind=Document.Kind.CONCEPT_NOTE,
    )
    note = documents.set_phase(document=note, by=support, phase=Document.Phase.CONSULTATION)
    documents.add_comment(
        document=note,
        by=advisory,
        paragraph=4,
        text="Civil-society monitors can often confirm within hours; consider one trusted source plus a measurement.",
        visibility="advisory_network",
    )
    documents.add_comment(
        document=note,
        by=focal,
        paragraph=2,
        text="Members-only: budget implications to be discussed.",
        visibility="members",
    )
