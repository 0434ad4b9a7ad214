"""Read the funding spreadsheet template (XLSX or CSV) for members that do not publish to IATI (issue 8).

`read(data, file_name=…, reporter=…)` returns the same `iati.Report` of `iati.Activity` objects as the IATI reader,
so the importer saves a spreadsheet exactly as it saves an IATI file. Like `iati.read` it never raises for bad input
and never saves anything; the importer saves only when `report.valid`. Every problem is a `RowProblem` (an
`iati.Problem` whose `line` is the spreadsheet row as the user sees it, with the column header in its message and in
`column`), and `report.version` is "template-1".

## Layout

One row is one funding line of an activity. Rows sharing an Identifier make one activity, wherever they are in the
sheet. The activity columns (Title to Implementing organisations) are written on the activity's first row and may be
repeated identically or left blank on its other rows; a different value on a later row is an error naming both rows.
Headers are matched ignoring case, spaces, "_" and "-" (a few obvious synonyms such as "Country" are accepted); a
column that is not in the template is ignored with a warning. Blank rows are skipped; the header is the first row
that is not blank. In an XLSX the sheet named "Funding lines" is read, or else the first sheet.

| Column                     | Required       | What to write                                                    |
| -------------------------- | -------------- | ---------------------------------------------------------------- |
| Identifier                 | column + value | the activity's identifier, e.g. XM-DAC-7-2024-17                 |
| Title                      | column + value | the activity's title (on one of its rows)                        |
| Description                |                | free text                                                        |
| Status                     |                | pipeline, implementation, finalisation, closed, cancelled,       |
|                            |                | suspended, or the IATI ActivityStatus code 1–6                   |
| Start date                 |                | YYYY-MM-DD or a date cell (see below for planned/actual)         |
| End date                   |                | YYYY-MM-DD or a date cell                                        |
| Recipient countries        |                | ISO 3166 alpha-2 codes, `KE:60; UG:40` (percentages optional)    |
| Recipient regions          |                | IATI Region codes (OECD DAC, vocabulary 1), same syntax          |
| Sectors                    |                | DAC 5-digit purpose codes (or 3-digit categories),               |
|                            |                | `15160:70; 22040:30`                                             |
| Policy markers             |                | PolicyMarker code:PolicySignificance code, `1:2; 9:1`            |
| Implementing organisations |                | names separated by `;`, each optionally `ref|name`               |
| Funding stage              | column         | pipeline, planned, committed or disbursed                        |
| Amount                     | column         | zero or more: `250000`, `250,000.50` (`250.000,50` in a `;` CSV) |
| Currency                   | column         | ISO 4217, e.g. EUR                                               |
| Period start               | column         | YYYY-MM-DD: the line's first day, or a commitment's or           |
|                            |                | disbursement's date                                              |
| Period end                 | column         | YYYY-MM-DD: the line's last day                                  |

"column" means the header must be there; the funding columns need values only on funding lines. Start date and End
date are planned dates (ActivityDateType 1 and 3) while the status is pipeline or blank; otherwise Start date is the
actual start (2), and End date is the actual end (4) once the activity is closed or cancelled.

Lists take `;` (or `,` where the cell has no `;`) or line breaks between entries. Percentages, when given, are given
for every entry: sector percentages add up to 100 (and 5-digit codes and 3-digit categories are then not mixed), and
country and region percentages add up to 100 together (the IATI rule).

A row with a Funding stage is a funding line; a row whose Funding stage, Amount, Currency and periods are all blank
only describes its activity. Funding stages map to the IATI model as:

- pipeline  → a `Budget` (type 1 original, status 1 indicative) for Period start–Period end (both required); the
  activity's status becomes pipeline when Status is blank and all its lines are pipeline;
- planned   → a `PlannedDisbursement` (type 1 original) from Period start (required), to Period end if given;
- committed → a `Transaction` type 2 (outgoing commitment) dated Period start (required);
- disbursed → a `Transaction` type 3 (disbursement) dated Period start (required).

Each line's value date is its period start (or date). The `reporter` is the reporting organisation and the funding
participating organisation (role 1); implementing organisations are role 4.

## Safety

Files over `max_bytes` are refused unread. An XLSX is a zip archive, read within the work limits of
`coalition.core.limits`: its central directory is read first, and a workbook with too many parts, a part or all parts
too large unpacked, or a part that inflates like a decompression bomb is refused before any part is decompressed
(Python's zipfile never inflates a part past the size its directory declares, so a lying directory cannot get round
this); then the elements of its XML parts are counted before openpyxl parses them, and the cells openpyxl hands over
(blank rows included) are counted as they are read. More than `max_rows` non-blank rows are refused. Formulas are
read by their saved result; a formula saved without one (as written by scripts) is an error naming its cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from coalition.core import limits
from coalition.donors import iati

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


# ---------------------------------------------------------------------------------------------------------------
# Entry point


def read(
    data: bytes,
    *,
    file_name: str,
    reporter: iati.Organisation,
    codelists: Path | None = iati.DEFAULT_CODELISTS,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    language: str = "en",
) -> iati.Report:
    """Check and read a filled-in template; see the module docstring for the layout and what is checked.

    `language` is the language of the titles and descriptions (the template has no language column).
    """
    report = iati.Report(version=VERSION)
    table = _load(bytes(data), file_name=file_name, max_bytes=max_bytes, max_rows=max_rows, report=report)
    if table is not None:
        sheet = _Sheet(table, reporter=reporter, language=language, report=report)
        if sheet.map_columns():
            found = iati.Report()
            sheet.known = iati.load_codelists(codelists, report=found)
            report.warnings.extend(RowProblem(problem.message, problem.kind) for problem in found.warnings)
            sheet.read_activities()
    report.errors.sort(key=_position)
    report.warnings.sort(key=_position)
    return report


def _position(problem: iati.Problem) -> tuple[int, int]:
    """Problems in reading order: by row, then by the template's column order (a row's own problems first)."""
    column = problem.column if isinstance(problem, RowProblem) else ""
    return problem.line or 0, _COLUMN_ORDER.get(column, -1)


# ---------------------------------------------------------------------------------------------------------------
# From bytes to rows


@dataclass(frozen=True)
class _Formula:
    """A formula cell whose result the file does not keep (openpyxl and other scripts write no result)."""

    text: str


@dataclass(frozen=True)
class _Row:
    number: int  # as the spreadsheet program shows it
    cells: tuple[Any, ...]


@dataclass
class _Table:
    rows: list[_Row]  # the non-blank rows, the header first
    decimal_comma: bool = False  # a ";"-separated CSV from a spreadsheet set up for a comma as decimal mark


def _load(data: bytes, *, file_name: str, max_bytes: int, max_rows: int, report: iati.Report) -> _Table | None:
    if len(data) > max_bytes:
        message = f"the file is {_megabytes(len(data))}; files larger than {_megabytes(max_bytes)} are refused"
        report.errors.append(RowProblem(message, "file"))
        return None
    if not data.strip():
        report.errors.append(RowProblem("the file is empty", "file"))
        return None
    suffix = Path(file_name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data, work=limits.Work(f"the workbook “{file_name}”"), max_rows=max_rows, report=report)
        table = _Table(rows) if rows is not None else None
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        report.errors.append(
            RowProblem(
                "the file is an old-style Excel .xls workbook or a password-protected one; save it as .xlsx "
                "(Excel Workbook) without a password, or as CSV UTF-8",
                "file",
            )
        )
        return None
    elif suffix in (".xlsx", ".xlsm"):
        report.errors.append(RowProblem("the file is named .xlsx but is not an Excel workbook", "file"))
        return None
    else:
        table = _csv_table(data, work=limits.Work(f"the file “{file_name}”"), max_rows=max_rows, report=report)
    if table is None:
        return None
    if not table.rows:
        report.errors.append(RowProblem("the file is empty: no row has anything in it", "file"))
        return None
    if len(table.rows) == 1:
        header = table.rows[0]
        message = "the file has a header row but no funding lines below it"
        report.errors.append(RowProblem(message, "file", header.number))
        return None
    return table


def _too_many_rows(max_rows: int) -> RowProblem:
    return RowProblem(
        f"the file has more than {max_rows:,} rows of funding lines; split it into several files", "file", None
    )


def _xlsx_rows(data: bytes, *, work: limits.Work, max_rows: int, report: iati.Report) -> list[_Row] | None:
    if not _safe_workbook_archive(data, work=work, report=report):
        return None
    rows: list[_Row] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not keep
            values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
            try:
                title = _data_sheet_title([sheet.title for sheet in values.worksheets])
                if title is None:
                    report.errors.append(RowProblem("the workbook has no worksheet", "file"))
                    return None
                for workbook in (values, formulas):
                    workbook[title].reset_dimensions()  # read every row, whatever size the sheet claims to be
                saved = values[title].iter_rows(max_col=MAX_COLUMNS, values_only=True)
                written = formulas[title].iter_rows(max_col=MAX_COLUMNS, values_only=True)
                for number, (results, cells) in enumerate(zip(saved, written, strict=False), start=1):
                    work.count_cells(len(results))  # blank rows too: a gap of a million rows costs as much
                    row = _Row(
                        number, tuple(_cell_value(result, cell) for result, cell in zip(results, cells, strict=False))
                    )
                    if _blank(row.cells):
                        continue
                    if len(rows) > max_rows:
                        report.errors.append(_too_many_rows(max_rows))
                        return None
                    rows.append(row)
            finally:
                values.close()
                formulas.close()
    except limits.WorkLimitExceeded as error:
        report.errors.append(RowProblem(error.message, "file"))
        return None
    except Exception as error:  # openpyxl raises many kinds of error on a damaged workbook
        report.errors.append(RowProblem(f"the file could not be read as an Excel workbook ({error})", "file"))
        return None
    return rows


def _cell_value(result: Any, written: Any) -> Any:
    if result is None and isinstance(written, str) and written.startswith("="):
        return _Formula(written)
    return result


def _safe_workbook_archive(data: bytes, *, work: limits.Work, report: iati.Report) -> bool:
    """Refuse zip bombs and non-workbooks: from the zip's directory before anything is decompressed, then by the
    elements of its XML parts, counted as they are inflated (`coalition.core.limits`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = work.check_package(archive)
            if "[Content_Types].xml" in archive.namelist():
                work.count_xml_elements(archive)
    except limits.WorkLimitExceeded as error:
        report.errors.append(RowProblem(error.message, "file"))
        return False
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        report.errors.append(
            RowProblem(f"the file is a damaged zip archive, not a readable workbook ({error})", "file")
        )
        return False
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        opendocument = "mimetype" in names or "content.xml" in names
        message = (
            "the file is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV UTF-8"
            if opendocument
            else "the file is a zip archive, not an Excel workbook"
        )
        report.errors.append(RowProblem(message, "file"))
        return False
    return True


def _data_sheet_title(titles: list[str]) -> str | None:
    for title in titles:
        if title.strip().casefold() == DATA_SHEET.casefold():
            return title
    return titles[0] if titles else None


def _csv_table(data: bytes, *, work: limits.Work, max_rows: int, report: iati.Report) -> _Table | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = (
            f"line {line} is not UTF-8 text: in Excel save as “CSV UTF-8 (Comma delimited)”, in LibreOffice choose "
            "the Unicode (UTF-8) character set (an Excel workbook should be uploaded as .xlsx)"
        )
        report.errors.append(RowProblem(message, "file", line))
        return None
    if "\x00" in text:
        report.errors.append(RowProblem("the file is not text (it contains NUL characters)", "file"))
        return None
    lines = text.splitlines()
    first_line = 0
    declared = re.fullmatch(r"\s*sep=(.)\s*", lines[0]) if lines else None  # Excel's own "sep=;" first line
    if declared:
        delimiter, first_line = declared[1], 1
    else:
        delimiter = _delimiter(next((line for line in lines if line.strip()), ""))
    stream = io.StringIO(text, newline="")
    if first_line:
        stream.readline()
    rows: list[_Row] = []
    number = 0
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):  # Excel hides a "sep=" line, so rows count after it
            work.count_cells(len(cells))
            if _blank(cells):
                continue
            if len(rows) > max_rows:
                report.errors.append(_too_many_rows(max_rows))
                return None
            rows.append(_Row(number, tuple(cells[:MAX_COLUMNS])))
    except csv.Error as error:
        report.errors.append(RowProblem(f"row {number + 1} could not be read as CSV ({error})", "file", number + 1))
        return None
    except limits.WorkLimitExceeded as error:
        report.errors.append(RowProblem(error.message, "file"))
        return None
    return _Table(rows, decimal_comma=delimiter == ";")


