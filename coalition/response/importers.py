"""Signal importers (PoA 1B.3): monitoring data in its real formats, normalised to `Signal` rows.

One entry point, `import_file`, takes a file as it was downloaded and applies it whole or not at all. Each format has
a parser that yields a `Row` (a normalised signal), a `Skip` (a row that is legitimately not a signal, reported in
`ImportBatch.skipped`) or a `RowError` (a data error: the whole file is refused with a per-row list). A file that
cannot be read at all (truncated JSON, not a CSV, not a workbook or a workbook whose sheet is cut off, columns
renamed or missing) is refused with one message: whatever a reader raises is a refusal, never a server error.
STOP sheets are CSV or XLSX; OONI, IODA and Radar files are JSON as their APIs return it, and anything else given as
one of them is refused as not JSON.
Imports are idempotent: `(source, external_id)` already present counts as `unchanged` and is left alone.

Row numbers are what a person sees: for a sheet, the spreadsheet row (the header is row 1, the first event row 2);
for JSON, the position of the item in its list (1-based: the measurement, annotation or series).

Mapping decisions
-----------------
Access Now #KeepItOn STOP sheets (CSV or XLSX; the first non-blank row is the header; header names are compared
without case and surrounding or repeated spaces). Three layouts, told apart by their columns. A workbook is read
sheet by sheet, as the raw #KeepItOn workbook keeps one sheet per year or group of years ("2016+2017+2018 ", "2019",
"2020 Data", …) beside notes: every sheet whose header has half or more of a layout's columns is read in it (and
refused, naming the sheet, for the columns it lacks); any other sheet (notes, a summary table, an empty sheet, a
chart) is reported in `skipped` with the sheet's name and why, without a row. In a workbook of several sheets, rows
are named by sheet and row ("sheet “2019”, row 12"); a file with no STOP sheet at all is refused.

- 2016–2018 (`id`, `year`, `shutdown_type_group`, `shutdown_type`, …): `shutdown_type_group` decides the kind:
  "Service-based" → platform_block, "Throttling" → throttling, "Full network" / "Mobile Internet" / "Broadband
  Internet" → full_shutdown; when the group is blank, `shutdown_type` is read the same way.
- 2019 (`ID`, `shutdown_type_new`, `affected_network`, `full or service-based`, …) and 2020+ (45 columns:
  `shutdown_type`, `affected_network`, `shutdown_extent`, …): a type naming "Shutdown" is full_shutdown when the
  extent names the full network, platform_block when the extent is only service-based (service-based blocking);
  a type of only "Throttle" is throttling (bandwidth throttling); a type of "unknown" is read from the extent alone.
  A row whose kind cannot be read is skipped with the values it had.
- `affected_network` (or, 2016–2018, `shutdown_type`) → network; `area_name` → region; evidence is the first URL of
  `an_link`, else of `news_link` / `info_source_link`. No ASN in STOP.
- Dates: date cells, Excel serial numbers and ISO text (YYYY-MM-DD) are read; text written month first (US) or day
  first is read where the column's name says so ("start_date (mm/dd/yyyy)", "end_date (dd/mm/yyyy)"), and refused,
  naming the expected format, where it does not (3/5/2021 is March or May). A number is a serial date only if it
  lands between 2000 and a year from now, and any day before 2000 is refused: a bare year (2022) in a date column
  would otherwise read as 1905-07-14. A STOP date is a whole UTC day: `starts_at` is the start day's 00:00 UTC and
  `ends_at` 00:00 UTC of the day after the end day, and `whole_days` tells pages to show those days (so do OONI
  daily aggregates). An end given as words ("ongoing", "Unknown", "4/1/2018 upon CAF
  visit") leaves `ends_at` empty and keeps the words in `details["end_note"]`.
- Dataset year: the `dataset_year` argument, else the row's `year` column (the 2016–2018 sheet), else the single
  year in the sheet's name ("2020 Data"), else the single year in the file name (`stop_2019.csv`,
  `stop_2020_data.csv`). A workbook of several STOP sheets takes each sheet's year from the sheet: a `dataset_year`
  given for it is refused, and so is a sheet that says no year. A sheet lists the events that started in its year
  and some long-running ones from before, so a given (or named) year that none of the events start in, or that some
  start after, is refused naming `dataset_year`. The identity never depends on that year: external_id is
  `"<layout>:<id column>"` ("2016-2018:17", "2019:17": each layout's sheet numbers its own rows), or, for the 2020+
  layout that has no id, the hash of start, end, country, area, type, network, extent and evidence link; a second
  row with the same hash is skipped as "same event as row N" (the sheets with an id column are keyed by it: rows 202
  and 203 of the 2016–2018 sheet look alike but have their own ids, durations and causes, so both are kept; a repeated
  id refuses the sheet, as does an id two sheets of one layout in a workbook both use). An event the 2020 and 2021
  sheets both list word for word is one signal, of the first sheet imported (in one workbook, the later row is
  skipped as the same event); one whose end the later sheet filled in is a row of its own.
- The real sheets are hand-kept. Three rows of the 2020 sheet end before they start; such a STOP row is a reported
  skip, not a refusal of the sheet (the JSON sources, machine-made, are refused for it). Every country in the real
  sheets resolves, so an unknown country refuses a STOP sheet like any other file.
- Countries by name: the directory's names, then `pycountry`'s exact lookups, then `country_converter`'s regular
  expressions ("Russia", "SriLanka", "Iran (Islamic Republic of)", "DemocraticRepublicCongo", "Myanmar (Burma)").

OONI (API bodies, or the stored HTTP fixtures `{"status", "contentType", "body"}` which are unwrapped):

- A measurement (`measurement_meta`, or each item of a `/measurements` search listing): anomaly or confirmed in a
  platform test (web_connectivity, whatsapp, telegram, signal, facebook_messenger, and the circumvention tools tor,
  vanilla_tor, torsf, psiphon, riseupvpn) → platform_block at `measurement_start_time`, `ends_at` the same instant
  (one observation), ASN from `probe_asn` (812 or "AS812"), evidence `https://explorer.ooni.org/m/<uid>`, external_id
  the `measurement_uid`. Skipped: no anomaly; failed measurements; anomalies in tests that do not show a blocked
  platform (middlebox, performance tests); probe country "ZZ" (OONI's unknown).
- An aggregation: one signal per (country, network, day) when `confirmed_count` ≥ 1 (a known block page was seen) or
  the anomaly share is ≥ 30 % of at least 20 measurements; other days are skipped with their figures. The country is
  `probe_cc` of the row, else the caller's `country`; an aggregation without either (the stored sample is global)
  has its days skipped. The test name comes from the file name (`test_name-web_connectivity`) when given.

IODA API v2 `signals`: each series (entity × datasource) is a row. Reachability datasources (bgp, ping-slash24,
merit-nt, gtr, gtr-norm) give one `outage` signal per run of points below 50 % of the series' median; other
datasources (the upstream-delay latency series in the samples) are skipped. Country entities carry their ISO code;
ASN and region entities have no country in the response, so they use the caller's `country` or are skipped.
`values` must be a list of numbers and nulls: anything else (a string, an object, a quoted number) refuses the file
naming the field, never read letter by letter as "no data".

Cloudflare Radar `annotations/outages`: one signal per annotation and location (ISO-2); outageCause
GOVERNMENT_DIRECTED → full_shutdown, any other cause → outage; a single listed ASN goes to `asn`; `scope` → region;
`linkedUrl` → evidence; external_id is the annotation's `id`, or a hash of its content, with the location appended.
`locations` must be a list of codes and `asns` a list of AS numbers; a string there refuses the file naming the field
and what it should be (it was read letter by letter: "unknown country code “I”").
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import re
import statistics
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, limits, policy
from coalition.core.errors import InvalidInput
from coalition.directory.models import Country
from coalition.response import detection
from coalition.response.models import ImportBatch, Signal, SignalKind, Source

log = logging.getLogger(__name__)

MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 20
# What a damaged workbook raises while it is opened or read: XML that does not parse (the standard library's
# ParseError and lxml's XMLSyntaxError are both SyntaxErrors), a member that does not inflate or fails its CRC, a part
# that is missing or holds a value openpyxl cannot convert.
XLSX_READ_ERRORS = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError)
IMPORTABLE = (Source.STOP, Source.OONI, Source.IODA, Source.CLOUDFLARE)

OONI_PLATFORM_TESTS = frozenset(
    {
        "web_connectivity",
        "whatsapp",
        "telegram",
        "signal",
        "facebook_messenger",
        "tor",
        "vanilla_tor",
        "torsf",
        "psiphon",
        "riseupvpn",
    }
)
OONI_AGGREGATE_MIN_MEASUREMENTS = 20
OONI_AGGREGATE_ANOMALY_SHARE = 0.3
IODA_REACHABILITY_DATASOURCES = frozenset({"bgp", "ping-slash24", "merit-nt", "gtr", "gtr-norm"})
IODA_DROP_RATIO = 0.5


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


# --- countries ---------------------------------------------------------------------------------------------------


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@functools.cache
def _converter() -> Any:
    import country_converter

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # it warns for every name it does not know
    return country_converter.CountryConverter()


class Countries:
    """Resolves the countries a file names to directory codes (ISO 3166-1 alpha-2)."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.by_name: dict[str, str] = {}
        for code, alpha3, name, official_name in Country.objects.values_list("code", "alpha3", "name", "official_name"):
            self.codes.add(code)
            self.by_name[_name_key(alpha3)] = code
            for label in (name, official_name):
                if label:
                    self.by_name.setdefault(_name_key(label), code)

    def by_code(self, code: str) -> str | None:
        code = code.strip().upper()
        return code if code in self.codes else None

    @functools.cache  # noqa: B019 - one instance per import; the names of one file repeat
    def named(self, name: str) -> str | None:
        key = _name_key(name)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key]
        import pycountry

        try:
            code = str(pycountry.countries.lookup(" ".join(name.split())).alpha_2)
        except LookupError:
            converted = _converter().convert(" ".join(name.split()), to="ISO2", not_found=None)
            code = converted if isinstance(converted, str) else ""
        return code if code in self.codes else None


