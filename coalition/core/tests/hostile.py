"""Small hostile uploads that cost far more to read than their size (issue 16, item 7), and a meter of the bytes a
parser inflates from a zip package. Used by the parsers' tests and by `bench/parser_limits.py`."""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from openpyxl.utils import get_column_letter

from coalition.core import limits

STYLE = b'<w:style w:type="paragraph" w:styleId="Padding"/>'


def word_document(*, styles_bytes: int = 0, styles: bytes = b"") -> bytes:
    """A real Word document (python-docx's own template, one paragraph) whose styles part is padded with
    `styles_bytes` of repeated style definitions, or with `styles` as given."""
    document = docx.Document()
    document.add_paragraph("The Human Rights Council affirms that the same rights apply online.")
    saved = io.BytesIO()
    document.save(saved)
    source = zipfile.ZipFile(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/styles.xml":
                padding = styles or STYLE * (styles_bytes // len(STYLE))
                data = data.replace(b"</w:styles>", padding + b"</w:styles>")
            archive.writestr(name, data)
    return out.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main">'
)


def workbook(sheet_xml: bytes) -> bytes:
    """A workbook of one sheet named "Funding lines" whose worksheet part is `sheet_xml`, as given."""
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            b'/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
            b'/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="Funding lines" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def header_cells(names: list[str]) -> bytes:
    return b"".join(b'<c t="inlineStr"><is><t>' + name.encode() + b"</t></is></c>" for name in names)


def workbook_of_blank_cells(header: list[str], *, rows: int, columns: int, numbered: bool = False) -> bytes:
    """A header row, then `rows` rows of `columns` blank (styled) cells: 1.2 million cells fit in ~40 KB, or, with
    `numbered` cells (each naming its row, as Excel writes them), in a part that inflates under the zip ratio limit."""
    if numbered:
        body = b"<row>" + header_cells(header) + b"</row>"
        letters = [get_column_letter(column).encode() for column in range(1, columns + 1)]
        body += b"".join(
            b"<row>" + b"".join(b'<c r="%s%d" s="0"/>' % (letter, row) for letter in letters) + b"</row>"
            for row in range(2, rows + 2)
        )
    else:
        body = b"<row>" + header_cells(header) + b"</row>" + (b"<row>" + b'<c s="0"/>' * columns + b"</row>") * rows
    return workbook(SHEET_HEAD + b"<sheetData>" + body + b"</sheetData></worksheet>")


def workbook_with_huge_dimension(header: list[str], *, dimension: str, last_row: int) -> bytes:
    """A header row and one cell on `last_row`, in a sheet that declares a `dimension` far larger than what it holds:
    openpyxl hands over every row in between, padded to the declared width."""
    body = b'<row r="1">' + header_cells(header) + b"</row>"
    body += b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (last_row, last_row)
    declared = b'<dimension ref="' + dimension.encode() + b'"/>'
    return workbook(SHEET_HEAD + declared + b"<sheetData>" + body + b"</sheetData></worksheet>")


def pdf_with_content(content: bytes, *, pages: int = 1) -> bytes:
    """A PDF whose pages all draw one Flate-compressed content stream `content`, in Helvetica."""
    compressed = zlib.compress(content, 9)
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed) + compressed + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources " + font + b" >>"
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_operators(size: int) -> bytes:
    """A content stream of about `size` bytes showing one letter per operator: the costliest text to extract."""
    operator = b"(x) Tj\n"
    return b"BT /F1 12 Tf 72 700 Td\n" + operator * (size // len(operator)) + b"ET\n"


class Inflated:
    """Bytes inflated from zip packages while it is on, by any reader (ours, python-docx's, openpyxl's)."""

    def __init__(self) -> None:
        self.bytes = 0


@contextlib.contextmanager
def inflation_meter(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inflated]:
    meter = Inflated()
    read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, *args: Any, **kwargs: Any) -> bytes:
        data = read(self, *args, **kwargs)
        meter.bytes += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    yield meter


@pytest.fixture
def cells_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The running count of cells of a parse, each time a spreadsheet reader hands over a row."""
    counted: list[int] = []
    count_cells = limits.Work.count_cells

    def spy(work: limits.Work, count: int) -> None:
        counted.append(work.cells + count)
        count_cells(work, count)

    monkeypatch.setattr(limits.Work, "count_cells", spy)
    return counted
