"""Benchmark: the worst case of each upload parser at its work limits (issue 16, item 7).

Every file is made first (in a temporary folder, outside the measure); each case then runs in a fresh process that
sets up Django, resets its peak-memory mark, reads the file once through the parser as an upload reaches it, and
reports its processor time, its wall time and its peak resident memory during the read. The baseline is the same
parser reading an ordinary small file of the same kind in the same way (a one-paragraph Word document, a one-page
PDF, a 20-row workbook); ratios are against it.

Cases, per parser:
- the hostile files of the issue (a 145 KB Word document whose styles part unpacks to 36 MB; a 64 KB PDF whose
  content stream unpacks to 42 MB; a 36 KB workbook of 1.2 million blank cells): refused;
- the largest file each limit lets through, or that it stops at: a Word document of 596,000 XML elements (17,500
  paragraphs of 16 runs, 2.3 million characters); a PDF page of 1 MB of one-letter text operators, and 40 such
  pages (stopped by the processor-time limit); a workbook of 500,000 real cells, read to the cell limit, through the
  signal importer and through the funding template (which reads a workbook twice: values and formulas).

Run: .venv/bin/python bench/parser_limits.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
STOP_HEADER = ["start_date", "country", "area_name", "shutdown_type", "affected_network", "shutdown_extent", "end_date"]
FUNDING_HEADER = ["Identifier", "Title", "Funding stage", "Amount", "Currency", "Period start", "Period end"]


def largest_word_document() -> bytes:
    """17,500 paragraphs of 16 runs each (596,000 elements, under MAX_WORD_ELEMENTS with the template's own),
    each run a different word, so that the body inflates like real text rather than like a bomb."""
    import io
    import zipfile

    from coalition.core.tests import hostile

    body = b"".join(
        b"<w:p>" + b"".join(b"<w:r><w:t>w%dx%d</w:t></w:r>" % (paragraph, run) for run in range(16)) + b"</w:p>"
        for paragraph in range(17_500)
    )
    small = zipfile.ZipFile(io.BytesIO(hostile.word_document()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in small.namelist():
            data = small.read(name)
            if name == "word/document.xml":
                data = data.split(b"<w:body>")[0] + b"<w:body>" + body + b"</w:body></w:document>"
            archive.writestr(name, data)
    return out.getvalue()


def make_files(folder: Path) -> dict[str, tuple[str, Path]]:
    """Each case's parser and file."""
    from coalition.core.tests import hostile

    text = b"BT /F1 12 Tf 72 700 Td (Affirms that the same rights apply online.) Tj ET"
    ordinary_rows = [
        [f"2021-03-0{1 + n % 9}", "India", "Area", "Shutdown", "Mobile", "Full network", ""] for n in range(20)
    ]
    ordinary_sheet = b"".join(b"<row>" + hostile.header_cells(row) + b"</row>" for row in ordinary_rows)
    files = {
        "word: ordinary (baseline)": ("word", hostile.word_document()),
        "word: styles unpack to 36 MB": ("word", hostile.word_document(styles_bytes=36 * 1024 * 1024)),
        "word: 596,000 elements (the most let through)": ("word", largest_word_document()),
        "pdf: one page (baseline)": ("pdf", hostile.pdf_with_content(text)),
        "pdf: 42 MB content stream": ("pdf", hostile.pdf_with_content(hostile.text_operators(42 * 1024 * 1024))),
        "pdf: a page of 1 MB of text operators": (
            "pdf",
            hostile.pdf_with_content(hostile.text_operators(1024 * 1024 - 1024)),
        ),
        "pdf: 40 such pages (processor-time limit)": (
            "pdf",
            hostile.pdf_with_content(hostile.text_operators(1024 * 1024 - 1024), pages=40),
        ),
        "signal sheet: 20 rows (baseline)": (
            "stop",
            hostile.workbook(
                hostile.SHEET_HEAD
                + b"<sheetData><row>"
                + hostile.header_cells(STOP_HEADER)
                + b"</row>"
                + ordinary_sheet
                + b"</sheetData></worksheet>"
            ),
        ),
        "signal sheet: 1.2 M blank cells in 36 KB": (
            "stop",
            hostile.workbook_of_blank_cells(STOP_HEADER, rows=12_000, columns=100),
        ),
        "signal sheet: 500,000 cells (to the cell limit)": (
            "stop",
            hostile.workbook_of_blank_cells(STOP_HEADER, rows=5_100, columns=100, numbered=True),
        ),
        "signal sheet: dimension A1:XFD100000": (
            "stop",
            hostile.workbook_with_huge_dimension(STOP_HEADER, dimension="A1:XFD100000", last_row=100_000),
        ),
        "funding template: 20 rows (baseline)": (
            "funding",
            hostile.workbook(
                hostile.SHEET_HEAD
                + b"<sheetData><row>"
                + hostile.header_cells(FUNDING_HEADER)
                + b"</row>"
                + b"".join(
                    b"<row>"
                    + hostile.header_cells([f"XM-{n}", "Title", "disbursed", "100", "EUR", "2024-01-01", ""])
                    + b"</row>"
                    for n in range(20)
                )
                + b"</sheetData></worksheet>"
            ),
        ),
        "funding template: 500,000 cells (to the cell limit)": (
            "funding",
            hostile.workbook_of_blank_cells(FUNDING_HEADER, rows=5_100, columns=100, numbered=True),
        ),
    }
    paths = {}
    for number, (case, (parser, data)) in enumerate(files.items()):
        path = folder / f"case{number}"
        path.write_bytes(data)
        paths[case] = (parser, path)
    return paths


def _parse(parser: str, data: bytes) -> str:
    from coalition.core.errors import InvalidInput

    try:
        if parser in ("word", "pdf"):
            from coalition.library import extract

            return f"read, {len(extract.read_file('upload.' + ('docx' if parser == 'word' else 'pdf'), data)):,} chars"
        if parser == "stop":
            from coalition.response import importers

            rows = list(
                importers.parse_file(source="stop", file_name="stop_2021.xlsx", data=data, countries=_Countries())  # type: ignore[arg-type]
            )
            return f"read, {len(rows):,} rows"
        from coalition.donors.ingest import iati, spreadsheet

        report = spreadsheet.read(data, file_name="funding.xlsx", reporter=iati.Organisation(ref="XM-DAC-7"))
        return "refused: " + report.errors[0].message[:90] if report.errors else "read"
    except InvalidInput as error:
        return "refused: " + error.message[:90]


class _Countries:
    """Country lookups without a database: every name is unknown (the cost measured is reading, not resolving)."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def child(parser: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "test")
    import django

    django.setup()
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak so far (Django's start) no longer counts
    started, cpu = time.perf_counter(), time.process_time()
    outcome = _parse(parser, data)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"wall": wall, "cpu": used, "peak_mb": _peak_mb(), "outcome": outcome, "size": len(data)}))


def _peak_mb() -> float:
    """The process's peak resident memory since the last reset (Linux's VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cases = make_files(Path(folder))
        results = {}
        for case, (parser, path) in cases.items():
            done = subprocess.run(
                [sys.executable, __file__, "--child", parser, str(path)], capture_output=True, text=True, check=True
            )
            results[case] = json.loads(done.stdout.strip().splitlines()[-1])
    baseline = {}
    print("| case | file | processor time | wall time | peak memory | outcome |")
    print("|---|---|---|---|---|---|")
    for case, result in results.items():
        parser = cases[case][0]
        if "baseline" in case:
            baseline[parser] = result
        base = baseline[parser]
        ratio = f" ({result['cpu'] / max(base['cpu'], 1e-3):,.0f}×)" if "baseline" not in case else ""
        memory = f" ({result['peak_mb'] - base['peak_mb']:+,.0f} MB)" if "baseline" not in case else ""
        print(
            f"| {case} | {result['size'] / 1024:,.0f} KB | {result['cpu']:.2f} s{ratio} | {result['wall']:.2f} s "
            f"| {result['peak_mb']:,.0f} MB{memory} | {result['outcome']} |"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