# --- values ------------------------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
DATE_SHAPED = re.compile(rf"^\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}{TIME_SUFFIX}$")
ISO_DAY = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){TIME_SUFFIX}$")
URL_IN_TEXT = re.compile(r"https?://[^\s;,<>\"']+")
_url_validator = URLValidator(schemes=["http", "https"])


def _text(value: Any) -> str:
    """A cell as text: integral numbers without ".0", dates as ISO, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if re.fullmatch(r"-?\d+\.0+", text.strip()):
        text = text.strip().split(".")[0]
    return " ".join(text.split())


def _serial_day(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise ValueError(f"{number:g} is not an Excel date")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def _day(value: Any) -> dt.date | None:
    """A sheet's date cell: None when blank; ValueError when it is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_day(float(value))
    text = str(value).strip()
    if not text:
        return None
    match = ISO_DAY.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial_day(float(text))
    raise ValueError(f"“{text[:40]}” is not a date (expected YYYY-MM-DD)")


EARLIEST_SHUTDOWN_DAY = dt.date(2000, 1, 1)  # STOP begins in 2016: an earlier day is a misread cell
LATEST_SERIAL_AHEAD = dt.timedelta(days=366)
SLASHED_DAY = re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){TIME_SUFFIX}$")
YEAR_FIRST_DAY = re.compile(rf"^(\d{{4}})[/.-](\d{{1,2}})[/.-](\d{{1,2}}){TIME_SUFFIX}$")
# A date column may say how its text dates are written: "start_date (mm/dd/yyyy)" is month first, as a sheet kept or
# exported in US settings writes them; "(dd/mm/yyyy)" is day first. The note is taken off the column's name.
DATE_FORMAT_NOTE = re.compile(r"^(?P<name>.+?)\s*\((?P<note>[dmy]{1,4}[/.-][dmy]{1,4}[/.-][dmy]{1,4})\)$")
EXPECTED_DATE = "expected YYYY-MM-DD, or month/day/year under a column headed “{column} (mm/dd/yyyy)”"


def _sheet_day(value: Any, *, column: str, note: str, now: dt.datetime) -> dt.date | None:
    """A STOP sheet's date cell: None when blank; ValueError, with the reason, when it is not a plausible day.

    A number is an Excel serial day only where it lands between 2000 and a year from now: a bare year (2022) or
    another number typed into a date column would otherwise become a day in 1905. Text is ISO (YYYY-MM-DD), a serial
    number, or, under a column whose name notes its format, month/day/year or day/month/year."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _plausible_serial(f"{value:g}", float(value), now)
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            return _plausible_serial(f"“{text}”", float(text), now)
        day = _text_day(text, column=column, note=note)
    if day < EARLIEST_SHUTDOWN_DAY:
        raise ValueError(f"{day.isoformat()} is before {EARLIEST_SHUTDOWN_DAY.isoformat()}: not a day of shutdown data")
    return day


def _plausible_serial(shown: str, number: float, now: dt.datetime) -> dt.date:
    try:
        day = _serial_day(number)
    except ValueError:
        raise ValueError(f"{shown} is a number, not an Excel date (expected a date cell or YYYY-MM-DD)") from None
    if not EARLIEST_SHUTDOWN_DAY <= day <= now.date() + LATEST_SERIAL_AHEAD:
        raise ValueError(
            f"{shown} is a number, not a plausible Excel date (as a serial day it is {day.isoformat()}; expected a day "
            f"from {EARLIEST_SHUTDOWN_DAY.isoformat()} to a year from now, as a date cell or YYYY-MM-DD)"
        )
    return day


def _text_day(text: str, *, column: str, note: str) -> dt.date:
    try:
        match = ISO_DAY.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = SLASHED_DAY.match(text)
        if match and note[:1] in ("m", "d"):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            year += 2000 if year < 100 else 0
            return dt.date(year, first, second) if note[0] == "m" else dt.date(year, second, first)
        match = YEAR_FIRST_DAY.match(text)
        if match and note[:1] == "y":
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    if note:
        raise ValueError(f"“{text[:40]}” is not a date in the column's format {note} (or YYYY-MM-DD)")
    raise ValueError(f"“{text[:40]}” is not a date ({EXPECTED_DATE.format(column=column)})")


def _is_meant_as_date(value: Any) -> bool:
    """An end cell that holds a number or something shaped like a date is a date, wrong or right; words are a note."""
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return True
    return bool(DATE_SHAPED.match(_text(value)) or re.fullmatch(r"\d{5}(\.\d+)?", _text(value)))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _instant(value: Any) -> dt.datetime:
    """An API timestamp ("2022-10-25T00:00:00Z", "2020-03-03 08:15:05"), as aware UTC; ValueError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("no timestamp")
    text = value.strip().replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _first_url(*texts: str) -> str:
    for text in texts:
        for url in URL_IN_TEXT.findall(text or ""):
            url = url.rstrip(".)")[:1000]
            try:
                _url_validator(url)
            except ValidationError:
                continue
            return url
    return ""


