"""From a spreadsheet's rows to activities: the columns found by their headers, rows grouped by Identifier,
each cell read and checked (see `spreadsheet` for the layout and the rules)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils import get_column_letter

from coalition.donors.ingest import iati
from coalition.donors.ingest.sheet_layout import (
    ACTUAL_END,
    ACTUAL_START,
    AMOUNT,
    CLOSED_STATUSES,
    COLUMN_BY_NAME,
    COLUMNS,
    COUNTRIES,
    CURRENCY,
    DESCRIPTION,
    END_DATE,
    EXAMPLE_IDENTIFIER,
    FUNDING_STAGE,
    FUNDING_STAGES,
    IDENTIFIER,
    IMPLEMENTERS,
    PERCENT_TOLERANCE,
    PERIOD_END,
    PERIOD_START,
    PIPELINE,
    PIPELINE_STATUS,
    PLANNED,
    PLANNED_END,
    PLANNED_START,
    POLICY_MARKERS,
    REGIONS,
    SECTORS,
    START_DATE,
    STATUS,
    STATUS_WORDS,
    STATUSES,
    TITLE,
    TRANSACTION_TYPES,
    RowProblem,
    normalised,
)
from coalition.donors.ingest.sheet_table import (
    Formula,
    Row,
    Table,
)


@dataclass
class _Line:
    """What one row says: its activity columns (parsed, with the text as written) and its funding line."""

    row: int
    identifier: str
    described: dict[str, tuple[Any, str]] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # columns with an error on this row
    is_funding: bool = False
    stage: str = ""
    funding: iati.Budget | iati.PlannedDisbursement | iati.Transaction | None = None


class Sheet:
    def __init__(self, table: Table, *, reporter: iati.Organisation, language: str, report: iati.Report) -> None:
        self.table = table
        self.reporter = reporter
        self.language = language
        self.report = report
        self.positions: dict[str, int] = {}
        self.known: dict[str, iati.Codelist] | None = None

    # -- problems

    def error(
        self, message: str, *, row: int | None, column: str = "", identifier: str = "", kind: iati.Kind = "content"
    ) -> None:
        self.report.errors.append(RowProblem(message, kind, row, identifier, column))

    def warn(
        self, message: str, *, row: int | None, column: str = "", identifier: str = "", kind: iati.Kind = "content"
    ) -> None:
        self.report.warnings.append(RowProblem(message, kind, row, identifier, column))

    # -- the header

    def map_columns(self) -> bool:
        header = self.table.rows[0]
        for index, cell in enumerate(header.cells):
            text = plain_text(cell)
            if not text:
                continue
            letter = get_column_letter(index + 1)
            column = COLUMN_BY_NAME.get(normalised(text))
            if column is None:
                message = f"the column “{text}” (column {letter}) is not part of the template and is ignored"
                self.warn(message, row=header.number, kind="file")
            elif column.header in self.positions:
                first = get_column_letter(self.positions[column.header] + 1)
                message = f"the column “{column.header}” appears twice (columns {first} and {letter})"
                self.error(message, row=header.number, column=column.header, kind="file")
            else:
                self.positions[column.header] = index
        for column in COLUMNS:
            if column.required and column.header not in self.positions:
                message = f"the header row has no “{column.header}” column, which the template requires"
                self.error(message, row=header.number, column=column.header, kind="file")
        return self.report.valid

    # -- all rows

    def read_activities(self) -> None:
        lines: dict[str, list[_Line]] = {}
        seen: dict[tuple[str, ...], int] = {}
        for row in self.table.rows[1:]:
            line = _RowReader(self, row).read()
            if line is None:
                continue
            lines.setdefault(line.identifier, []).append(line)
            key = tuple(plain_text(cell) for cell in self.cells(row))
            if key in seen:
                message = (
                    f"row {row.number} repeats row {seen[key]} exactly; both are read as funding lines "
                    "(delete one if it was copied by mistake)"
                )
                self.warn(message, row=row.number, identifier=line.identifier)
            else:
                seen[key] = row.number
        for identifier, activity_lines in lines.items():
            self.report.activities.append(self.activity(identifier, activity_lines))

    def cells(self, row: Row) -> Iterator[Any]:
        for index in sorted(self.positions.values()):
            yield row.cells[index] if index < len(row.cells) else None

    # -- one activity

    def activity(self, identifier: str, lines: list[_Line]) -> iati.Activity:
        first = lines[0].row
        values: dict[str, tuple[Any, int, str]] = {}  # column → (value, row it was first given on, text)
        for line in lines:
            for header, (value, text) in line.described.items():
                if header not in values:
                    values[header] = (value, line.row, text)
                elif values[header][0] != value:
                    _, earlier_row, earlier_text = values[header]
                    message = (
                        f"{header} “{text}” differs from “{earlier_text}” on row {earlier_row} for the same activity; "
                        "repeat the same value or leave it blank"
                    )
                    self.error(message, row=line.row, column=header, identifier=identifier)

        def given(header: str, default: Any = None) -> Any:
            return values[header][0] if header in values else default

        funded = [line for line in lines if line.funding is not None]
        funding_lines = [line for line in lines if line.is_funding]
        currencies = {line.funding.currency for line in funded if line.funding is not None}
        activity = iati.Activity(
            identifier=identifier,
            line=first,
            reporting_org=self.reporter,
            default_currency=currencies.pop() if len(currencies) == 1 else "",
            language=self.language,
        )
        if identifier == EXAMPLE_IDENTIFIER:
            message = "this is the template's example activity; delete its rows unless you mean to import it"
            self.warn(message, row=first, column=IDENTIFIER, identifier=identifier)
        title = given(TITLE, "")
        if title:
            activity.title = {self.language: title}
        elif not any(TITLE in line.refused for line in lines):
            message = "Title is missing: give the activity's title on its first row"
            self.error(message, row=first, column=TITLE, identifier=identifier)
        if description := given(DESCRIPTION, ""):
            activity.descriptions = {"1": {self.language: description}}
        reporter = self.reporter
        activity.participating_orgs = [
            iati.ParticipatingOrg(role="1", ref=reporter.ref, type=reporter.type, name=reporter.name),
            *given(IMPLEMENTERS, ()),
        ]
        activity.activity_status = given(STATUS, "")
        if not activity.activity_status and not any(STATUS in line.refused for line in lines):
            if funding_lines and all(line.stage == PIPELINE for line in funding_lines):
                activity.activity_status = PIPELINE_STATUS
            else:
                message = "Status is blank: the activity is saved without a status"
                self.warn(message, row=first, column=STATUS, identifier=identifier)
        self.dates(activity, given(START_DATE), given(END_DATE), values)
        activity.recipient_countries = list(given(COUNTRIES, ()))
        activity.recipient_regions = list(given(REGIONS, ()))
        self.check_geography_percentages(activity, values)
        activity.sectors = list(given(SECTORS, ()))
        activity.policy_markers = list(given(POLICY_MARKERS, ()))
        for line in funded:
            if isinstance(line.funding, iati.Budget):
                activity.budgets.append(line.funding)
            elif isinstance(line.funding, iati.PlannedDisbursement):
                activity.planned_disbursements.append(line.funding)
            elif isinstance(line.funding, iati.Transaction):
                activity.transactions.append(line.funding)
        if not funding_lines:
            message = "the activity has no funding line (no row with a Funding stage)"
            self.warn(message, row=first, column=FUNDING_STAGE, identifier=identifier)
        return activity

    def dates(
        self,
        activity: iati.Activity,
        start: dt.date | None,
        end: dt.date | None,
        values: dict[str, tuple[Any, int, str]],
    ) -> None:
        status = activity.activity_status
        planned = status in ("", PIPELINE_STATUS)
        if start is not None:
            activity.dates[PLANNED_START if planned else ACTUAL_START] = start
        if end is not None:
            activity.dates[ACTUAL_END if status in CLOSED_STATUSES else PLANNED_END] = end
        if start is not None and end is not None and end < start:
            start_row, end_row = values[START_DATE][1], values[END_DATE][1]
            where = "" if start_row == end_row else f" (row {start_row})"
            message = f"End date {end.isoformat()} is before Start date {start.isoformat()}{where}"
            self.error(message, row=end_row, column=END_DATE, identifier=activity.identifier)

    def check_geography_percentages(self, activity: iati.Activity, values: dict[str, tuple[Any, int, str]]) -> None:
        places: list[iati.RecipientCountry | iati.RecipientRegion] = [
            *activity.recipient_countries,
            *activity.recipient_regions,
        ]
        shares = [place.percentage for place in places if place.percentage is not None]
        if not shares:
            return
        columns = [header for header in (COUNTRIES, REGIONS) if header in values]
        named = " and ".join(columns)
        row = max(values[header][1] for header in columns)
        if len(shares) < len(places):
            message = f"{named}: give a percentage for every country and region, or for none"
            self.error(message, row=row, column=columns[-1], identifier=activity.identifier)
        elif abs(sum(shares, Decimal(0)) - 100) > PERCENT_TOLERANCE:
            message = f"{named}: the percentages add up to {_number_text(sum(shares, Decimal(0)))}, not 100"
            self.error(message, row=row, column=columns[-1], identifier=activity.identifier)


class _RowReader:
    """Reads one row; every problem names the row, the column and (once known) the activity."""

    def __init__(self, sheet: Sheet, row: Row) -> None:
        self.sheet = sheet
        self.row = row
        self.identifier = ""
        self.decimal_comma = sheet.table.decimal_comma
        self.refused: set[str] = set()

    # -- problems

    def error(self, column: str, message: str, *, kind: iati.Kind = "content") -> None:
        self.refused.add(column)
        self.sheet.error(message, row=self.row.number, column=column, identifier=self.identifier, kind=kind)

    def warn(self, column: str, message: str, *, kind: iati.Kind = "content") -> None:
        self.sheet.warn(message, row=self.row.number, column=column, identifier=self.identifier, kind=kind)

    def code(self, column: str, codelist: str, code: str, what: str) -> bool:
        known = self.sheet.known
        if known is None or codelist not in known or code in known[codelist].active:
            return True
        if code in known[codelist].withdrawn:
            self.warn(
                column, f"{column}: {what} “{code}” is withdrawn from the IATI {codelist} codelist", kind="codelist"
            )
            return True
        self.error(column, f"{column}: “{code}” is not a {what} in the IATI {codelist} codelist", kind="codelist")
        return False

    # -- cells

    def value(self, column: str) -> Any:
        index = self.sheet.positions.get(column)
        if index is None or index >= len(self.row.cells):
            return None
        cell = self.row.cells[index]
        if isinstance(cell, Formula):
            if column in self.refused:
                return None
            self.error(
                column,
                f"{column} holds the formula “{cell.text}” but the file keeps no result for it: open the file in "
                "Excel or LibreOffice and save it again, or paste the values in place of the formulas",
            )
            return None
        return cell

    def text(self, column: str) -> str:
        return plain_text(self.value(column))

    def date(self, column: str) -> dt.date | None:
        cell = self.value(column)
        if isinstance(cell, dt.datetime):
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        text = plain_text(cell)
        if not text:
            return None
        matched = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00)?)?", text)
        if matched:
            try:
                return dt.date.fromisoformat(matched[1])
            except ValueError:
                pass
        self.error(column, f"{column} “{text}” is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31")
        return None

    # -- the row

    def read(self) -> _Line | None:
        self.identifier = self.text(IDENTIFIER)
        if not self.identifier:
            message = f"{IDENTIFIER} is missing: every row needs the identifier of the activity it belongs to"
            self.error(IDENTIFIER, message, kind="identifier")
            return None
        line = _Line(row=self.row.number, identifier=self.identifier, refused=self.refused)
        readers = {
            TITLE: lambda: " ".join(self.text(TITLE).split()),
            DESCRIPTION: self.description,
            STATUS: self.status,
            START_DATE: lambda: self.date(START_DATE),
            END_DATE: lambda: self.date(END_DATE),
            COUNTRIES: self.countries,
            REGIONS: self.regions,
            SECTORS: self.sectors,
            POLICY_MARKERS: self.policy_markers,
            IMPLEMENTERS: self.implementers,
        }
        for column, reader in readers.items():
            parsed = reader()
            if parsed not in (None, "", ()) and column not in self.refused:
                line.described[column] = (parsed, self.text(column))
        self.funding(line)
        return line

    def description(self) -> str:
        lines = (" ".join(line.split()) for line in self.text(DESCRIPTION).splitlines())
        return "\n".join(line for line in lines if line)

    def status(self) -> str:
        text = self.text(STATUS)
        if not text:
            return ""
        code = STATUSES.get(text.casefold(), text if text in STATUSES.values() else "")
        if code and self.code(STATUS, "ActivityStatus", code, "status code"):
            return code
        if not code:
            words = ", ".join(STATUS_WORDS)
            self.error(STATUS, f"{STATUS} “{text}” is not a status: write one of {words}, or the IATI code 1–6")
        return ""

    def countries(self) -> tuple[iati.RecipientCountry, ...]:
        found = []
        for code, share in self.entries(COUNTRIES, "country"):
            code = code.upper()
            if not re.fullmatch(r"[A-Z]{2}", code):
                self.error(COUNTRIES, f"{COUNTRIES}: “{code}” is not a two-letter ISO country code (e.g. KE)")
            elif self.code(COUNTRIES, "Country", code, "country code"):
                found.append(iati.RecipientCountry(code=code, percentage=share))
        return tuple(found)

    def regions(self) -> tuple[iati.RecipientRegion, ...]:
        found = []
        for code, share in self.entries(REGIONS, "region"):
            if not re.fullmatch(r"\d{2,4}", code):
                self.error(REGIONS, f"{REGIONS}: “{code}” is not an IATI region code (e.g. 289)")
            elif self.code(REGIONS, "Region", code, "region code"):
                found.append(iati.RecipientRegion(code=code, vocabulary="1", percentage=share))
        return tuple(found)

    def sectors(self) -> tuple[iati.Sector, ...]:
        found = []
        for code, share in self.entries(SECTORS, "sector"):
            if re.fullmatch(r"\d{5}", code):
                vocabulary, codelist = "1", "Sector"
            elif re.fullmatch(r"\d{3}", code):
                vocabulary, codelist = "2", "SectorCategory"
            else:
                self.error(SECTORS, f"{SECTORS}: “{code}” is not a DAC 5-digit purpose code (e.g. 15160)")
                continue
            if self.code(SECTORS, codelist, code, "sector code"):
                found.append(iati.Sector(vocabulary=vocabulary, code=code, percentage=share))
        vocabularies = {sector.vocabulary for sector in found}
        shares = [sector.percentage for sector in found]
        if len(vocabularies) > 1 and any(share is not None for share in shares):
            message = (
                f"{SECTORS}: with percentages, give either 5-digit purpose codes or 3-digit categories, not both "
                "(each kind would have to add up to 100 on its own)"
            )
            self.error(SECTORS, message)
        else:
            self.check_total(SECTORS, shares, "sector")
        return tuple(found)

    def policy_markers(self) -> tuple[iati.PolicyMarker, ...]:
        found: list[iati.PolicyMarker] = []
        cell = self.value(POLICY_MARKERS)
        if isinstance(cell, dt.time | dt.datetime):  # Excel reads a lone "1:2" as the time 01:02
            items = [f"{cell.hour}:{cell.minute}"]
        else:
            items = self.items(POLICY_MARKERS)
        for item in items:
            parts = [part.strip() for part in item.split(":")]
            if len(parts) == 3 and parts[2] == "00":  # …and writes it back to CSV as 1:02:00
                parts = parts[:2]
            code, significance = parts[0].lstrip("0") or parts[0], ":".join(parts[1:])
            significance = significance.lstrip("0") or significance[:1]
            if not re.fullmatch(r"\d{1,2}", code):
                self.error(POLICY_MARKERS, f"{POLICY_MARKERS}: “{item}” is not an IATI policy marker code (e.g. 1:2)")
            elif not significance:
                message = f"{POLICY_MARKERS}: marker {code} needs a significance after a colon, e.g. {code}:2"
                self.error(POLICY_MARKERS, message)
            elif any(marker.code == code for marker in found):
                self.error(POLICY_MARKERS, f"{POLICY_MARKERS}: marker {code} is given twice")
            elif self.code(POLICY_MARKERS, "PolicyMarker", code, "policy marker code") and self.code(
                POLICY_MARKERS, "PolicySignificance", significance, "significance code"
            ):
                found.append(iati.PolicyMarker(vocabulary="1", code=code, significance=significance))
        return tuple(found)

    def implementers(self) -> tuple[iati.ParticipatingOrg, ...]:
        found: list[iati.ParticipatingOrg] = []
        for item in self.items(IMPLEMENTERS, commas=False):
            ref, _, name = item.rpartition("|")
            ref, name = ref.strip(), " ".join(name.split())
            if not name:
                self.error(IMPLEMENTERS, f"{IMPLEMENTERS}: “{item}” has no organisation name after the |")
                continue
            organisation = iati.ParticipatingOrg(role="4", ref=ref, name=name)
            if organisation not in found:
                found.append(organisation)
        return tuple(found)

    # -- lists with optional percentages

    def items(self, column: str, *, commas: bool = True) -> list[str]:
        text = self.text(column)
        separators = r"[;\n]" if ";" in text or not commas else r"[;,\n]"
        return [item.strip() for item in re.split(separators, text) if item.strip()]

    def entries(self, column: str, what: str) -> list[tuple[str, Decimal | None]]:
        found: list[tuple[str, Decimal | None]] = []
        for item in self.items(column):
            code, colon, share_text = (part.strip() for part in item.partition(":"))
            share = None
            if colon:
                share = _percentage(share_text)
                if share is None:
                    message = f"{column}: the percentage “{share_text}” for {code} is not a number from 0 to 100"
                    self.error(column, message)
                    continue
            if any(earlier == code.upper() for earlier, _ in found):
                self.error(column, f"{column}: {what} {code} is given twice")
                continue
            found.append((code.upper() if what == "country" else code, share))
        if what == "sector":
            return found
        shares = [share for _, share in found]
        if any(share is not None for share in shares) and None in shares:
            self.error(column, f"{column}: give a percentage for every {what}, or for none")
        return found

    def check_total(self, column: str, shares: list[Decimal | None], what: str) -> None:
        given = [share for share in shares if share is not None]
        if not given:
            return
        if len(given) < len(shares):
            self.error(column, f"{column}: give a percentage for every {what}, or for none")
        elif abs(sum(given, Decimal(0)) - 100) > PERCENT_TOLERANCE:
            total = _number_text(sum(given, Decimal(0)))
            self.error(column, f"{column}: the percentages add up to {total}, not 100")

    # -- the funding line

    def funding(self, line: _Line) -> None:
        stage_text, currency = self.text(FUNDING_STAGE), self.text(CURRENCY).upper()
        start, end = self.date(PERIOD_START), self.date(PERIOD_END)
        columns = (FUNDING_STAGE, AMOUNT, CURRENCY, PERIOD_START, PERIOD_END)
        if not any(self.text(column) or column in self.refused for column in columns):
            return  # a row that only describes its activity
        line.is_funding = True
        stage = FUNDING_STAGES.get(" ".join(stage_text.casefold().split()), "")
        if not stage_text:
            self.error(FUNDING_STAGE, f"{FUNDING_STAGE} is missing: write pipeline, planned, committed or disbursed")
        elif not stage:
            message = f"{FUNDING_STAGE} “{stage_text}” is not pipeline, planned, committed or disbursed"
            self.error(FUNDING_STAGE, message)
        line.stage = stage
        amount = self.amount()
        if not currency:
            self.error(CURRENCY, f"{CURRENCY} is missing: give the ISO 4217 code of the amount's currency, e.g. EUR")
        elif not re.fullmatch(r"[A-Z]{3}", currency):
            self.error(CURRENCY, f"{CURRENCY} “{currency}” is not an ISO 4217 currency code (e.g. EUR)")
        else:
            self.code(CURRENCY, "Currency", currency, "currency code")
        if start is None and PERIOD_START not in self.refused:
            self.error(PERIOD_START, self.missing_start(stage))
        if stage == PIPELINE and end is None and PERIOD_END not in self.refused:
            self.error(PERIOD_END, f"{PERIOD_END} is missing: a pipeline line needs the period it covers")
        if start is not None and end is not None and end < start:
            self.error(PERIOD_END, f"{PERIOD_END} {end.isoformat()} is before {PERIOD_START} {start.isoformat()}")
        if self.refused.intersection(columns) or amount is None or start is None:
            return
        line.funding = self.build(stage, amount, currency, start, end)

    def missing_start(self, stage: str) -> str:
        if stage in TRANSACTION_TYPES:
            return f"{PERIOD_START} is missing: a {stage} line needs the date it was {stage}"
        return f"{PERIOD_START} is missing: give the first day of the period the line covers"

    def amount(self) -> Decimal | None:
        cell = self.value(AMOUNT)
        if isinstance(cell, bool | dt.date | dt.time):
            number = None
        elif isinstance(cell, int | float):
            number = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
        else:
            text = plain_text(cell)
            if not text:
                if AMOUNT not in self.refused:
                    self.error(AMOUNT, f"{AMOUNT} is missing")
                return None
            number = _number(text, decimal_comma=self.decimal_comma)
        if number is None or not number.is_finite():
            self.error(AMOUNT, f"{AMOUNT} “{plain_text(cell)}” is not a number (write e.g. 250000 or 250000.50)")
            return None
        if number < 0:
            message = f"{AMOUNT} {_number_text(number)} is negative: amounts are zero or more"
            self.error(AMOUNT, message)
            return None
        if number >= iati.MAX_AMOUNT:
            message = f"{AMOUNT} {_number_text(number)} is beyond any real amount ({iati.MAX_AMOUNT_TEXT} or more)"
            self.error(AMOUNT, message)
            return None
        return number

    def build(
        self, stage: str, amount: Decimal, currency: str, start: dt.date, end: dt.date | None
    ) -> iati.Budget | iati.PlannedDisbursement | iati.Transaction:
        if stage == PIPELINE:
            if end is not None and end > _one_year_after(start):
                message = (
                    f"the period {start.isoformat()} to {end.isoformat()} is longer than a year; the IATI Standard "
                    "expects a budget per year, so consider one row per year"
                )
                self.warn(PERIOD_END, message)
            return iati.Budget(
                type="1",
                status="1",
                period_start=start,
                period_end=end,
                value=amount,
                currency=currency,
                value_date=start,
            )
        if stage == PLANNED:
            return iati.PlannedDisbursement(
                type="1", period_start=start, period_end=end, value=amount, currency=currency, value_date=start
            )
        if end is not None and end != start:
            message = f"{PERIOD_END} is not used for a {stage} line: it is dated by {PERIOD_START}"
            self.warn(PERIOD_END, message)
        return iati.Transaction(
            ref="",
            type=TRANSACTION_TYPES[stage],
            date=start,
            value=amount,
            currency=currency,
            value_date=start,
            line=self.row.number,
        )


def plain_text(cell: Any) -> str:
    if cell is None or isinstance(cell, Formula):
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+(?:,\d+)?")
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _number(text: str, *, decimal_comma: bool) -> Decimal | None:
    """250000, 250,000.50 and 250 000; in a ";" CSV also 250.000,50 and 250000,5 (a comma is then the decimal mark)."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", text)
    sign = compact[:1] if compact[:1] in ("-", "+") else ""
    digits = compact[len(sign) :]
    if decimal_comma and (_DOT_GROUPED.fullmatch(digits) or _DECIMAL_COMMA.fullmatch(digits)):
        canonical = digits.replace(".", "").replace(",", ".")
    elif _PLAIN_NUMBER.fullmatch(digits) or _COMMA_GROUPED.fullmatch(digits):
        canonical = digits.replace(",", "")
    else:
        return None
    try:
        return Decimal(f"{'-' if sign == '-' else ''}{canonical}")
    except InvalidOperation:
        return None


def _percentage(text: str) -> Decimal | None:
    try:
        share = Decimal(text.rstrip("%").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return share if share.is_finite() and 0 <= share <= 100 else None


def _number_text(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _one_year_after(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)
