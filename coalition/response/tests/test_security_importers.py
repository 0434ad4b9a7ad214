"""Security review of rapid response's imports: each test asserts the secure behaviour, so a failing test marks a hole.

Covered: importer bounds (nesting, huge numbers, rows, zip bombs, formula cells, size before reading); the ingestion
task (symlinks, https only, no redirect to plain http, size cap).
"""

from __future__ import annotations

import http.client
import http.server
import io
import json
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from coalition.core.errors import InvalidInput
from coalition.response import importers, tasks
from coalition.response.forms import ImportForm
from coalition.response.models import (
    ImportBatch,
    Signal,
)
from coalition.response.tests.test_importers import stop_csv, stop_row
from coalition.response.tests.test_security import BUDGET_SECONDS, outcome_within, parse

pytestmark = pytest.mark.django_db


# --- Importer hardening -------------------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_in_time() -> None:
    """Rule: a JSON bomb (deep nesting) is refused with a message, not a crash or a stall."""
    bomb = b"[" * 200_000 + b"]" * 200_000
    assert outcome_within(BUDGET_SECONDS, parse, "ooni", bomb) == "refused"
    nested = b'{"result": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b', "db_stats": {}}'
    assert outcome_within(BUDGET_SECONDS, parse, "ooni", nested) == "refused"


def test_huge_numbers_in_json_are_refused_not_a_crash() -> None:
    """Rule: bad input gets a clear message naming the row — huge integers, 1e999 and out-of-range timestamps are
    refused (InvalidInput), never an unhandled ValueError/OverflowError (a 500)."""
    digits = json.dumps({"measurement_uid": "u", "probe_cc": "MM"}).replace('"u"', "1" + "0" * 5000).encode()
    aggregate = (
        b'{"db_stats": {}, "dimension_count": 1, "result": [{"measurement_start_day": "2024-01-01", '
        b'"probe_cc": "MM", "anomaly_count": 1e999, "confirmed_count": 1e999, "measurement_count": 1e999}]}'
    )
    series = {"entityType": "country", "entityCode": "MM", "datasource": "bgp", "step": 300, "values": [10, 1, 10]}
    ioda_inf = json.dumps({"type": "signals", "data": [[{**series, "from": 1e999}]]}).replace("Infinity", "1e999")
    ioda_far = json.dumps({"type": "signals", "data": [[{**series, "from": 10**15}]]})
    for source, data in (
        ("ooni", digits),
        ("ooni", aggregate),
        ("ioda", ioda_inf.encode()),
        ("ioda", ioda_far.encode()),
    ):
        assert outcome_within(BUDGET_SECONDS, parse, source, data) == "refused", (source, data[:80])


def test_json_files_with_more_than_the_row_limit_are_refused() -> None:
    """Rule: one import takes up to MAX_ROWS rows, for every source (OONI aggregations and IODA series too)."""
    many = importers.MAX_ROWS + 1
    day = {"measurement_start_day": "2024-01-01", "probe_cc": "MM", "confirmed_count": 1, "measurement_count": 1}
    aggregate = {"db_stats": {}, "dimension_count": 2, "result": [{**day, "probe_asn": n} for n in range(many)]}
    series = {"entityType": "country", "entityCode": "MM", "datasource": "x", "from": 0, "step": 300, "values": [1]}
    ioda = {"type": "signals", "data": [[series] * many]}
    for source, document in (("ooni", aggregate), ("ioda", ioda)):
        assert outcome_within(BUDGET_SECONDS, parse, source, json.dumps(document).encode()) == "refused", source


def test_a_sheet_with_more_than_the_row_limit_is_refused() -> None:
    """Rule: a 100k-row sheet (beyond MAX_ROWS) is refused, whatever the sheet's declared dimension."""
    sheet = stop_csv(*([stop_row(area="A")] + [",,,,"] * (importers.MAX_ROWS + 1)))
    assert outcome_within(BUDGET_SECONDS, parse, "stop", sheet, "stop_2021.csv") == "refused"


def xlsx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(cells: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><dimension ref="A1:G2"/><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>"
    )


STOP_HEADER = ["start_date", "country", "area_name", "shutdown_type", "affected_network", "shutdown_extent", "end_date"]


def inline_cells(values: list[str] | list[str | None], row: int) -> bytes:
    """Inline-string cells of one row; None is a formula cell without a cached value."""
    cells = b""
    for column, value in enumerate(values):
        ref = f"{chr(65 + column)}{row}".encode()
        if value is None:
            cells += b'<c r="' + ref + b'"><f>HYPERLINK("https://evil.example","x")</f></c>'
        else:
            cells += b'<c r="' + ref + b'" t="inlineStr"><is><t>' + value.encode() + b"</t></is></c>"
    return cells


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    """Rule: a workbook whose parts inflate far beyond the file limit (sharedStrings bomb, ratio > 1000:1) is refused
    before openpyxl reads it, in time (the sheet itself is a valid, empty STOP sheet: only the bomb can refuse it)."""
    strings = b"<si><t>" + b"a" * 1000 + b"</t></si>"
    count = 100_000  # ~100 MB inflated, ~100 KB compressed
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        + f' count="{count}" uniqueCount="{count}">'.encode()
        + strings * count
        + b"</sst>"
    )
    bomb = xlsx(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet_xml(inline_cells(STOP_HEADER, 1)),
            "xl/sharedStrings.xml": shared,
        }
    )
    assert len(bomb) < 1024 * 1024
    assert outcome_within(BUDGET_SECONDS, parse, "stop", bomb, "stop_2021.xlsx") == "refused"


