"""Small STOP workbooks built in the test, as Excel would save them: cells typed as the sheet keeps them (text,
numbers, dates), and, for the damaged-file tests, the same workbook with its sheet's XML cut."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
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
