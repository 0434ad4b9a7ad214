"""From a spreadsheet's bytes to rows (XLSX or CSV), within the work limits of `coalition.core.limits`: see
`spreadsheet` (## Safety) for what is refused before it is read."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from coalition.core import limits
from coalition.donors.ingest import iati
from coalition.donors.ingest.sheet_layout import (
    COLUMN_BY_NAME,
    DATA_SHEET,
    MAX_COLUMNS,
    RowProblem,
    normalised,
)


@dataclass(frozen=True)
class Formula:
    """A formula cell whose result the file does not keep (openpyxl and other scripts write no result)."""

    text: str


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet program shows it
    cells: tuple[Any, ...]


@dataclass
class Table:
    rows: list[Row]  # the non-blank rows, the header first
    decimal_comma: bool = False  # a ";"-separated CSV from a spreadsheet set up for a comma as decimal mark


def load(data: bytes, *, file_name: str, max_bytes: int, max_rows: int, report: iati.Report) -> Table | None:
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
        table = Table(rows) if rows is not None else None
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


def _xlsx_rows(data: bytes, *, work: limits.Work, max_rows: int, report: iati.Report) -> list[Row] | None:
    if not _safe_workbook_archive(data, work=work, report=report):
        return None
    rows: list[Row] = []
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
                    row = Row(
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
        return Formula(written)
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


def _csv_table(data: bytes, *, work: limits.Work, max_rows: int, report: iati.Report) -> Table | None:
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
    rows: list[Row] = []
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
            rows.append(Row(number, tuple(cells[:MAX_COLUMNS])))
    except csv.Error as error:
        report.errors.append(RowProblem(f"row {number + 1} could not be read as CSV ({error})", "file", number + 1))
        return None
    except limits.WorkLimitExceeded as error:
        report.errors.append(RowProblem(error.message, "file"))
        return None
    return Table(rows, decimal_comma=delimiter == ";")


def _delimiter(header: str) -> str:
    """Comma, unless splitting the header on ";" or a tab finds more of the template's columns."""
    best, best_score = ",", -1
    for candidate in (",", ";", "\t"):
        cells = next(csv.reader([header], delimiter=candidate), [])
        score = sum(1 for cell in cells if normalised(cell) in COLUMN_BY_NAME)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _blank(cells: tuple[Any, ...] | list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)
