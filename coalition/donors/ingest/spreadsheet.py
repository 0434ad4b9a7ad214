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
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from coalition.donors.ingest import iati
from coalition.donors.ingest.sheet_layout import (
    AMOUNT,
    COLUMN_ORDER,
    COLUMNS,
    COMMITTED,
    COUNTRIES,
    CURRENCY,
    DATA_SHEET,
    DESCRIPTION,
    DISBURSED,
    END_DATE,
    EXAMPLE_IDENTIFIER,
    FUNDING_STAGE,
    IDENTIFIER,
    IMPLEMENTERS,
    INSTRUCTIONS_SHEET,
    MAX_BYTES,
    MAX_ROWS,
    PERIOD_END,
    PERIOD_START,
    PIPELINE,
    PLANNED,
    POLICY_MARKERS,
    REGIONS,
    SECTORS,
    START_DATE,
    STATUS,
    STATUS_WORDS,
    TITLE,
    VERSION,
    RowProblem,
)
from coalition.donors.ingest.sheet_rows import (
    Sheet,
    plain_text,
)
from coalition.donors.ingest.sheet_table import (
    load,
)

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
    table = load(bytes(data), file_name=file_name, max_bytes=max_bytes, max_rows=max_rows, report=report)
    if table is not None:
        sheet = Sheet(table, reporter=reporter, language=language, report=report)
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
    return problem.line or 0, COLUMN_ORDER.get(column, -1)


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
        writer.writerow([plain_text(example.get(column.header)) for column in COLUMNS])
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
