"""Reading what monitoring files hold: countries by name or code, cells as text, days and instants, addresses, AS
numbers, and JSON documents (a stored HTTP response included)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from coalition.core.errors import InvalidInput
from coalition.directory.models import Country
from coalition.response.importers.rows import Parsed, RowError

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
