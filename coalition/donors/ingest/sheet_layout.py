"""The funding spreadsheet template's layout (see `spreadsheet` for what each column takes): its columns and
the words its cells may hold, and `RowProblem`, a problem at a row and column as the user sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from coalition.donors.ingest import iati

VERSION = "template-1"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
DATA_SHEET = "Funding lines"
INSTRUCTIONS_SHEET = "Instructions"
EXAMPLE_IDENTIFIER = "XX-EXAMPLE-1"

IDENTIFIER = "Identifier"
TITLE = "Title"
DESCRIPTION = "Description"
STATUS = "Status"
START_DATE = "Start date"
END_DATE = "End date"
COUNTRIES = "Recipient countries"
REGIONS = "Recipient regions"
SECTORS = "Sectors"
POLICY_MARKERS = "Policy markers"
IMPLEMENTERS = "Implementing organisations"
FUNDING_STAGE = "Funding stage"
AMOUNT = "Amount"
CURRENCY = "Currency"
PERIOD_START = "Period start"
PERIOD_END = "Period end"


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    explanation: str
    example: str
    aliases: tuple[str, ...] = ()
    describes_activity: bool = True  # False for the funding line's own columns


COLUMNS: tuple[Column, ...] = (
    Column(
        IDENTIFIER,
        True,
        "The activity's identifier, the same on every row of the activity. If your organisation has an IATI "
        "organisation identifier, start with it (e.g. XM-DAC-7-2024-17); otherwise any code unique to the activity.",
        EXAMPLE_IDENTIFIER,
        ("activity identifier", "iati identifier", "id"),
    ),
    Column(
        TITLE,
        True,
        "The activity's title, on its first row (repeat it identically or leave it blank on its other rows).",
        "Digital security for human rights defenders",
        ("activity title",),
    ),
    Column(DESCRIPTION, False, "What the activity does.", "Training and emergency support…", ("activity description",)),
    Column(
        STATUS,
        False,
        "pipeline, implementation, finalisation, closed, cancelled or suspended (or the IATI ActivityStatus code "
        "1–6). Left blank, an activity whose lines are all pipeline is in the pipeline.",
        "implementation",
        ("activity status",),
    ),
    Column(
        START_DATE,
        False,
        "YYYY-MM-DD. The planned start while the activity is in the pipeline (or has no status), otherwise the "
        "actual start.",
        "2025-01-01",
        ("start", "activity start date", "activity start"),
    ),
    Column(
        END_DATE,
        False,
        "YYYY-MM-DD. The planned end, or the actual end once the activity is closed or cancelled.",
        "2027-12-31",
        ("end", "activity end date", "activity end"),
    ),
    Column(
        COUNTRIES,
        False,
        "ISO 3166 two-letter country codes separated by ;, each with an optional percentage after a colon. "
        "Percentages of countries and regions together add up to 100.",
        "KE:60; UG:40",
        ("recipient country", "countries", "country"),
    ),
    Column(
        REGIONS,
        False,
        "IATI Region codes (OECD DAC regions, e.g. 289 South of Sahara), same syntax as the countries.",
        "289",
        ("recipient region", "regions", "region"),
    ),
    Column(
        SECTORS,
        False,
        "OECD DAC 5-digit purpose codes (or 3-digit categories) separated by ;, with optional percentages that add "
        "up to 100.",
        "15160:70; 22040:30",
        ("sector", "dac sectors", "dac sector"),
    ),
    Column(
        POLICY_MARKERS,
        False,
        "IATI PolicyMarker code, a colon and the significance code, separated by ;. Significance: 0 not targeted, "
        "1 significant objective, 2 principal objective, 3 principal objective and in support of an action "
        "programme, 4 explicit primary objective.",
        "1:1; 3:2",
        ("policy marker", "markers"),
    ),
    Column(
        IMPLEMENTERS,
        False,
        "Names of the implementing organisations separated by ;. Give an organisation identifier before a | "
        "where there is one.",
        "XM-EXAMPLE-NGO|Example Digital Rights Network",
        (
            "implementing organisation",
            "implementing organization",
            "implementing organizations",
            "implementers",
            "implementer",
        ),
    ),
    Column(
        FUNDING_STAGE,
        True,
        "pipeline (indicative, not yet planned), planned (a planned disbursement), committed (a signed commitment) "
        "or disbursed (money paid out). Leave the funding columns blank on a row that only describes the activity.",
        "committed",
        ("stage", "funding status"),
        describes_activity=False,
    ),
    Column(
        AMOUNT,
        True,
        "A number, zero or more, without a currency sign: 250000 or 250,000.50.",
        "500000",
        ("value",),
        describes_activity=False,
    ),
    Column(
        CURRENCY,
        True,
        "The ISO 4217 code of the amount's currency.",
        "EUR",
        describes_activity=False,
    ),
    Column(
        PERIOD_START,
        True,
        "YYYY-MM-DD. The first day of the period the line covers, or for committed and disbursed lines the date of "
        "the commitment or disbursement.",
        "2025-01-15",
        ("period start date",),
        describes_activity=False,
    ),
    Column(
        PERIOD_END,
        True,
        "YYYY-MM-DD. The last day of the period (required for pipeline lines, optional for planned lines, not used "
        "for committed and disbursed lines).",
        "2025-12-31",
        ("period end date",),
        describes_activity=False,
    ),
)

STATUSES = {
    "pipeline": "1",
    "identification": "1",
    "pipeline/identification": "1",
    "implementation": "2",
    "finalisation": "3",
    "finalization": "3",
    "closed": "4",
    "cancelled": "5",
    "canceled": "5",
    "suspended": "6",
}
STATUS_WORDS = ("pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended")
PIPELINE, PLANNED, COMMITTED, DISBURSED = "pipeline", "planned", "committed", "disbursed"
FUNDING_STAGES = {
    PIPELINE: PIPELINE,
    PLANNED: PLANNED,
    "planned disbursement": PLANNED,
    COMMITTED: COMMITTED,
    "commitment": COMMITTED,
    DISBURSED: DISBURSED,
    "disbursement": DISBURSED,
}
TRANSACTION_TYPES = {COMMITTED: "2", DISBURSED: "3"}

# IATI ActivityDateType codes
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
PIPELINE_STATUS, CLOSED_STATUSES = "1", ("4", "5")

PERCENT_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class RowProblem(iati.Problem):
    """An `iati.Problem` whose `line` is a spreadsheet row; `column` is the template header it concerns, if any."""

    column: str = ""

    def __str__(self) -> str:
        where = [f"row {self.line}"] if self.line else []
        if self.identifier:
            where.append(f"activity {self.identifier}")
        return ": ".join([*where, self.message])


def normalised(header: str) -> str:
    return " ".join(re.sub(r"[_\-*:]", " ", header).casefold().split())


COLUMN_ORDER = {column.header: position for position, column in enumerate(COLUMNS)}
COLUMN_BY_NAME: dict[str, Column] = {
    name: column for column in COLUMNS for name in (normalised(column.header), *column.aliases)
}