def _delimiter(header: str) -> str:
    """Comma, unless splitting the header on ";" or a tab finds more of the template's columns."""
    best, best_score = ",", -1
    for candidate in (",", ";", "\t"):
        cells = next(csv.reader([header], delimiter=candidate), [])
        score = sum(1 for cell in cells if _normalised(cell) in _COLUMN_BY_NAME)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _blank(cells: tuple[Any, ...] | list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _normalised(header: str) -> str:
    return " ".join(re.sub(r"[_\-*:]", " ", header).casefold().split())


_COLUMN_ORDER = {column.header: position for position, column in enumerate(COLUMNS)}
_COLUMN_BY_NAME: dict[str, Column] = {
    name: column for column in COLUMNS for name in (_normalised(column.header), *column.aliases)
}


# ---------------------------------------------------------------------------------------------------------------
# From rows to activities


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


class _Sheet:
    def __init__(self, table: _Table, *, reporter: iati.Organisation, language: str, report: iati.Report) -> None:
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
            text = _plain_text(cell)
            if not text:
                continue
            letter = get_column_letter(index + 1)
            column = _COLUMN_BY_NAME.get(_normalised(text))
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
            key = tuple(_plain_text(cell) for cell in self.cells(row))
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

    def cells(self, row: _Row) -> Iterator[Any]:
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

    def __init__(self, sheet: _Sheet, row: _Row) -> None:
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
        if isinstance(cell, _Formula):
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
        return _plain_text(self.value(column))

    def date(self, column: str) -> dt.date | None:
        cell = self.value(column)
        if isinstance(cell, dt.datetime):
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        text = _plain_text(cell)
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
            text = _plain_text(cell)
            if not text:
                if AMOUNT not in self.refused:
                    self.error(AMOUNT, f"{AMOUNT} is missing")
                return None
            number = _number(text, decimal_comma=self.decimal_comma)
        if number is None or not number.is_finite():
            self.error(AMOUNT, f"{AMOUNT} “{_plain_text(cell)}” is not a number (write e.g. 250000 or 250000.50)")
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


def _plain_text(cell: Any) -> str:
    if cell is None or isinstance(cell, _Formula):
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


# ---------------------------------------------------------------------------------------------------------------
# The blank template


EXAMPLE_ROWS: tuple[dict[str, Any], ...] = (
    {
        IDENTIFIER: EXAMPLE_IDENTIFIER,
        TITLE: "Example: digital security for human rights defenders",
        DESCRIPTION: "Training, secure devices and emergency support for human rights defenders online.",
        STATUS: "implementation",
        START_DATE: dt.date(2025, 1, 1),
        END_DATE: dt.date(2027, 12, 31),
        COUNTRIES: "KE:60; UG:40",
        SECTORS: "15160:70; 22040:30",
        POLICY_MARKERS: "1:1; 3:2",
        IMPLEMENTERS: "XM-EXAMPLE-NGO|Example Digital Rights Network",
        FUNDING_STAGE: COMMITTED,
        AMOUNT: 500000,
        CURRENCY: "EUR",
        PERIOD_START: dt.date(2025, 1, 15),
    },
    {
        IDENTIFIER: EXAMPLE_IDENTIFIER,
        FUNDING_STAGE: PLANNED,
        AMOUNT: 250000,
        CURRENCY: "EUR",
        PERIOD_START: dt.date(2026, 1, 1),
        PERIOD_END: dt.date(2026, 12, 31),
    },
    {
        IDENTIFIER: EXAMPLE_IDENTIFIER,
        FUNDING_STAGE: PIPELINE,
        AMOUNT: 300000,
        CURRENCY: "EUR",
        PERIOD_START: dt.date(2027, 1, 1),
        PERIOD_END: dt.date(2027, 12, 31),
    },
)

INSTRUCTIONS = (
    "One row is one funding line of an activity. Rows with the same Identifier make one activity: write the "
    "activity's title, description, status, dates, places, sectors, markers and implementers on its first row, and "
    "repeat them identically or leave them blank on its other rows.",
    "Funding stage says what a line is: pipeline (indicative funding not yet planned), planned (a planned "
    "disbursement), committed (a signed commitment) or disbursed (money paid out).",
    "Delete the example rows (activity XX-EXAMPLE-1) before uploading. Keep the header row as it is; columns may be "
    "reordered, and columns not listed here are ignored. Upload the file as .xlsx, or as CSV UTF-8.",
    "Nothing is saved unless the whole file is correct: a problem is reported with its row and column.",
)
CODE_REFERENCES = (
    ("Countries", "ISO 3166-1 alpha-2: https://iatistandard.org/en/iati-standard/203/codelists/country/"),
    ("Regions", "https://iatistandard.org/en/iati-standard/203/codelists/region/"),
    ("Sectors", "https://iatistandard.org/en/iati-standard/203/codelists/sector/"),
    ("Policy markers", "https://iatistandard.org/en/iati-standard/203/codelists/policymarker/"),
    ("Policy significance", "https://iatistandard.org/en/iati-standard/203/codelists/policysignificance/"),
    ("Currencies", "ISO 4217: https://iatistandard.org/en/iati-standard/203/codelists/currency/"),
)
POLICY_MARKER_NAMES = (
    ("1", "Gender equality"),
    ("2", "Aid to environment"),
    ("3", "Participatory development/good governance"),
    ("4", "Trade development"),
    ("5", "Biodiversity (Convention on Biological Diversity)"),
    ("6", "Climate change mitigation"),
    ("7", "Climate change adaptation"),
    ("8", "Desertification"),
    ("9", "Reproductive, maternal, newborn and child health"),
    ("10", "Disaster risk reduction"),
    ("11", "Disability"),
    ("12", "Nutrition"),
)
TEXT_COLUMNS = (IDENTIFIER, COUNTRIES, REGIONS, SECTORS, POLICY_MARKERS)
TEMPLATE_ROWS = 1000  # how far down the XLSX's drop-down lists reach


def template_csv() -> bytes:
    """The template as CSV UTF-8 with a byte-order mark, so that Excel opens its accents correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS])
    for example in EXAMPLE_ROWS:
        writer.writerow([_plain_text(example.get(column.header)) for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode()


def template_xlsx() -> bytes:
    """The template workbook: the "Funding lines" sheet with the example activity, and an "Instructions" sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in COLUMNS])
    for example in EXAMPLE_ROWS:
        sheet.append([example.get(column.header) for column in COLUMNS])
    heading = Font(bold=True)
    for cell in sheet[1]:
        cell.font = heading
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(48, max(14, len(column.header) + 4, len(column.example) + 2))
        if column.header in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"  # so that Excel keeps 1:2 as text, not a time
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif column.header == AMOUNT and cell.value is not None:
                cell.number_format = "#,##0.00"
    _add_choice_list(sheet, STATUS, STATUS_WORDS, "Status", "Write a status or the IATI code 1–6.")
    stages = (PIPELINE, PLANNED, COMMITTED, DISBURSED)
    _add_choice_list(sheet, FUNDING_STAGE, stages, "Funding stage", "Choose pipeline, planned, committed or disbursed.")
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_choice_list(sheet: Any, header: str, choices: tuple[str, ...], title: str, error: str) -> None:
    letter = get_column_letter(next(i for i, column in enumerate(COLUMNS, start=1) if column.header == header))
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(choices)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # a warning, not a stop, so that IATI codes can still be typed
        errorTitle=title,
        error=error,
    )
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")


def _write_instructions(sheet: Any) -> None:
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 90
    sheet.column_dimensions["D"].width = 40
    sheet.append(["How to fill in the funding lines template"])
    sheet["A1"].font = Font(bold=True, size=14)
    for paragraph in INSTRUCTIONS:
        sheet.append([paragraph])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4)
        sheet.cell(sheet.max_row, 1).alignment = wrap
        sheet.row_dimensions[sheet.max_row].height = 45
    sheet.append([])
    sheet.append(["Column", "Required", "What to write", "Example"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        required = "yes" if column.required and column.describes_activity else ""
        if column.header == TITLE:
            required = "yes (first row)"
        elif not column.describes_activity:
            required = "on funding lines"
        sheet.append([column.header, required, column.explanation, column.example])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.append([])
    sheet.append(["Policy marker codes"])
    sheet.cell(sheet.max_row, 1).font = bold
    for code, name in POLICY_MARKER_NAMES:
        sheet.append([code, "", name])
    sheet.append([])
    sheet.append(["Where to find the codes"])
    sheet.cell(sheet.max_row, 1).font = bold
    for what, where in CODE_REFERENCES:
        sheet.append([what, "", where])
