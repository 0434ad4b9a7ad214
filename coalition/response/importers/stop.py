"""STOP sheets (Access Now's #KeepItOn shutdown tracker), as CSV or XLSX, in each of their yearly layouts."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from coalition.core import limits
from coalition.core.errors import InvalidInput
from coalition.response.importers.rows import MAX_ROWS, XLSX_READ_ERRORS, Parsed, Row, RowError, Skip, _in_sheet, _place
from coalition.response.importers.values import (
    DATE_FORMAT_NOTE,
    Countries,
    _fingerprint,
    _first_url,
    _is_meant_as_date,
    _midnight,
    _name_key,
    _sheet_day,
    _text,
)
from coalition.response.models import SignalKind

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
