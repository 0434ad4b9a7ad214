"""The funding template's reader is bounded by work, not only by size (issue 16, item 7): a small workbook of a
million cells, or one whose rows are far apart, is refused naming the file and the limit, and reading stops there."""

from __future__ import annotations

import signal
from typing import Any

import pytest
from django.test import override_settings

from coalition.core import limits
from coalition.core.tests import hostile
from coalition.donors.ingest import iati, sheet_layout, spreadsheet
from coalition.donors.ingest.tests.test_spreadsheet import REPORTER
from coalition.donors.models import FundingActivity, ImportBatch
from coalition.donors.tests.conftest import funding, iati_file
from coalition.donors.tests.test_import_task import EVERY_UPLOAD_TO_THE_WORKER, uploaded, work

cells_counted = hostile.cells_counted  # the fixture, for the tests below
HEADER = ["Identifier", "Title", "Funding stage", "Amount", "Currency", "Period start", "Period end"]


def the_refusal(report: spreadsheet.iati.Report) -> str:
    assert not report.valid and report.activities == []
    [problem] = report.errors
    assert problem.kind == "file"
    return problem.message


def test_a_workbook_of_1_2_million_blank_cells_in_kilobytes_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    book = hostile.workbook_of_blank_cells(HEADER, rows=12_000, columns=100)
    assert len(book) < 150_000
    with hostile.inflation_meter(monkeypatch) as inflated:
        message = the_refusal(spreadsheet.read(book, file_name="funding.xlsx", reporter=REPORTER))
    assert "the workbook “funding.xlsx” has a part (xl/worksheets/sheet1.xml) that unpacks" in message
    assert f"{limits.MAX_RATIO} times" in message
    assert inflated.bytes == 0


def test_a_workbook_of_half_a_million_cells_is_refused_at_the_cell_limit(cells_counted: list[int]) -> None:
    book = hostile.workbook_of_blank_cells(HEADER, rows=5_100, columns=100, numbered=True)
    message = the_refusal(spreadsheet.read(book, file_name="funding.xlsx", reporter=REPORTER))
    assert f"the workbook “funding.xlsx” has more than {limits.MAX_CELLS:,} cells" in message
    assert f"{limits.MAX_CELLS:,} cells" in message.split("limit")[1]
    assert max(cells_counted) <= limits.MAX_CELLS + sheet_layout.MAX_COLUMNS  # stopped at the limit


def test_a_workbook_whose_one_row_lies_a_million_rows_down_is_refused_at_the_cell_limit(
    cells_counted: list[int],
) -> None:
    far = hostile.SHEET_HEAD + b'<sheetData><row r="1">' + hostile.header_cells(HEADER) + b"</row>"
    far += b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>XM-1</t></is></c></row></sheetData></worksheet>'
    message = the_refusal(spreadsheet.read(hostile.workbook(far), file_name="far.xlsx", reporter=REPORTER))
    assert f"the workbook “far.xlsx” has more than {limits.MAX_CELLS:,} cells" in message
    assert max(cells_counted) <= limits.MAX_CELLS + sheet_layout.MAX_COLUMNS


def test_a_csv_of_too_many_cells_is_refused_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 1_000)
    data = (",".join(HEADER) + "\n" + ",,,,,,\n" * 200).encode()
    message = the_refusal(spreadsheet.read(data, file_name="funding.csv", reporter=REPORTER))
    assert "the file “funding.csv” has more than 1,000 cells" in message


def test_a_workbook_part_that_inflates_like_a_bomb_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    book = hostile.workbook(hostile.SHEET_HEAD + b"<sheetData>" + b"<row/>" * 2_000_000 + b"</sheetData></worksheet>")
    with hostile.inflation_meter(monkeypatch) as inflated:
        message = the_refusal(spreadsheet.read(book, file_name="bomb.xlsx", reporter=REPORTER))
    assert "“bomb.xlsx” has a part (xl/worksheets/sheet1.xml)" in message and "decompression bomb" in message
    assert inflated.bytes == 0


# --- The task worker: an import is held to a processor time and a memory limit -----------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(**EVERY_UPLOAD_TO_THE_WORKER)
def test_an_import_past_the_workers_processor_time_is_refused_and_saves_nothing(
    member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TASK_CPU_SECONDS", 0.001)
    batch = uploaded(member("NL"), iati_file(funding("NL-1"), funding("NL-2")))
    work()
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    [error] = batch.errors
    assert f"The import of “{batch.file_name}” needed more than 0 seconds of processing" in error["message"]
    assert not FundingActivity.objects.exists()
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # the worker's timer is off again


def test_an_iati_file_of_millions_of_tiny_elements_is_refused_before_lxml_builds_its_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("lxml parsed the file")

    monkeypatch.setattr(iati.etree, "fromstring", refuse)
    data = b'<iati-activities version="2.03">' + b"<a/>" * (limits.MAX_IATI_ELEMENTS + 1) + b"</iati-activities>"
    assert len(data) < iati.MAX_BYTES
    report = iati.read(data)
    [problem] = report.errors
    assert problem.kind == "file"
    assert problem.message.startswith(f"the file holds {limits.MAX_IATI_ELEMENTS + 2:,} XML elements")
    assert f"the limit for one upload is {limits.MAX_IATI_ELEMENTS:,} elements" in problem.message
