"""The import page reports what a file brought: a workbook's report names the sheets it did not read and why
(issue 15, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalition.core.tests.clients import client_for, text_of
from coalition.response.tests.workbooks import raw_workbook

pytestmark = pytest.mark.django_db


def test_a_workbook_s_report_names_the_sheets_not_read_and_the_rows_by_sheet(support: Any) -> None:
    workbook = SimpleUploadedFile("Keepiton_raw_dataset.xlsx", raw_workbook())
    done = client_for(support).post(reverse("response:import"), {"file": workbook, "source": "auto"}, follow=True)
    body = text_of(done)
    assert "Imported 7 new signals (0 already there, 2 rows skipped)." in body
    assert "3 sheets of the workbook were not read; the report says why." in body
    assert "7 new, 0 already there, 2 rows skipped, 3 sheets not read" in body
    assert "Sheet “Read me”: no STOP header (its first row reads “#KeepItOn STOP data: notes on the method”)" in body
    assert "Sheet “Sheet1”: empty: no header row and no events" in body
    assert "Sheet “2019”, row 4: no start date in the sheet" in body
    assert "Sheet “2021 Data”, row 2: same event as sheet “2020 Data”, row 2" in body
