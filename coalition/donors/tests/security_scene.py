"""The scene of the donor-coordination security review (`test_security_*.py`): each test there asserts the secure
behaviour, so a failing test marks a hole.

One scenario: NL, DE and SE take part, FR does not. NL reports a bilateral record shared with DE alone, a record for
the group NL+SE, one for all participants and a public one; DE and SE fund the same work as the bilateral record
(so overlap candidates exist); FR reports a record of its own. An exchange rate converts every amount and a public
situation room is open in the bilateral record's country. Here: the scenario, what each reader reads (written out
by hand), and the helpers the tests read pages with.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from coalition.core.policy import Classification, Tier
from coalition.core.tests.clients import client_for
from coalition.directory.models import Country
from coalition.donors import services
from coalition.donors.models import (
    DonorGroup,
    FundingActivity,
    ImportBatch,
    Overlap,
)
from coalition.donors.tests.conftest import funding, imported
from coalition.response import services as response

ACTIVITIES_API = "/api/v1/funding-activities/"
OVERLAPS_API = "/api/v1/funding-overlaps/"
RATE = Decimal("1.25")  # one EUR in USD, the mechanism's currency

SECRET_ID = "XM-DAC-NL-SECRET-BILATERAL-7731"
SECRET_TITLE = "Quiet fund for Ethiopian bloggers"
SECRET_WORDS = ("Ethiopian", "bloggers")
SECRET_AMOUNTS = ("4,321,000", "4321000.00", "5,401,250", "5401250.00")  # as reported (EUR), converted (USD)
GROUP_ID = "XM-DAC-NL-GROUP-RW"
GROUP_TITLE = "Great Lakes press freedom pool"
GROUP_AMOUNTS = ("2,000,000", "2000000.00", "2,500,000", "2500000.00")

HIDDEN_FROM = ("SE", "FR", "support", "advisory", "anonymous")  # every reader the bilateral record must not reach
SEEN_BY = ("NL", "DE")  # its reporter and the member it names


@dataclass(frozen=True)
class Row:
    """One record of the scenario: who reports it, at which tier, where, and its budget in EUR."""

    identifier: str
    reporter: str
    tier: str
    country: str
    budget: int
    title: str

    @property
    def usd(self) -> Decimal:
        return (Decimal(self.budget) * RATE).quantize(Decimal("0.01"))


ROWS = (
    Row(SECRET_ID, "NL", Tier.BILATERAL, "ET", 4_321_000, SECRET_TITLE),
    Row(GROUP_ID, "NL", Tier.GROUP, "RW", 2_000_000, GROUP_TITLE),
    Row("XM-DAC-NL-MECH-TZ", "NL", Tier.MECHANISM, "TZ", 1_000_000, "Tanzania online safety helpdesk"),
    Row("XM-DAC-NL-PUB-UG", "NL", Tier.PUBLIC, "UG", 600_000, "Uganda open internet observatory"),
    Row("XM-DAC-DE-ET-1", "DE", Tier.MECHANISM, "ET", 800_000, "Digital safety for journalists in Ethiopia"),
    Row("XM-DAC-SE-ET-1", "SE", Tier.MECHANISM, "ET", 400_000, "Ethiopia digital defenders support"),
    Row("XM-DAC-FR-KE-1", "FR", Tier.MECHANISM, "KE", 300_000, "Kenya election monitoring of online censorship"),
)
BY_ID = {row.identifier: row for row in ROWS}
NL_MECH, NL_PUB, DE_ET, SE_ET, FR_OWN = (row.identifier for row in ROWS[2:])

# What each reader reads, written out by hand (never computed through the policy under test).
READS: dict[str, set[str]] = {
    "NL": {SECRET_ID, GROUP_ID, NL_MECH, NL_PUB, DE_ET, SE_ET},
    "DE": {SECRET_ID, NL_MECH, NL_PUB, DE_ET, SE_ET},
    "SE": {GROUP_ID, NL_MECH, NL_PUB, DE_ET, SE_ET},
    "FR": {NL_PUB, FR_OWN},
    "support": {GROUP_ID, NL_MECH, NL_PUB, DE_ET, SE_ET},
    "advisory": {NL_PUB},
    "anonymous": {NL_PUB},
}
GOVERNMENT_READERS = ("NL", "DE", "SE", "FR", "support")  # the alignment pages are theirs


@dataclass
class Scene:
    people: dict[str, Any]  # "NL", "DE", "SE", "FR" → an official of that government
    support: Any
    advisory: Any
    group: DonorGroup
    situation: Any
    batches: dict[str, ImportBatch]  # identifier → the batch that imported it
    readers: dict[str, Any] = field(default_factory=dict)

    def pk(self, identifier: str) -> int:
        return FundingActivity.objects.get(identifier=identifier).pk

    def org(self, code: str) -> Any:
        return self.people[code].organisation

    def overlap(self, *identifiers: str) -> Overlap:
        return Overlap.objects.get(first__identifier__in=identifiers, second__identifier__in=identifiers)


def browser(user: Any, **kwargs: Any) -> Client:
    """A browser signed in as `user` (None: a visitor), with MFA set up as every account that signs in has it."""
    if user is not None and not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    return client_for(user, **kwargs)


SAME_WORK = "Digital security training and legal aid for bloggers and journalists facing arrest."


def xml_for(row: Row, **extra: str) -> str:
    same_work = row.country == "ET"  # the bilateral record and the two that overlap it fund the same work
    return funding(
        row.identifier,
        title=row.title,
        country=row.country,
        budget=str(row.budget),
        implementer="Access Shield" if same_work else f"Implementer in {row.country}",
        description=SAME_WORK if same_work else f"Work in {row.country} number {row.budget}.",
        **extra,
    )


def build_scene(member: Any, support: Any, advisory: Any) -> Scene:
    people = {code: member(code) for code in ("NL", "DE", "SE", "FR")}
    for code in ("NL", "DE", "SE"):
        services.join(organisation=people[code].organisation, by=people[code], on=dt.date(2025, 1, 1))
    group = services.save_group(
        by=support, name="Great Lakes donors", members=[people["NL"].organisation, people["SE"].organisation]
    )
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=RATE, source="ECB reference rate")
    batches = {}
    for row in ROWS:
        sharing: dict[str, Any] = {}
        if row.tier == Tier.GROUP:
            sharing["group"] = group
        if row.tier == Tier.BILATERAL:
            sharing["bilateral_with"] = [people["DE"].organisation]
        batches[row.identifier] = imported(
            people[row.reporter],
            xml_for(row),
            tier=row.tier,
            file_name=f"{row.reporter.lower()}-{row.tier}.xml",
            **sharing,
        )
    services.detect_overlaps()
    situation = response.open_situation(
        by=support, country=Country.objects.get(code="ET"), title="Ethiopia: bloggers arrested"
    )
    response.widen(situation, by=support, classification=Classification.PUBLIC)  # so every reader reads the brief
    found = Scene(people, support, advisory, group, situation, batches)
    found.readers = {**people, "support": support, "advisory": advisory, "anonymous": None}
    return found


# --- Helpers ------------------------------------------------------------------------------------------------------

PAIRS = (
    frozenset((SECRET_ID, DE_ET)),
    frozenset((SECRET_ID, SE_ET)),
    frozenset((DE_ET, SE_ET)),
)  # the overlap candidates of the scenario: the three records funding the same work in Ethiopia
MISSING_PK = 10**9


def readable(reader: str, keep: Callable[[Row], bool] = lambda row: True) -> set[str]:
    return {identifier for identifier in READS[reader] if keep(BY_ID[identifier])}


def pairs_for(reader: str) -> set[frozenset[str]]:
    return {pair for pair in PAIRS if pair <= READS[reader]}


def usd_by_country(identifiers: set[str]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for identifier in identifiers:
        sums[BY_ID[identifier].country] += BY_ID[identifier].usd
    return dict(sums)


YEARS = ((2024, 366), (2025, 365))  # the days of each year in the records' 731-day period


def money(value: Decimal | int) -> str:
    return f"{value:,.0f}"


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def api_ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["identifier"] for row in response.json()["results"]}


def no_trace(body: str, where: str, *, of: tuple[str, ...] = (SECRET_ID, "SECRET-BILATERAL", SECRET_TITLE)) -> None:
    """Nothing of the bilateral record: identifier, title, title words, amount as reported or converted."""
    for text in (*of, *SECRET_WORDS[:1], *SECRET_AMOUNTS):
        assert text not in body, f"{text!r} shown in {where}"


def listed(body: str) -> int:
    """How many activities the activities page says it lists."""
    if "No funding activities to show." in body:
        return 0
    found = re.search(r"(\d+) funding activit(?:y|ies)\b(?! you)", body)
    assert found is not None, body
    return int(found.group(1))


def tier_state() -> list[tuple[Any, ...]]:
    rows = FundingActivity.objects.order_by("pk")
    return [(a.identifier, a.tier, a.group_id, sorted(a.bilateral_with.values_list("pk", flat=True))) for a in rows]


def activity_state() -> list[tuple[Any, ...]]:
    return list(FundingActivity.objects.order_by("pk").values_list("identifier", "title", "reporter_id", "total"))


def activity_filters(scene: Scene) -> list[tuple[dict[str, Any], Callable[[Row], bool]]]:
    """Every filter of the activities page and API, and which scenario rows each keeps."""
    nl = scene.org("NL").pk
    return [
        ({}, lambda row: True),
        ({"q": " ".join(SECRET_WORDS)}, lambda row: row.identifier == SECRET_ID),
        ({"q": "SECRET-BILATERAL"}, lambda row: row.identifier == SECRET_ID),
        ({"q": SECRET_ID.lower()}, lambda row: row.identifier == SECRET_ID),
        ({"country": "ET"}, lambda row: row.country == "ET"),
        ({"topic": "freedoms"}, lambda row: True),
        ({"stage": "committed"}, lambda row: True),
        ({"reporter": nl}, lambda row: row.reporter == "NL"),
        ({"q": "fund", "country": "ET", "reporter": nl}, lambda row: row.identifier == SECRET_ID),
    ]


ALL_READERS = tuple(READS)


def review_state() -> list[tuple[Any, ...]]:
    return list(Overlap.objects.order_by("pk").values_list("review", "note", "reviewed_by_id"))


def not_cached(response: Any) -> bool:
    header = response.get("Cache-Control", "")
    return "private" in header and "no-store" in header
