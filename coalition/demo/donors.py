"""The demo's donor coordination: participants, a donor group, rates and IATI files from four members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo import data
from coalition.demo.logins import DEMO_DOMAIN
from coalition.demo.people import demo_focal_point
from coalition.directory.models import (
    Organisation,
    Position,
)
from coalition.directory.queries import today
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.donors import services as donors


def _funding_xml(donor: Organisation, rows: list[tuple[str, ...]]) -> bytes:
    """A small IATI 2.03 activity file of the demo's fictitious funding for one donor."""
    ref = f"XM-DEMO-{donor.country.code}"  # type: ignore[union-attr]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">']
    for _donor, identifier, title, description, country, sector, implementer, start, end, currency, amount, _t in rows:
        status = "1" if start > today().isoformat() else "2"
        parts.append(
            f"""
  <iati-activity default-currency="{currency}" xml:lang="en">
    <iati-identifier>{escape(identifier)}</iati-identifier>
    <reporting-org ref="{ref}" type="10"><narrative>{escape(donor.name)}</narrative></reporting-org>
    <title><narrative>{escape(title)}</narrative></title>
    <description type="1"><narrative>{escape(description)}</narrative></description>
    <participating-org role="1" ref="{ref}" type="10"><narrative>{escape(donor.name)}</narrative></participating-org>
    <participating-org role="4" type="21"><narrative>{escape(implementer)}</narrative></participating-org>
    <activity-status code="{status}"/>
    <activity-date type="1" iso-date={quoteattr(start)}/>
    <activity-date type="3" iso-date={quoteattr(end)}/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    <budget type="1" status="{"1" if status == "1" else "2"}">
      <period-start iso-date={quoteattr(start)}/><period-end iso-date={quoteattr(end)}/>
      <value value-date={quoteattr(start)}>{amount}</value>
    </budget>
  </iati-activity>"""
        )
    parts.append("\n</iati-activities>\n")
    return "".join(parts).encode()


DONOR_FOCAL_POINTS = {
    "DE": ("Dieter Placeholder", "Europe/Berlin"),
    "SE": ("Sara Exempel", "Europe/Stockholm"),
    "GB": ("Grace Sample", "Europe/London"),
}


def _focal_point_of(government: Organisation, code: str) -> User:
    """The member's focal point in the demo: an existing one (the focal login for Estonia, those the statements made),
    else a fictitious one without a password."""
    found = User.objects.filter(
        person__positions__organisation=government, person__positions__kind=Position.Kind.FOCAL_POINT
    ).first()
    if found is not None:
        return found
    name, zone = DONOR_FOCAL_POINTS[code]
    return demo_focal_point(government, name, zone)


def load(governments: dict[str, Organisation]) -> None:
    """Donor coordination: six members take part (Ghana, the official's member, does not), a donor group, demo rates,
    fictitious funding at every sharing tier with one overlap to review (Ethiopia), and the donor principles with the
    focal point's member's self-assessment."""
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    donors.ensure_default_mapping()
    joined = today() - dt.timedelta(days=200)
    for code in ("NL", "DE", "SE", "EE", "GB", "CA"):
        donors.join(organisation=governments[code], by=support, on=joined)
    group = donors.save_group(
        by=support,
        name="Kenya digital-rights donors (demo)",
        members=[governments["SE"], governments["EE"], governments["NL"]],
        description="Donors funding digital rights in Kenya, sharing plans with each other first.",
    )
    for currency, on, rate in data.DEMO_RATES:
        donors.add_rate(
            by=support,
            currency=currency,
            on=dt.date.fromisoformat(on),
            rate=Decimal(rate),
            source="Demo rates (fictitious; use ECB or OECD rates in a real deployment)",
        )
    speakers = {code: _focal_point_of(governments[code], code) for code in ("NL", "DE", "SE", "EE", "GB", "CA")}
    by_donor: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for row in data.DEMO_FUNDING:
        by_donor.setdefault((row[0], row[-1]), []).append(row)
    for (code, tier), rows in by_donor.items():
        batch = donors.import_file(
            _funding_xml(governments[code], rows),
            file_name=f"demo-{code.lower()}-{tier}.xml",
            reporter=governments[code],
            by=speakers[code],  # a member reports its own funding
            tier=tier,
            group=group if tier == "group" else None,
            bilateral_with=[governments["DE"]] if tier == "bilateral" else (),
        )
        assert batch.outcome == "accepted", batch.errors
    donors.detect_overlaps()
    principles = documents.create_document(
        by=support,
        title="Donor principles for human rights online (demo)",
        kind=Document.Kind.PRINCIPLES,
        text=data.DONOR_PRINCIPLES,
        classification=Classification.MEMBERS,
    )
    for paragraph, rating in ((2, "met"), (3, "partly"), (6, "not_yet")):
        donors.assess(
            organisation=governments["EE"],
            document=principles,
            paragraph=paragraph,
            rating=rating,
            evidence="Demo self-assessment (fictitious).",
            by=speakers["EE"],
        )