def test_formula_cells_are_not_imported_as_text(support: Any) -> None:
    """Rule: a formula cell is never evaluated nor stored as a formula (openpyxl data_only, read-only)."""
    row: list[str | None] = ["2021-03-01", "India", None, "Shutdown", "Mobile", "Full network", "2021-03-02"]
    sheet = sheet_xml(inline_cells(STOP_HEADER, 1)).replace(
        b"</row>", b'</row><row r="2">' + inline_cells(row, 2) + b"</row>"
    )
    book = xlsx(
        {
            "[Content_Types].xml": CONTENT_TYPES.split(b'<Override PartName="/xl/sharedStrings.xml"')[0] + b"</Types>",
            "_rels/.rels": RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.split(b'<Relationship Id="rId2"')[0] + b"</Relationships>",
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    importers.import_file(by=support, source="stop", file_name="stop_2021.xlsx", data=book)
    assert Signal.objects.count() == 1
    for region, network in Signal.objects.values_list("region", "network"):
        assert "HYPERLINK" not in region and not region.startswith("=") and "HYPERLINK" not in network


class Unreadable(SimpleUploadedFile):
    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("an oversized upload was read")


def test_an_oversized_upload_is_refused_before_it_is_read(settings: Any, support: Any) -> None:
    """Rule: file-size checks come before reading (ImportForm.clean_file, importers.importing._import)."""
    settings.RESPONSE_MAX_FILE_BYTES = 1000
    files = MultiValueDict({"file": [Unreadable("stop_2021.csv", b"x" * 5000)]})
    form = ImportForm(data={"source": "stop"}, files=files)  # type: ignore[arg-type]
    assert not form.is_valid() and "file" in form.errors
    with pytest.raises(InvalidInput):
        importers.import_file(by=support, source="stop", file_name="s.csv", data=b"x" * 5000)
    assert not ImportBatch.objects.exists()


# --- Scheduled ingestion ------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "ingest"
    root.mkdir()
    settings.RESPONSE_INGEST_DIR = str(root)
    settings.RESPONSE_FETCH_URLS = []
    (root / "stop").mkdir()
    return root


def test_ingestion_does_not_follow_symlinks_out_of_its_folder(folder: Path, tmp_path: Path) -> None:
    """Rule: the ingestion reads only regular files inside RESPONSE_INGEST_DIR — a symlink to a file elsewhere is
    not followed (path traversal)."""
    outside = tmp_path / "elsewhere" / "stop_2021.csv"
    outside.parent.mkdir()
    outside.write_bytes(stop_csv(stop_row(area="Outside")))
    (folder / "stop" / "stop_2021.csv").symlink_to(outside)
    tasks.ingest()
    assert not ImportBatch.objects.exists() and not Signal.objects.exists()


def test_ingestion_fetches_only_configured_https_addresses(
    folder: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule: only `source=https://…` entries are fetched; http, file and unknown sources are refused unfetched."""
    fetched: list[str] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, *a, **k: fetched.append(url))
    settings.RESPONSE_FETCH_URLS = [
        "stop=http://example.org/stop_2021.csv",
        "stop=file:///etc/passwd",
        "evil=https://example.org/x.json",
        "ooni=ftp://example.org/x.json",
    ]
    report = tasks.ingest()
    assert fetched == [] and len(report.refused) == 4


@pytest.fixture
def local_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """A plain-HTTP server standing in for an https address (the https handler is pointed at it); it answers
    /redirect with a 302 to a plain http:// address, /big with more than the limit, /data with a STOP sheet."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            port = int(self.server.server_address[1])  # type: ignore[index]
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{port}/stop_2021.csv")
                self.end_headers()
                return
            body = b"x" * 4096 if self.path == "/big.csv" else stop_csv(stop_row(area="Plain"))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)
    monkeypatch.setattr(
        urllib.request.HTTPSHandler,
        "https_open",
        lambda self, req: self.do_open(http.client.HTTPConnection, req),
    )
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_a_fetch_is_not_redirected_to_plain_http(folder: Path, settings: Any, local_server: Any) -> None:
    """Rule: ingestion fetches only https — a configured https address redirecting to http:// is refused, not
    followed (downgrade to a tamperable channel)."""
    base, hits = local_server
    settings.RESPONSE_FETCH_URLS = [f"stop={base}/redirect"]
    tasks.ingest()
    assert "/stop_2021.csv" not in hits
    assert not Signal.objects.exists()


def test_a_fetched_answer_larger_than_the_limit_is_refused(folder: Path, settings: Any, local_server: Any) -> None:
    """Rule: the answer of a fetch is capped at RESPONSE_MAX_FILE_BYTES (read bounded, nothing saved)."""
    base, _ = local_server
    settings.RESPONSE_MAX_FILE_BYTES = 1000
    settings.RESPONSE_FETCH_URLS = [f"stop={base}/big.csv"]
    report = tasks.ingest()
    assert len(report.refused) == 1 and "larger" in report.refused[0]
    assert not ImportBatch.objects.exists()
