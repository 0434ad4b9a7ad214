"""What every parser yields: a normalised signal (`Row`), a row that is not a signal (`Skip`) or a data error
(`RowError`), and the limits of an import."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from coalition.response.models import Source

MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 20
# What a damaged workbook raises while it is opened or read: XML that does not parse (the standard library's
# ParseError and lxml's XMLSyntaxError are both SyntaxErrors), a member that does not inflate or fails its CRC, a part
# that is missing or holds a value openpyxl cannot convert.
XLSX_READ_ERRORS = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError)
IMPORTABLE = (Source.STOP, Source.OONI, Source.IODA, Source.CLOUDFLARE)


@dataclass(frozen=True)
class Row:
    """One normalised signal, as read from row `number` of the file."""

    number: int
    external_id: str
    country_code: str
    asn: int | None
    network: str
    region: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    evidence_url: str
    details: dict[str, Any] = field(default_factory=dict)
    dataset_year: int | None = None
    whole_days: bool = False  # dated by the day: starts_at and ends_at are UTC midnights
    sheet: str = ""  # the workbook's sheet, when it has several; "" for a CSV, JSON or a one-sheet workbook


@dataclass(frozen=True)
class Skip:
    """A row that is legitimately not a signal, or (number 0) a whole sheet that is not a STOP table; reported, the
    rest of the file is applied."""

    number: int
    reason: str
    sheet: str = ""


@dataclass(frozen=True)
class RowError:
    """A data error in one row; any of them refuses the whole file."""

    number: int
    message: str
    sheet: str = ""


Parsed = Row | Skip | RowError


def _place(sheet: str, number: int) -> str:
    """Where an item is, as a person finds it: "row 12", "sheet “2019”, row 12", or a whole "sheet “Notes”"."""
    if not sheet:
        return f"row {number}"
    return f"sheet “{sheet}”, row {number}" if number else f"sheet “{sheet}”"


def describe_skip(skip: dict[str, Any]) -> str:
    """One entry of `ImportBatch.skipped` as a line of a report."""
    return f"{_place(skip.get('sheet', ''), skip.get('row', 0))}: {skip['reason']}"


def _in_sheet(sheet: str, message: str) -> str:
    return f"Sheet “{sheet}”: {message}" if sheet else message
