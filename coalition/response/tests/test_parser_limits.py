"""Signal sheets are read within work limits, not only a size limit (issue 16, item 7): a workbook declaring a
dimension far beyond what it holds, or holding a million blank cells in kilobytes, is refused naming the file and the
limit, and reading stops at the limit."""

from __future__ import annotations

import pytest

from coalition.core import limits
from coalition.core.errors import InvalidInput
from coalition.core.tests import hostile
from coalition.response import importers

cells_counted = hostile.cells_counted  # the fixture, for the tests below
STOP_HEADER = ["start_date", "country", "area_name", "shutdown_type", "affected_network", "shutdown_extent", "end_date"]

pytestmark = pytest.mark.django_db


def refusal(data: bytes, file_name: str) -> str:
    with pytest.raises(InvalidInput) as error:
        list(importers.parse_file(source="stop", file_name=file_name, data=data, countries=importers.Countries()))
    return error.value.message


def test_a_sheet_declaring_a_huge_dimension_is_refused_at_the_cell_limit(cells_counted: list[int]) -> None:
    book = hostile.workbook_with_huge_dimension(STOP_HEADER, dimension="A1:XFD100000", last_row=100_000)
    assert len(book) < 2_000
    message = refusal(book, "stop_2021.xlsx")
    assert f"The workbook “stop_2021.xlsx” has more than {limits.MAX_CELLS:,} cells" in message
    assert max(cells_counted) <= limits.MAX_CELLS + 16_384  # stopped within a row of the limit


def test_a_sheet_of_more_blank_cells_than_the_limit_is_refused_at_the_limit(cells_counted: list[int]) -> None:
    book = hostile.workbook_of_blank_cells(STOP_HEADER, rows=5_100, columns=100, numbered=True)
    message = refusal(book, "stop_2021.xlsx")
    assert f"has more than {limits.MAX_CELLS:,} cells" in message and "“stop_2021.xlsx”" in message
    assert max(cells_counted) <= limits.MAX_CELLS + 100


def test_a_workbook_of_too_many_xml_elements_is_refused_before_openpyxl_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 10_000)
    sheet = hostile.SHEET_HEAD + b"<sheetData>" + b"<row/>" * 150_000 + b"</sheetData></worksheet>"
    with hostile.inflation_meter(monkeypatch) as inflated:
        message = refusal(hostile.workbook(sheet), "stop_2021.xlsx")
    assert "“stop_2021.xlsx” holds more than 10,000 XML elements" in message
    assert inflated.bytes < len(sheet) / 2