def _asn(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip().upper().removeprefix("AS")
    return int(text) if text.isdigit() else None


def _json_list(item: dict[str, Any], key: str, what: str, fits: Callable[[Any], bool]) -> list[Any]:
    """A field of a JSON object that holds a list (absent or null: an empty one). ValueError naming the field, the
    list it should be and what it holds instead: a string is never read letter by letter, nor an object key by key."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"“{key}” must be a list of {what}, not {_json_kind(value)}")
    for position, element in enumerate(value, start=1):
        if not fits(element):
            raise ValueError(f"“{key}” must be a list of {what}; its item {position} is {_json_kind(element)}")
    return value


def _json_kind(value: Any) -> str:
    """A JSON value in words, for a message about a field that holds the wrong kind."""
    if isinstance(value, str):
        return f"text “{value[:40]}”"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"the number {value:g}"
    return "an object" if isinstance(value, dict) else "a list"


def _is_number_or_null(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([_text(p) for p in parts], ensure_ascii=False).encode()).hexdigest()[:16]


def _check_times(number: int, starts_at: dt.datetime, ends_at: dt.datetime | None, now: dt.datetime) -> list[Parsed]:
    errors: list[Parsed] = []
    if starts_at > now:
        errors.append(RowError(number, f"start date {starts_at:%Y-%m-%d %H:%M} UTC is in the future"))
    if ends_at is not None and ends_at < starts_at:
        errors.append(RowError(number, f"end {ends_at:%Y-%m-%d %H:%M} is before start {starts_at:%Y-%m-%d %H:%M}"))
    return errors


# --- STOP sheets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    name: str
    key: str  # prefixes the sheet's own ids in external_id: ids restart in each layout's sheet
    required: tuple[str, ...]
    id_column: str | None
    type_column: str
    extent_column: str | None
    network_column: str
    evidence_columns: tuple[str, ...]
    extra_columns: tuple[str, ...] = ()


STOP_LAYOUTS = (
    Layout(
        name="2016–2018",
        key="2016-2018",
        required=("id", "start_date", "end_date", "country", "area_name", "shutdown_type_group", "shutdown_type"),
        id_column="id",
        type_column="shutdown_type_group",
        extent_column=None,
        network_column="shutdown_type",
        evidence_columns=("an_link", "news_link"),
        extra_columns=("geo_scope", "services_affected", "service_details"),
    ),
    Layout(
        name="2019",
        key="2019",
        required=(
            "id",
            "start_date",
            "end_date",
            "country",
            "area_name",
            "shutdown_type_new",
            "affected_network",
            "full or service-based",
        ),
        id_column="id",
        type_column="shutdown_type_new",
        extent_column="full or service-based",
        network_column="affected_network",
        evidence_columns=("an_link", "news_link"),
        extra_columns=("geo_scope", "telcos_involved"),
    ),
    Layout(
        name="2020+",
        key="2020+",
        required=(
            "start_date",
            "end_date",
            "country",
            "area_name",
            "shutdown_type",
            "affected_network",
            "shutdown_extent",
        ),
        id_column=None,
        type_column="shutdown_type",
        extent_column="shutdown_extent",
        network_column="affected_network",
        evidence_columns=("an_link", "info_source_link"),
        extra_columns=("geo_scope", "start_date_type", "shutdown_status", "telcos_involved"),
    ),
)


def _closest_layout(header: Sequence[str]) -> tuple[Layout, list[str]]:
    """The layout whose columns the header has most of, and the columns of it the header lacks."""
    present = set(header)

    def fit(layout: Layout) -> tuple[float, bool]:
        found = sum(1 for column in layout.required if column in present)
        return found / len(layout.required), layout.name == "2020+" and "shutdown_extent" in present

    best = max(STOP_LAYOUTS, key=fit)
    return best, [column for column in best.required if column not in present]


def _missing_columns(layout: Layout, missing: Sequence[str], sheet: str) -> InvalidInput:
    expected = "; ".join(f"{layout.name}: {', '.join(layout.required)}" for layout in STOP_LAYOUTS)
    return InvalidInput(
        _in_sheet(
            sheet,
            f"The sheet looks like the STOP {layout.name} layout but has no column "
            f"{', '.join(repr(c) for c in missing)} (renamed or missing). Expected columns — {expected}.",
        ),
        field="file",
    )


def _stop_kind(layout: Layout, kind_text: str, extent_text: str, fallback_text: str) -> str | None:
    if layout.extent_column is None:  # 2016–2018: the group names it
        for text in (kind_text, fallback_text):
            value = text.casefold()
            if "service" in value:
                return SignalKind.PLATFORM_BLOCK
            if "throttl" in value:
                return SignalKind.THROTTLING
            if any(word in value for word in ("full network", "mobile", "broadband", "internet")):
                return SignalKind.FULL_SHUTDOWN
        return None
    value, extent = kind_text.casefold(), extent_text.casefold()
    full, service = "full" in extent, "service" in extent
    if "shutdown" in value:
        return SignalKind.PLATFORM_BLOCK if service and not full else SignalKind.FULL_SHUTDOWN
    if "throttl" in value:
        return SignalKind.THROTTLING
    if full:
        return SignalKind.FULL_SHUTDOWN
    if service:
        return SignalKind.PLATFORM_BLOCK
    return None


def _year_from_name(file_name: str) -> int | None:
    years = set(re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", file_name))
    return int(years.pop()) if len(years) == 1 else None


Table = tuple[str, Iterator[tuple[int, list[Any]]] | None]  # a sheet's name ("" for a CSV) and its rows; None: a chart


@contextlib.contextmanager
def _open_tables(file_name: str, data: bytes) -> Iterator[list[Table]]:
    """The tables of a file, each with its rows numbered as a spreadsheet shows them: a CSV is one table without a
    name; a workbook gives every sheet, in the workbook's order, under its name as the workbook spells it."""
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        work = limits.Work(f"The workbook “{file_name}”" if file_name else "The workbook")
        with _workbook(data, work) as workbook:
            tables: list[Table] = []
            for name in workbook.sheetnames:
                sheet = workbook[name]
                tables.append((name, _worksheet_rows(sheet, name, work) if hasattr(sheet, "iter_rows") else None))
            yield tables
        return
    yield [("", _csv_rows(data, limits.Work(f"The file “{file_name}”" if file_name else "The file")))]


def _csv_rows(data: bytes, work: limits.Work) -> Iterator[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096]:
        raise InvalidInput("The file is binary, not a CSV sheet or an Excel workbook.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            work.count_cells(len(cells))
            yield number, list(cells)
    except csv.Error as error:
        raise InvalidInput(f"Row {number + 1} of the CSV cannot be read: {error}.", field="file") from None


@contextlib.contextmanager
def _workbook(data: bytes, work: limits.Work) -> Iterator[Any]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            work.count_xml_elements(archive)  # a small file that inflates to gigabytes, or to millions of cells
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        raise InvalidInput("The file is not an Excel workbook that can be read.", field="file") from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (*XLSX_READ_ERRORS, InvalidFileException) as error:
        raise InvalidInput(f"The file is not an Excel workbook that can be read ({error}).", field="file") from None
    try:
        if not workbook.sheetnames:
            raise InvalidInput("The workbook has no sheet.", field="file")
        yield workbook
    finally:
        workbook.close()


def _worksheet_rows(sheet: Any, name: str, work: limits.Work) -> Iterator[tuple[int, list[Any]]]:
    if (sheet.max_row or 0) > MAX_ROWS + 1:
        raise InvalidInput(
            f"Sheet “{name}” has {sheet.max_row:,} rows; one import takes up to {MAX_ROWS:,}.", field="file"
        )
    # A read-only sheet is parsed as it is iterated: a zip that is whole around a sheet cut short (an interrupted
    # save or copy) opens fine and fails only here, part-way through the rows.
    number = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            work.count_cells(len(cells))  # the padding a declared dimension asks for costs as much as real cells
            yield number, list(cells)
    except XLSX_READ_ERRORS as error:
        raise InvalidInput(
            f"The workbook's sheet cannot be read: its XML is cut off or damaged after row {number} of sheet "
            f"“{name}” ({error}). Save the workbook again, or download it again.",
            field="file",
        ) from None


@dataclass(frozen=True)
class StopTable:
    """A table with a STOP header, its rows not yet read."""

    sheet: str  # its name in messages and reports: "" when the file is one table
    layout: Layout
    index: dict[str, int]  # column name → position
    date_notes: dict[str, str]  # date column → the format its name notes ("mm/dd/yyyy")
    rows: Iterator[tuple[int, list[Any]]]
    year: int | None  # the single year its own name says ("2020 Data"), if any


def parse_stop(
    file_name: str, data: bytes, *, countries: Countries, dataset_year: int | None = None, now: dt.datetime
) -> Iterator[Parsed]:
    """Access Now STOP sheets (CSV or XLSX, any of the three layouts). A workbook is read whole: every sheet whose
    header is a STOP header, each in its own layout; any other sheet (notes, a summary, an empty sheet, a chart) is
    reported as skipped with the reason. The raw #KeepItOn workbook keeps one sheet per year or group of years."""
    with _open_tables(file_name, data) as tables:
        labelled = len(tables) > 1
        found: list[StopTable | Skip] = [
            _stop_table(title, rows, sheet=title if labelled else "", alone=not labelled) for title, rows in tables
        ]
        stop_tables = [table for table in found if isinstance(table, StopTable)]
        if not stop_tables:
            reasons = "; ".join(f"“{skip.sheet}”: {skip.reason}" for skip in found if isinstance(skip, Skip))
            raise InvalidInput(
                f"No sheet of the workbook has a STOP header ({reasons}). A STOP sheet's first row names its "
                "columns: start_date, end_date, country, area_name, …",
                field="file",
            )
        if dataset_year is not None and len(stop_tables) > 1:
            names = ", ".join(f"“{table.sheet}”" for table in stop_tables)
            raise InvalidInput(
                f"The workbook holds {len(stop_tables)} STOP sheets ({names}); each takes its dataset year from its "
                "name or its “year” column. Leave the dataset year empty.",
                field="dataset_year",
            )
        file_year = _year_from_name(file_name) if len(stop_tables) == 1 else None
        for table in stop_tables:
            if dataset_year is None and "year" not in table.index and (table.year or file_year) is None:
                if len(stop_tables) == 1:
                    raise InvalidInput(
                        _in_sheet(table.sheet, "Give the dataset year of this STOP sheet: neither its name nor a "
                                  "“year” column says it."),
                        field="dataset_year",
                    )  # fmt: skip
                raise InvalidInput(
                    _in_sheet(table.sheet, "Neither the sheet's name nor a “year” column says its dataset year: "
                              "name the sheet by its year (“2021 Data”), as the STOP workbook does."),
                    field="file",
                )  # fmt: skip
        first_read: dict[str, str] = {}  # external id of a sheet keyed by its own ids → where it was read
        count = 0
        for item in found:
            if isinstance(item, Skip):
                yield item
                continue
            count = yield from _stop_rows(
                item,
                countries=countries,
                dataset_year=dataset_year,
                file_year=file_year,
                can_give_year=len(stop_tables) == 1,
                now=now,
                first_read=first_read,
                count=count,
            )


def _stop_table(
    title: str, rows: Iterator[tuple[int, list[Any]]] | None, *, sheet: str, alone: bool
) -> StopTable | Skip:
    """A table with a STOP header, read up to its header; otherwise, in a workbook of several sheets, a skip that says
    why. A file of one table is a STOP sheet or refused."""
    if rows is None:
        return Skip(0, "a chart, not a table of events", sheet)
    cells: list[str] | None = None
    for _number, row in rows:
        if any(_text(cell) for cell in row):
            cells = [_text(cell) for cell in row]
            break
    if cells is None:
        if alone:
            raise InvalidInput("The sheet is empty: no header row and no events.", field="file")
        return Skip(0, "empty: no header row and no events", sheet)
    header = [_name_key(cell) for cell in cells]
    date_notes: dict[str, str] = {}
    for position, name in enumerate(header):
        noted = DATE_FORMAT_NOTE.match(name)
        if noted:
            header[position] = noted["name"]
            date_notes[noted["name"]] = noted["note"]
    layout, missing = _closest_layout(header)
    if not alone and len(missing) > len(layout.required) / 2:
        shown = " | ".join(cell for cell in cells if cell)
        shown = shown if len(shown) <= 80 else f"{shown[:79]}…"
        return Skip(0, f"no STOP header (its first row reads “{shown}”)", sheet)
    if missing:
        raise _missing_columns(layout, missing, sheet)
    index = {name: position for position, name in reversed(list(enumerate(header))) if name}
    return StopTable(sheet, layout, index, date_notes, rows, _year_from_name(title) if title else None)


def _stop_rows(
    table: StopTable,
    *,
    countries: Countries,
    dataset_year: int | None,
    file_year: int | None,
    can_give_year: bool,
    now: dt.datetime,
    first_read: dict[str, str],
    count: int,
) -> Generator[Parsed, None, int]:
    """The rows of one STOP table below its header; returns how many rows of the file have been read so far."""
    layout, index, sheet = table.layout, table.index, table.sheet
    fallback_year = table.year or file_year
    seen_ids: dict[str, int] = {}
    seen_events: dict[str, int] = {}
    start_years: set[int] = set()
    refused = False
    blank_rows: list[int] = []
    for number, cells in table.rows:
        count += 1
        if count > MAX_ROWS:
            raise InvalidInput(f"The file has more than {MAX_ROWS:,} rows; one import takes up to that.", field="file")

        def cell(column: str, cells: list[Any] = cells) -> Any:
            position = index.get(column)
            return cells[position] if position is not None and position < len(cells) else None

        if not any(_text(value) for value in cells):
            blank_rows.append(number)
            continue
        yield from (Skip(blank, "blank row", sheet) for blank in blank_rows)  # trailing blank rows are not reported
        blank_rows = []
        for item in _stop_row(
            layout, number, cell, countries, dataset_year, fallback_year, now, seen_ids, seen_events, table.date_notes
        ):
            if isinstance(item, Row) and layout.id_column is not None:
                # Each layout's sheet numbers its own rows; two sheets of one layout in a workbook must not share one.
                first = first_read.setdefault(item.external_id, _place(sheet, number))
                if first != _place(sheet, number):
                    own_id = item.external_id.removeprefix(f"{layout.key}:")
                    item = RowError(number, f"{layout.id_column} {own_id} is already used by {first}")
            if isinstance(item, Row):
                start_years.add(item.starts_at.year)
            refused = refused or isinstance(item, RowError)
            yield dataclasses.replace(item, sheet=sheet) if sheet else item
    if dataset_year is not None:
        year, said, field_name = dataset_year, "The dataset year", "dataset_year"
    elif "year" in index:  # each row says its own year
        year, said, field_name = None, "", ""
    elif table.year is not None:
        year, said, field_name = table.year, "The sheet name's year", "dataset_year" if can_give_year else "file"
    else:
        year, said, field_name = file_year, "The file name's year", "dataset_year"
    if year is not None and start_years and not refused:  # a sheet with bad rows is refused for them
        _check_sheet_year(year, start_years, said=said, field_name=field_name, sheet=sheet)
    return count


def _check_sheet_year(year: int, start_years: set[int], *, said: str, field_name: str, sheet: str) -> None:
    """A sheet of year N lists the events that started in N, and some long-running ones from before: a year none of
    its events start in, or before some of them start, is a wrong year (it used to make a copy of every event)."""
    if year in start_years and max(start_years) <= year:
        return
    span = f"{min(start_years)}–{max(start_years)}" if len(start_years) > 1 else str(max(start_years))
    raise InvalidInput(
        _in_sheet(
            sheet,
            f"{said} {year} does not match the sheet: its events start in {span}. Give the year of the sheet, "
            f"the year its latest events start in ({max(start_years)}).",
        ),
        field=field_name,
    )


def _stop_row(
    layout: Layout,
    number: int,
    cell: Callable[[str], Any],
    countries: Countries,
    dataset_year: int | None,
    name_year: int | None,
    now: dt.datetime,
    seen_ids: dict[str, int],
    seen_events: dict[str, int],
    date_notes: dict[str, str],
) -> Iterator[Parsed]:
    year = dataset_year
    if year is None and _text(cell("year")):
        try:
            year = int(float(_text(cell("year"))))
        except ValueError:
            yield RowError(number, f"year “{_text(cell('year'))[:20]}” is not a year")
            return
    year = year or name_year
    errors: list[Parsed] = []
    try:
        start = _sheet_day(cell("start_date"), column="start_date", note=date_notes.get("start_date", ""), now=now)
    except ValueError as error:
        errors.append(RowError(number, f"start_date {error}"))
        start = None
    end_raw, end_note = cell("end_date"), ""
    try:
        end = _sheet_day(end_raw, column="end_date", note=date_notes.get("end_date", ""), now=now)
    except ValueError as error:
        if _is_meant_as_date(end_raw):
            errors.append(RowError(number, f"end_date {error}"))
        end, end_note = None, _text(end_raw)[:200]
    if errors:
        yield from errors
        return
    if start is None:
        yield Skip(number, "no start date in the sheet")
        return
    country_name = _text(cell("country"))
    if not country_name:
        yield Skip(number, "no country in the sheet")
        return
    country_code = countries.named(country_name)
    if country_code is None:
        yield RowError(number, f"unknown country “{country_name[:60]}”")
        return
    starts_at = _midnight(start)
    ends_at = _midnight(end + dt.timedelta(days=1)) if end else None
    if starts_at > now:
        yield RowError(number, f"start date {start.isoformat()} is in the future")
        return
    if end is not None and end > now.date():
        yield RowError(number, f"end date {end.isoformat()} is in the future")
        return
    if end is not None and end < start:
        yield Skip(number, f"end date {end.isoformat()} is before start date {start.isoformat()} in the sheet")
        return
    kind_text = _text(cell(layout.type_column))
    extent_text = _text(cell(layout.extent_column)) if layout.extent_column else ""
    network = _text(cell(layout.network_column))
    kind = _stop_kind(layout, kind_text, extent_text, network)
    if kind is None:
        yield Skip(number, f"shutdown type “{kind_text}” / extent “{extent_text}” does not name a kind of shutdown")
        return
    evidence = _first_url(*(_text(cell(column)) for column in layout.evidence_columns))
    region = _text(cell("area_name"))
    fingerprint = _fingerprint(start, _text(end_raw), country_code, region, kind_text, network, extent_text, evidence)
    row_id = fingerprint
    if layout.id_column is None:  # the sheet has no key of its own: a row that repeats another is the same event
        if fingerprint in seen_events:
            yield Skip(number, f"same event as row {seen_events[fingerprint]}")
            return
        seen_events[fingerprint] = number
    else:  # the sheet's own id is the key: two rows with their own ids are two events, however alike
        row_id = _text(cell(layout.id_column))
        if not row_id:
            yield RowError(number, f"no {layout.id_column!r}: every row of the {layout.name} layout has one")
            return
        if row_id in seen_ids:
            yield RowError(number, f"id {row_id} is already used by row {seen_ids[row_id]}")
            return
        seen_ids[row_id] = number
    details: dict[str, Any] = {"layout": layout.name, "shutdown_type": kind_text}
    if extent_text:
        details["extent"] = extent_text
    if end_note:
        details["end_note"] = end_note
    for column in layout.extra_columns:
        if value := _text(cell(column)):
            details[column] = value[:500]
    yield Row(
        number=number,
        external_id=row_id if layout.id_column is None else f"{layout.key}:{row_id}",
        country_code=country_code,
        asn=None,
        network=network[:200],
        region=region[:300],
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        evidence_url=evidence,
        details=details,
        dataset_year=year,
        whole_days=True,
    )


# --- JSON sources ------------------------------------------------------------------------------------------------


def _json(data: bytes) -> Any:
    if b"\x00" in data[:4096]:
        raise InvalidInput("The file is binary, not a JSON document.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text, so it is not a JSON document.", field="file") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise InvalidInput("The JSON is nested too deeply to be a monitoring file.", field="file") from None
    except json.JSONDecodeError as error:
        # A cut-off download fails in its last few characters (or inside a string that never closes).
        truncated = error.pos >= len(text.rstrip()) - 16 or error.msg.startswith("Unterminated")
        raise InvalidInput(
            f"The JSON cannot be read at line {error.lineno}, column {error.colno}: {error.msg}"
            f"{' (the file seems truncated)' if truncated else ''}.",
            field="file",
        ) from None
    except ValueError as error:  # e.g. a number of thousands of digits
        raise InvalidInput(f"The JSON holds a value that cannot be read ({error}).", field="file") from None
    if isinstance(document, dict) and set(document) >= {"status", "body"} and isinstance(document["body"], str):
        if document["status"] != 200:  # a stored HTTP response (the OONI fixtures)
            raise InvalidInput(f"The stored response is an HTTP {document['status']} error, not data.", field="file")
        return _json(document["body"].encode())
    return document


def _ooni_kind(document: Any) -> str:
    if isinstance(document, dict):
        if "measurement_uid" in document:
            return "measurement"
        if isinstance(document.get("results"), list):
            return "search"
        result = document.get("result")
        if isinstance(result, list | dict) and ("dimension_count" in document or "db_stats" in document):
            return "aggregation"
    return ""


def parse_ooni(
    file_name: str, data: bytes, *, countries: Countries, country: str | None = None, now: dt.datetime
) -> Iterator[Parsed]:
    """OONI measurement (measurement_meta), /measurements search listing, or aggregation."""
    document = _json(data)
    kind = _ooni_kind(document)
    if kind == "measurement":
        yield from _ooni_measurement(1, document, countries, now)
    elif kind == "search":
        results = document["results"]
        if len(results) > MAX_ROWS:
            raise InvalidInput(f"The listing has {len(results):,} measurements; one import takes up to {MAX_ROWS:,}.")
        for number, item in enumerate(results, start=1):
            if not isinstance(item, dict):
                yield RowError(number, "not a measurement object")
                continue
            yield from _ooni_measurement(number, item, countries, now)
    elif kind == "aggregation":
        result = document["result"]
        items = result if isinstance(result, list) else [result]
        match = re.search(r"test_name-([a-z_]+?)(?:_since|_until|_axis|_probe|\.json|$)", file_name)
        test_name = match[1] if match else ""
        if len(items) > MAX_ROWS:
            raise InvalidInput(f"The aggregation has {len(items):,} rows; one import takes up to {MAX_ROWS:,}.")
        for number, item in enumerate(items, start=1):
            yield from _ooni_aggregate(number, item, test_name, countries, country, now)
    else:
        raise InvalidInput(
            "This JSON is not an OONI measurement, measurement listing or aggregation "
            "(expected “measurement_uid”, “results” or an aggregation “result”).",
            field="file",
        )


def _ooni_measurement(number: int, item: dict[str, Any], countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    uid = _text(item.get("measurement_uid"))
    if not uid:
        yield RowError(number, "no measurement_uid")
        return
    test_name = _text(item.get("test_name"))
    try:
        starts_at = _instant(item.get("measurement_start_time"))
    except ValueError:
        yield RowError(
            number, f"measurement_start_time “{_text(item.get('measurement_start_time'))[:40]}” is not a time"
        )
        return
    cc = _text(item.get("probe_cc")).upper()
    if item.get("failure") is True:
        yield Skip(number, f"{test_name} measurement {uid} failed")
        return
    if not (item.get("anomaly") or item.get("confirmed")):
        yield Skip(number, f"no anomaly ({test_name}, {cc or 'no country'})")
        return
    if test_name not in OONI_PLATFORM_TESTS:
        yield Skip(number, f"an anomaly in the {test_name} test does not show a blocked platform")
        return
    if cc in ("", "ZZ"):
        yield Skip(number, "the probe's country is unknown (ZZ)")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    errors = _check_times(number, starts_at, None, now)
    if errors:
        yield from errors
        return
    details = {"test_name": test_name, "anomaly": bool(item.get("anomaly")), "confirmed": bool(item.get("confirmed"))}
    for key in ("input", "category_code", "report_id"):
        if value := _text(item.get(key)):
            details[key] = value[:500]
    yield Row(
        number=number,
        external_id=uid[:200],
        country_code=country_code,
        asn=_asn(item.get("probe_asn")),
        network="",
        region="",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=starts_at,
        ends_at=starts_at,
        evidence_url=f"https://explorer.ooni.org/m/{uid}"[:1000],
        details=details,
    )


def _ooni_aggregate(
    number: int, item: Any, test_name: str, countries: Countries, country: str | None, now: dt.datetime
) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not an aggregation row")
        return
    try:
        day = _day(item.get("measurement_start_day"))
    except ValueError as error:
        yield RowError(number, f"measurement_start_day {error}")
        return
    if day is None:
        yield Skip(number, "not broken down by day (no measurement_start_day)")
        return
    cc = _text(item.get("probe_cc")).upper() or (country or "").upper()
    if not cc:
        yield Skip(number, f"{day}: no country (aggregate by probe_cc, or give the country when importing)")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    try:
        anomalies, confirmed, measurements = (
            int(item.get(key) or 0) for key in ("anomaly_count", "confirmed_count", "measurement_count")
        )
    except (TypeError, ValueError, OverflowError):
        yield RowError(number, "anomaly_count, confirmed_count and measurement_count must be numbers")
        return
    share = anomalies / measurements if measurements else 0.0
    figures = f"{confirmed} confirmed, {anomalies} anomalies in {measurements} measurements"
    if confirmed < 1 and not (
        measurements >= OONI_AGGREGATE_MIN_MEASUREMENTS and share >= OONI_AGGREGATE_ANOMALY_SHARE
    ):
        yield Skip(number, f"{day}: below the threshold ({figures})")
        return
    starts_at = _midnight(day)
    errors = _check_times(number, starts_at, None, now)
    if errors:
        yield from errors
        return
    asn = _asn(item.get("probe_asn"))
    query = f"probe_cc={cc}&since={day}&until={day + dt.timedelta(days=1)}&axis_x=measurement_start_day"
    yield Row(
        number=number,
        external_id=f"aggregate:{test_name or 'all'}:{cc}:{asn or '-'}:{day}",
        country_code=country_code,
        asn=asn,
        network="",
        region="",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=starts_at,
        ends_at=_midnight(day + dt.timedelta(days=1)),
        evidence_url=f"https://explorer.ooni.org/chart/mat?{query}" + (f"&test_name={test_name}" if test_name else ""),
        details={
            "test_name": test_name,
            "anomaly_count": anomalies,
            "confirmed_count": confirmed,
            "measurement_count": measurements,
        },
        whole_days=True,
    )


def parse_ioda(
    file_name: str, data: bytes, *, countries: Countries, country: str | None = None, now: dt.datetime
) -> Iterator[Parsed]:
    """IODA API v2 `signals`: reachability series → one outage per run of points below half the median."""
    document = _json(data)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise InvalidInput("This JSON is not an IODA v2 signals response (expected a “data” list).", field="file")
    if document.get("error"):
        raise InvalidInput(f"The IODA response is an error: {_text(document['error'])[:200]}.", field="file")
    series: list[Any] = []
    for group in document["data"]:
        series.extend(group if isinstance(group, list) else [group])
    if len(series) > MAX_ROWS:
        raise InvalidInput(f"The response has {len(series):,} series; one import takes up to {MAX_ROWS:,}.")
    for number, item in enumerate(series, start=1):
        yield from _ioda_series(number, item, countries, country, now)


def _ioda_series(
    number: int, item: Any, countries: Countries, country: str | None, now: dt.datetime
) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not a signal series")
        return
    entity_type, code = _text(item.get("entityType")), _text(item.get("entityCode"))
    datasource, name = _text(item.get("datasource")), _text(item.get("entityName"))
    label = f"{name or code} ({datasource})"
    if datasource not in IODA_REACHABILITY_DATASOURCES:
        yield Skip(number, f"{label}: datasource “{datasource}” measures latency or paths, not reachability")
        return
    cc = code.upper() if entity_type == "country" else (country or "").upper()
    if not cc:
        yield Skip(number, f"{label}: a {entity_type} entity has no country in the response; give it when importing")
        return
    country_code = countries.by_code(cc)
    if country_code is None:
        yield RowError(number, f"unknown country code “{cc[:10]}”")
        return
    try:
        start, step = int(item["from"]), int(item["step"])
    except (KeyError, TypeError, ValueError, OverflowError):
        yield RowError(number, f"{label}: “from” and “step” must be numbers")
        return
    try:
        values = _json_list(item, "values", "numbers (null where there is no data)", _is_number_or_null)
    except ValueError as error:
        yield RowError(number, f"{label}: {error}")
        return
    if not (0 <= start <= now.timestamp() and 0 < step <= 86_400 and len(values) <= MAX_ROWS):
        yield RowError(number, f"{label}: “from”, “step” or the number of values is out of range")
        return
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    median = statistics.median(numbers) if numbers else 0.0
    if median <= 0:
        yield Skip(number, f"{label}: no data")
        return
    runs = _ioda_runs(values, step=step, datasource=datasource, median=median, start=start)
    if not runs:
        yield Skip(number, f"{label}: no drop below {IODA_DROP_RATIO:.0%} of the median")
        return
    fqid = _text(item.get("entityFqid")) or f"{entity_type}.{code}"
    for first, after, long_run_only in runs:
        starts_at = dt.datetime.fromtimestamp(start + first * step, tz=dt.UTC)
        ends_at = dt.datetime.fromtimestamp(start + after * step, tz=dt.UTC)
        errors = _check_times(number, starts_at, ends_at, now)
        if errors:
            yield from errors
            return
        low_values = [v for v in values[first:after] if isinstance(v, int | float)]
        yield Row(
            number=number,
            external_id=f"{fqid}:{datasource}:{int(starts_at.timestamp())}"[:200],
            country_code=country_code,
            asn=int(code) if entity_type == "asn" and code.isdigit() else None,
            network=name[:200] if entity_type == "asn" else "",
            region=name[:300] if entity_type == "region" else "",
            kind=SignalKind.OUTAGE,
            starts_at=starts_at,
            ends_at=ends_at,
            evidence_url=f"https://ioda.inetintel.cc.gatech.edu/{entity_type}/{code}"
            f"?from={int(starts_at.timestamp())}&until={int(ends_at.timestamp())}",
            details={"datasource": datasource, "median": median, "lowest": min(low_values), "entity": name}
            | ({"below_long_run": True} if long_run_only else {}),
        )


IODA_DETECTION_KINDS = {"bgp": "bgp", "ping-slash24": "active_probing", "merit-nt": "telescope"}


def _ioda_runs(
    values: list[Any], *, step: int, datasource: str, median: float, start: int
) -> list[tuple[int, int, bool]]:
    """Where a series is out, and whether it is only below its long-run level. With two days or more of a datasource
    the detector knows: the seasonal detector (each bin against the same time of day before, IODA's threshold for
    that kind), and, flagged, the runs below the series' long-run level that it cannot see (a curfew present from
    the first day, an outage under way when the series starts: `detection.below_long_run`). Otherwise runs below
    half the median."""
    kind = IODA_DETECTION_KINDS.get(datasource)
    if kind is not None and step > 0 and 86_400 % step == 0 and len(values) * step >= 2 * 86_400:
        series = np.array(
            [[float(v) if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in values]]
        )
        found = [(o.start_bin, o.end_bin, False) for o in detection.detect(series, kind, bin_seconds=step, start=start)]
        unseen = [
            (o.start_bin, o.end_bin, True)
            for o in detection.below_long_run(series, kind, bin_seconds=step, start=start)
            if not any(o.start_bin < after and first < o.end_bin for first, after, _ in found)
        ]
        return sorted(found + unseen)
    runs: list[tuple[int, int, bool]] = []
    run_start: int | None = None
    for position, value in enumerate([*values, None]):
        low = isinstance(value, int | float) and value < IODA_DROP_RATIO * median
        if low and run_start is None:
            run_start = position
        elif not low and run_start is not None:
            runs.append((run_start, position, False))
            run_start = None
    return runs


def parse_cloudflare(file_name: str, data: bytes, *, countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    """Cloudflare Radar outage annotations: one signal per annotation and location."""
    document = _json(data)
    if isinstance(document, dict) and document.get("success") is False:
        raise InvalidInput(f"The Radar response is an error: {_text(document.get('errors'))[:200]}.", field="file")
    result = document.get("result", document) if isinstance(document, dict) else None
    annotations = result.get("annotations") if isinstance(result, dict) else None
    if not isinstance(annotations, list):
        raise InvalidInput("This JSON is not a Radar outage response (expected “result.annotations”).", field="file")
    if len(annotations) > MAX_ROWS:
        raise InvalidInput(f"The file has {len(annotations):,} annotations; one import takes up to {MAX_ROWS:,}.")
    for number, item in enumerate(annotations, start=1):
        yield from _cloudflare_annotation(number, item, countries, now)


def _cloudflare_annotation(number: int, item: Any, countries: Countries, now: dt.datetime) -> Iterator[Parsed]:
    if not isinstance(item, dict):
        yield RowError(number, "not an annotation object")
        return
    try:
        codes = _json_list(item, "locations", "ISO 3166-1 country codes", _is_text)
        listed_asns = _json_list(item, "asns", "AS numbers", lambda value: _asn(value) is not None)
    except ValueError as error:
        yield RowError(number, str(error))
        return
    locations = [code.strip().upper() for code in codes]
    asns = [asn for asn in map(_asn, listed_asns) if asn is not None]
    if not locations:
        yield Skip(number, "no location: not tied to a country")
        return
    try:
        starts_at = _instant(item.get("startDate"))
    except ValueError:
        yield RowError(number, f"startDate “{_text(item.get('startDate'))[:40]}” is not a time")
        return
    try:
        ends_at = _instant(item["endDate"]) if item.get("endDate") else None
    except ValueError:
        yield RowError(number, f"endDate “{_text(item.get('endDate'))[:40]}” is not a time")
        return
    errors = _check_times(number, starts_at, ends_at, now)
    unknown = [code for code in locations if countries.by_code(code) is None]
    errors += [RowError(number, f"unknown country code “{code[:10]}”") for code in unknown]
    if errors:
        yield from errors
        return
    outage: dict[str, Any] = item["outage"] if isinstance(item.get("outage"), dict) else {}
    cause, outage_type = _text(outage.get("outageCause")), _text(outage.get("outageType"))
    base = _text(item.get("id")) or _fingerprint(
        item.get("startDate"), sorted(locations), sorted(asns), item.get("eventType"), cause, outage_type,
        item.get("linkedUrl"),
    )  # fmt: skip
    details: dict[str, Any] = {
        "outageCause": cause,
        "outageType": outage_type,
        "eventType": _text(item.get("eventType")),
    }
    for key in ("dataSource", "description", "scope"):
        if value := _text(item.get(key)):
            details[key] = value[:500]
    if asns:
        details["asns"] = asns
    for code in locations:
        yield Row(
            number=number,
            external_id=f"{base}:{code}"[:200],
            country_code=code,
            asn=asns[0] if len(asns) == 1 else None,
            network="",
            region=_text(item.get("scope"))[:300],
            kind=SignalKind.FULL_SHUTDOWN if cause == "GOVERNMENT_DIRECTED" else SignalKind.OUTAGE,
            starts_at=starts_at,
            ends_at=ends_at,
            evidence_url=_first_url(_text(item.get("linkedUrl"))),
            details=details,
        )


# --- the entry point ---------------------------------------------------------------------------------------------


def detect_source(file_name: str, data: bytes) -> str:
    """Which source a file comes from, read from its content (for "detect automatically")."""
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    if data[:4] == b"PK\x03\x04":
        return Source.STOP  # a workbook: the only sheet format we read
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        document = _json(data)
        if _ooni_kind(document):
            return Source.OONI
        if isinstance(document, dict):
            if document.get("type") == "signals" or (
                isinstance(document.get("data"), list) and "requestParameters" in document
            ):
                return Source.IODA
            result = document.get("result", document)
            if isinstance(result, dict) and "annotations" in result:
                return Source.CLOUDFLARE
        raise InvalidInput(
            "This JSON is not a format the importer knows: an OONI measurement, listing or aggregation, "
            "an IODA v2 signals response or a Cloudflare Radar outage response.",
            field="file",
        )
    if b"\x00" in data[:4096]:
        raise InvalidInput("The file is binary: not a CSV sheet, a workbook or JSON.", field="file")
    first_line = data[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0].casefold()
    if "start_date" in first_line or "country" in first_line:
        return Source.STOP
    raise InvalidInput(
        "Cannot tell the format: expected a STOP sheet (CSV or XLSX with start_date and country columns) or JSON "
        "from OONI, IODA or Cloudflare Radar. Choose the source.",
        field="source",
    )


def parse_file(
    *,
    source: str,
    file_name: str,
    data: bytes,
    countries: Countries,
    dataset_year: int | None = None,
    country: str | None = None,
    now: dt.datetime | None = None,
) -> list[Parsed]:
    """Every row of the file, parsed; raises InvalidInput when the file cannot be read at all."""
    now = now or timezone.now()
    json_start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if source in (Source.OONI, Source.IODA, Source.CLOUDFLARE) and not json_start:
        raise InvalidInput(
            f"{Source(source).label} files are JSON, as its API returns them, and this file is not JSON. "
            "Sheets (CSV or XLSX) are read only from STOP.",
            field="file",
        )
    if source == Source.STOP:
        parsed: Iterable[Parsed] = parse_stop(file_name, data, countries=countries, dataset_year=dataset_year, now=now)
    elif source == Source.OONI:
        parsed = parse_ooni(file_name, data, countries=countries, country=country, now=now)
    elif source == Source.IODA:
        parsed = parse_ioda(file_name, data, countries=countries, country=country, now=now)
    elif source == Source.CLOUDFLARE:
        parsed = parse_cloudflare(file_name, data, countries=countries, now=now)
    else:
        raise InvalidInput("Choose the source of the file: STOP, OONI, IODA or Cloudflare Radar.", field="source")
    try:
        return list(parsed)
    except InvalidInput:
        raise
    except Exception as error:
        # The parsers turn what they expect of a bad file into a reason; whatever else a reader raises on some file
        # nobody foresaw is still that file's refusal, never a server error or a stopped ingestion run. Logged with
        # its traceback, as it may also be a fault of ours.
        log.exception("Signal file %s (%s) could not be read", file_name, source)
        raise InvalidInput(
            f"The file cannot be read as a {Source(source).label} file ({type(error).__name__}: {error}).",
            field="file",
        ) from None


def _refusal(errors: Sequence[RowError]) -> InvalidInput:
    lines = [f"{_place(error.sheet, error.number)}: {error.message}" for error in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"… and {len(errors) - MAX_ERRORS_SHOWN} more.")
    rows = len({(error.sheet, error.number) for error in errors})
    return InvalidInput(
        f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} of the file "
        f"{'have errors' if rows != 1 else 'has an error'}.\n" + "\n".join(lines),
        field="file",
    )


def import_file(
    *,
    by: Any,
    source: str,
    file_name: str,
    data: bytes,
    dataset_year: int | None = None,
    country: str | None = None,
    queued: ImportBatch | None = None,
) -> ImportBatch:
    """Bring one monitoring file into the signals (PoA 1B.3), whole or not at all.

    `source` is one of STOP, OONI, IODA, Cloudflare, or "auto" to read it from the content. `country` (ISO-2) is
    used only for rows that carry no country of their own (an OONI aggregation without probe_cc, an IODA ASN).
    Importing the same file again is allowed and changes nothing: it is recorded as a batch with nothing created.
    The task worker passes the batch the import page `queued` (`tasks.queue_import`), which takes the report.
    """
    policy.require(by, "response.import")
    return _import(
        by=by, source=source, file_name=file_name, data=data, dataset_year=dataset_year, country=country, queued=queued
    )


def ingest_file(*, source: str, file_name: str, data: bytes) -> ImportBatch:
    """The scheduled ingestion's import (`coalition.response.tasks`): the same checks and all-or-nothing apply, with
    no person behind it (the batch and the ledger record name none).

    A refused file is recorded as a batch with its reason and nothing created, then the refusal is raised: the file
    is known by its SHA-256, so the next cycle passes it by instead of failing on it again (a corrected file has new
    bytes and comes in on its own)."""
    try:
        return _import(
            by=None, source=source, file_name=file_name, data=data, dataset_year=None, country=None, queued=None
        )
    except InvalidInput as error:
        _record_refusal(source=source, file_name=file_name, data=data, reason=error.message)
        raise


def _record_refusal(*, source: str, file_name: str, data: bytes, reason: str) -> ImportBatch:
    file_name = (file_name or "upload").strip()[:300]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), refusal=reason
        )
        ledger.record(
            "response.signals_refused",
            subject=batch,
            data={"source": source, "file_name": file_name, "sha256": batch.sha256, "reason": reason[:1000]},
        )
    return batch


def _import(
    *,
    by: Any,
    source: str,
    file_name: str,
    data: bytes,
    dataset_year: int | None,
    country: str | None,
    queued: ImportBatch | None,
) -> ImportBatch:
    file_name = (file_name or "upload").strip()[:300]
    limit = settings.RESPONSE_MAX_FILE_BYTES
    if len(data) > limit:
        raise InvalidInput(
            f"The file is {len(data) / 1048576:.1f} MB; signal imports take files of up to {limit / 1048576:.0f} MB.",
            field="file",
        )
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    if source == "auto":
        source = detect_source(file_name, data)
    if source not in IMPORTABLE:
        raise InvalidInput("Choose the source of the file: STOP, OONI, IODA or Cloudflare Radar.", field="source")
    if dataset_year is not None and not 2000 <= dataset_year <= timezone.now().year + 1:
        raise InvalidInput(f"{dataset_year} is not a dataset year of a STOP sheet.", field="dataset_year")
    countries = Countries()
    if country and countries.by_code(country) is None:
        raise InvalidInput(f"“{country}” is not an ISO 3166-1 country code.", field="country")
    parsed = parse_file(
        source=source, file_name=file_name, data=data, countries=countries, dataset_year=dataset_year, country=country
    )
    errors = [item for item in parsed if isinstance(item, RowError)]
    if errors:
        raise _refusal(errors)
    rows: list[Row] = []
    skipped: list[dict[str, Any]] = []
    first_rows: dict[str, Row] = {}
    for item in parsed:
        if isinstance(item, Skip):
            skipped.append(_skipped(item.sheet, item.number, item.reason))
        elif isinstance(item, Row):
            # An API listing that repeats a measurement; a STOP workbook whose next year's sheet lists an event again
            first = first_rows.setdefault(item.external_id, item)
            if first is not item:
                where = _place(first.sheet if first.sheet != item.sheet else "", first.number)
                skipped.append(_skipped(item.sheet, item.number, f"same event as {where}"))
                continue
            rows.append(item)
    if queued is not None:  # what the worker has got to, for the batch's page (committed at once: no transaction)
        ImportBatch.objects.filter(pk=queued.pk).update(state=ImportBatch.State.SAVING, source=source)
    batch = ImportBatch(
        source=source, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), by=by, skipped=skipped
    )
    if queued is not None:  # the row the import page stored takes the report
        batch.pk, batch.at = queued.pk, queued.at
    return _apply(batch, rows=rows)


