"""What a reader of members' files gives (the IATI reader and the spreadsheet template's alike): a `Report` of the
file's `Activity` objects, with its errors and warnings as `Problem`s. Plain data, no parsing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Kind = Literal["file", "schema", "content", "codelist", "identifier", "amount"]  # amount: how money counts


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (line, activity) and what, in words a publisher can act on."""

    message: str
    kind: Kind
    line: int | None = None
    identifier: str = ""

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        if self.identifier:
            where.append(f"activity {self.identifier}")
        return ": ".join([*where, self.message])


@dataclass(frozen=True)
class Organisation:
    ref: str = ""
    type: str = ""
    name: str = ""
    activity_id: str = ""


@dataclass(frozen=True)
class ParticipatingOrg:
    role: str
    ref: str = ""
    type: str = ""
    name: str = ""
    activity_id: str = ""


@dataclass(frozen=True)
class RecipientCountry:
    code: str
    percentage: Decimal | None = None


@dataclass(frozen=True)
class RecipientRegion:
    code: str
    vocabulary: str = "1"
    percentage: Decimal | None = None


@dataclass(frozen=True)
class Sector:
    vocabulary: str
    code: str
    percentage: Decimal | None = None


@dataclass(frozen=True)
class PolicyMarker:
    vocabulary: str
    code: str
    significance: str = ""


@dataclass(frozen=True)
class Budget:
    type: str
    status: str
    period_start: dt.date | None
    period_end: dt.date | None
    value: Decimal | None
    currency: str
    value_date: dt.date | None


@dataclass(frozen=True)
class PlannedDisbursement:
    type: str
    period_start: dt.date | None
    period_end: dt.date | None
    value: Decimal | None
    currency: str
    value_date: dt.date | None
    provider: Organisation | None = None
    receiver: Organisation | None = None


@dataclass(frozen=True)
class Transaction:
    ref: str
    type: str
    date: dt.date | None
    value: Decimal | None
    currency: str
    value_date: dt.date | None
    provider: Organisation | None = None
    receiver: Organisation | None = None
    description: str = ""
    sectors: tuple[Sector, ...] = ()
    recipient_country: str = ""
    recipient_region: str = ""
    flow_type: str = ""
    finance_type: str = ""
    aid_types: tuple[tuple[str, str], ...] = ()  # (vocabulary, code)
    line: int | None = None


@dataclass(frozen=True)
class RelatedActivity:
    type: str
    ref: str


@dataclass
class Activity:
    """One `<iati-activity>`. Texts are {language: text}; money is a `Decimal` with its currency beside it."""

    identifier: str
    line: int | None
    reporting_org: Organisation
    default_currency: str = ""
    language: str = ""
    hierarchy: int | None = 1
    humanitarian: bool = False
    last_updated_at: dt.datetime | None = None  # aware, UTC; a value without an offset is taken as UTC
    title: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)  # description type → {language: text}
    participating_orgs: list[ParticipatingOrg] = field(default_factory=list)
    activity_status: str = ""
    dates: dict[str, dt.date] = field(default_factory=dict)  # ActivityDateType code → date
    recipient_countries: list[RecipientCountry] = field(default_factory=list)
    recipient_regions: list[RecipientRegion] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    policy_markers: list[PolicyMarker] = field(default_factory=list)
    default_flow_type: str = ""
    default_finance_type: str = ""
    default_aid_types: list[tuple[str, str]] = field(default_factory=list)  # (vocabulary, code)
    budgets: list[Budget] = field(default_factory=list)
    planned_disbursements: list[PlannedDisbursement] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    related_activities: list[RelatedActivity] = field(default_factory=list)


@dataclass
class Report:
    """Everything `read` found. `valid` is the importer's go/no-go: a file with any error is saved not at all."""

    version: str = ""
    activities: list[Activity] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors
