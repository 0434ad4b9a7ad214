"""The import page says what it takes and reports what a file brought: the file field's help holds for each source,
and a workbook's report names the sheets it did not read and why (issue 15, items 2 and 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalition.core.tests.clients import client_for, text_of
from coalition.response.models import ImportBatch, Signal
from coalition.response.tests.workbooks import raw_workbook

pytestmark = pytest.mark.django_db


def test_the_file_help_says_which_formats_each_source_takes_and_the_importer_holds_to_it(
    support: Any, worker: Any
) -> None:
    """It said STOP sheets were CSV only, and that OONI, IODA and Radar exports could be CSV."""
    client = client_for(support)
    page = text_of(client.get(reverse("response:import")))
    assert (
        "A STOP sheet (CSV, or an XLSX workbook: each of its sheets with a STOP header is read), or an OONI, IODA or "
        "Cloudflare Radar export (JSON, as the API returns it)." in page
    )
    workbook = SimpleUploadedFile("Keepiton_raw_dataset.xlsx", raw_workbook())
    with worker():
        done = client.post(reverse("response:import"), {"file": workbook, "source": "stop"})
    done = client.get(done["Location"])
    assert done.status_code == 200 and Signal.objects.count() == 7
    sheet = b"probe_cc,measurement_start_day,anomaly_count,measurement_count\nIR,2024-01-01,30,40\n"
    for source, label in (("ooni", "OONI"), ("ioda", "IODA"), ("cloudflare", "Cloudflare Radar")):
        with worker():
            refused = client.post(
                reverse("response:import"),
                {"file": SimpleUploadedFile("export.csv", sheet), "source": source},
            )
        refused = client.get(refused["Location"])
        assert "Refused; nothing imported." in text_of(refused)
        assert f"{label} files are JSON, as its API returns them, and this file is not JSON." in text_of(refused)
    assert Signal.objects.count() == 7 and ImportBatch.objects.filter(refusal="").count() == 1


def test_a_workbook_s_report_names_the_sheets_not_read_and_the_rows_by_sheet(support: Any, worker: Any) -> None:
    workbook = SimpleUploadedFile("Keepiton_raw_dataset.xlsx", raw_workbook())
    with worker():
        done = client_for(support).post(reverse("response:import"), {"file": workbook, "source": "auto"})
    done = client_for(support).get(done["Location"])
    body = text_of(done)
    assert "7 new, 0 already there, 2 rows skipped, 3 sheets not read" in body
    assert "Sheet “Read me”: no STOP header (its first row reads “#KeepItOn STOP data: notes on the method”)" in body
    assert "Sheet “Sheet1”: empty: no header row and no events" in body
    assert "Sheet “2019”, row 4: no start date in the sheet" in body
    assert "Sheet “2021 Data”, row 2: same event as sheet “2020 Data”, row 2" in body