def _skipped(sheet: str, number: int, reason: str) -> dict[str, Any]:
    """An entry of `ImportBatch.skipped`: the row, the sheet (of a workbook of several) or both, and the reason."""
    return {**({"sheet": sheet} if sheet else {}), **({"row": number} if number else {}), "reason": reason}


def _apply(batch: ImportBatch, *, rows: list[Row]) -> ImportBatch:
    source = batch.source
    country_ids = dict(Country.objects.filter(code__in={row.country_code for row in rows}).values_list("code", "pk"))
    with transaction.atomic():
        batch.save()
        ids = [row.external_id for row in rows]
        existing: set[str] = set()
        for offset in range(0, len(ids), 500):
            existing.update(
                Signal.objects.filter(source=source, external_id__in=ids[offset : offset + 500]).values_list(
                    "external_id", flat=True
                )
            )
        new = [
            Signal(
                source=source,
                external_id=row.external_id,
                country_id=country_ids[row.country_code],
                asn=row.asn,
                network=row.network,
                region=row.region,
                kind=row.kind,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                dataset_year=row.dataset_year,
                whole_days=row.whole_days,
                evidence_url=row.evidence_url,
                details=row.details,
                batch=batch,
            )
            for row in rows
            if row.external_id not in existing
        ]
        Signal.objects.bulk_create(new, batch_size=500)
        batch.created, batch.unchanged = len(new), len(rows) - len(new)
        batch.save(update_fields=["created", "unchanged"])
        ledger.record(
            "response.signals_imported",
            actor=batch.by,
            subject=batch,
            data={
                "source": source,
                "file_name": batch.file_name,
                "sha256": batch.sha256,
                "created": batch.created,
                "unchanged": batch.unchanged,
                "skipped": len(batch.skipped),
            },
        )
    return batch
