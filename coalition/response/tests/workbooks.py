"""Small STOP workbooks built in the test, as Excel would save them: cells typed as the sheet keeps them (text,
numbers, dates), and, for the damaged-file tests, the same workbook with its sheet's XML cut."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl

STOP_2020_COLUMNS = ("start_date", "end_date", "country", "area_name", "shutdown_type", "affected_network",
                     "shutdown_extent", "an_link")  # fmt: skip


def stop_event(start: Any = "2021-03-01", end: Any = "2021-03-02", *, area: str = "A") -> list[Any]:
    """A row of the 2020+ layout (the columns above): a mobile shutdown in India."""
    return [start, end, "India", area, "Shutdown", "Mobile", "Full network", f"https://example.org/{area}"]


def stop_workbook(*rows: Sequence[Any], header: Sequence[str] = STOP_2020_COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The headers of the three layouts as the real sheets spell them (../shared/data/shutdowns/accessnow-stop), trailing
# spaces, capitals and all; the 2020+ layout is cut after `shutdown_extent` to the columns the importer reads.
LAYOUT_2016_2018 = ("year", "start_date", "end_date", "duration_days", "duration_hours", "info_source", "news_link",
                    "continent", "sub_region", "country", "geo_scope", "area_name", "ordered_by",
                    "shutdown_type_group", "shutdown_type", "official_just", "actual_cause", "econ_impact", "event",
                    "an_link", "services_affected", "service_details", "notes", "latitude", "longitude",
                    "id")  # fmt: skip
LAYOUT_2019 = ("ID", "start_date", "end_date ", "duration", "Info_source ", "news_link ", "continent", "sub-region",
               "country ", "geo_scope", "area_name ", "ordered_by ", "decision_maker", "shutdown_type_new",
               "affected_network", "full or service-based", "Facebook_affected", "Twitter_affected",
               "WhatsApp_affected", "telcos_involved ", "gov_ack", "official_just", "actual_cause", "event ",
               "an_link ", "notes")  # fmt: skip
LAYOUT_2020 = ("start_date_type", "start_date", "country", "geo_scope", "area_name", "shutdown_type",
               "affected_network", "shutdown_extent", "ordered_by", "decision_maker", "actual_cause",
               "info_source", "info_source_link", "shutdown_status", "end_date", "Duration", "an_link")  # fmt: skip


def layout_row(header: Sequence[str], values: Mapping[str, Any]) -> list[Any]:
    """A row under `header`: each value under the column of its name (spaces and case aside), the others blank."""
    by_name = {name.strip().casefold(): value for name, value in values.items()}
    return [by_name.get(column.strip().casefold()) for column in header]


def stop_workbook_of(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> bytes:
    """A workbook of several sheets, in the order given, each named exactly as given and holding the rows given."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(title=name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def serial(day: dt.date) -> int:
    """The number Excel keeps for a day (what a date cell formatted as a number shows)."""
    return (day - dt.date(1899, 12, 30)).days


def old_event(year: int, start: dt.datetime, end: Any, country: str, group: str, own_id: int) -> list[Any]:
    """A row of the 2016–2018 layout, cells typed as the raw workbook keeps them (a date cell, a serial end)."""
    return layout_row(LAYOUT_2016_2018, {"year": year, "start_date": start, "end_date": end, "country": country,
                                         "area_name": "Kashmir", "shutdown_type_group": group,
                                         "shutdown_type": "Mobile Internet", "id": own_id})  # fmt: skip


def event_2019(own_id: int, start: dt.datetime | None, country: str, extent: str = "Full") -> list[Any]:
    return layout_row(LAYOUT_2019, {"ID": own_id, "start_date": start, "end_date ": "ongoing", "country ": country,
                                    "area_name ": "National ", "shutdown_type_new": "Shutdown",
                                    "affected_network": "Mobile and broadband",
                                    "full or service-based": extent})  # fmt: skip


def event_2020(start: dt.datetime, end: Any, area: str, kind: str = "Shutdown") -> list[Any]:
    return layout_row(LAYOUT_2020, {"start_date_type": "Actual", "start_date": start, "end_date": end,
                                    "country": "India", "area_name": area, "shutdown_type": kind,
                                    "affected_network": "Mobile", "shutdown_extent": "Full network",
                                    "an_link": f"https://www.accessnow.org/{area}"})  # fmt: skip


def raw_workbook(replaced: Mapping[str, Sequence[Sequence[Any]]] | None = None) -> bytes:
    """A small raw #KeepItOn workbook: a notes sheet, the three layouts in sheets named as the real ones (one with a
    trailing space), a summary table, an event the 2021 sheet lists again word for word, and an empty sheet."""
    ongoing = event_2020(dt.datetime(2020, 8, 5), "Ongoing", "Jammu and Kashmir")
    sheets: dict[str, Sequence[Sequence[Any]]] = {
        "Read me": [["#KeepItOn STOP data: notes on the method"], [], ["One sheet per year or group of years."]],
        "2016+2017+2018 ": [
            LAYOUT_2016_2018,
            old_event(
                2016,
                dt.datetime(2016, 1, 26),
                serial(dt.date(2016, 1, 26)),
                "India",
                "Full network",
                1,
            ),
            old_event(2018, dt.datetime(2018, 4, 2), "ongoing", "Morocco", "Service-based", 2),
        ],
        "2019": [
            LAYOUT_2019,
            event_2019(1, dt.datetime(2018, 3, 28), "Chad", extent="Service-based"),
            event_2019(2, dt.datetime(2019, 1, 15), "Zimbabwe"),
            event_2019(3, None, "Sudan"),
        ],
        "Summary": [["country", "shutdowns"], ["India", 3]],
        "2020 Data": [LAYOUT_2020, ongoing, event_2020(dt.datetime(2020, 2, 1), dt.datetime(2020, 2, 2), "Assam")],
        "2021 Data": [LAYOUT_2020, ongoing, event_2020(dt.datetime(2021, 1, 4), dt.datetime(2021, 1, 5), "Haryana")],
        "Sheet1": [],
    }
    return stop_workbook_of({**sheets, **(replaced or {})})


def with_cut_sheet(workbook: bytes) -> bytes:
    """The same workbook, still a valid zip, whose first sheet's XML stops half-way (an interrupted save or copy)."""
    original = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as damaged:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            damaged.writestr(info, content)
    return out.getvalue()
