"""Files to text: `read_file` turns an uploaded file (text, Markdown, HTML, Word, PDF) into plain text, refusing
with a message a diplomat can act on anything it cannot read: an unknown or damaged file, a scan without text, a
file too large once unpacked."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

from coalition.core import limits
from coalition.core.errors import InvalidInput

MAX_TEXT_CHARS = 5_000_000
MAX_PDF_PAGES = limits.MAX_PAGES

# The unpacked size, parts and XML elements of a Word file are bounded in `coalition.core.limits`.
MAX_DOCX_PARAGRAPHS = 50_000  # counted in the raw XML before it is parsed: empty paragraphs cost time too

ACCEPTED = "plain text (.txt, .md), web pages (.html, .htm), Word documents (.docx) and PDF files (.pdf)"
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown", ""}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}


# --- Files to text ------------------------------------------------------------------------------------------------


def read_file(name: str, data: bytes) -> str:
    """The text of an uploaded file, recognised by its content first and its name second."""
    label = f"“{name}”" if name else "The file"
    extension = PurePath(name).suffix.lower()
    if not data.strip():
        raise InvalidInput(f"The file {label} has no text: it is empty.", field="file")
    if b"%PDF-" in data[:1024]:
        return _require_text(_pdf_text(data, label), label, kind="PDF file")
    if data.startswith(b"PK\x03\x04"):
        return _require_text(_docx_text(data, label, extension), label, kind="Word document")
    if extension == ".pdf":
        raise InvalidInput(f"The file {label} is named .pdf but is not a PDF file; it may be damaged.", field="file")
    if extension == ".docx":
        raise InvalidInput(
            f"The file {label} is named .docx but is not a Word document; it may be damaged. "
            "Open it in Word and save it again, or upload a PDF.",
            field="file",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InvalidInput(
            f"The file {label} is in the old Word format (.doc). Open it in Word and save it as .docx, or as PDF.",
            field="file",
        )
    if data.startswith(b"{\\rtf"):
        raise InvalidInput(
            f"The file {label} is a rich text (.rtf) file. Save it as .docx or PDF; the library accepts {ACCEPTED}.",
            field="file",
        )
    if extension not in TEXT_EXTENSIONS | HTML_EXTENSIONS:
        raise InvalidInput(f"The library cannot read {label} ({extension} files); it accepts {ACCEPTED}.", field="file")
    text = _decode(data, label)
    if extension in HTML_EXTENSIONS or _looks_like_html(text):
        text = html_text(text)
    return _require_text(text, label, kind="file")


def _require_text(text: str, label: str, *, kind: str) -> str:
    if not text.strip():
        hint = (
            " It may be a scanned image; save it with its text (OCR) or paste the text." if kind == "PDF file" else ""
        )
        raise InvalidInput(f"The {kind} {label} has no text.{hint}", field="file")
    return text


def _decode(data: bytes, label: str) -> str:
    not_text = InvalidInput(
        f"The file {label} is not readable text (it looks like a binary file). The library accepts {ACCEPTED}.",
        field="file",
    )
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: Sequence[str] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        if b"\x00" in data:
            raise not_text
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise not_text
    controls = sum(1 for c in text[:100_000] if ord(c) < 32 and c not in "\t\n\r\f")
    if "\x00" in text or controls > max(3, len(text[:100_000]) // 100):
        raise not_text
    return text


def _pdf_text(data: bytes, label: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    damaged = f"The PDF file {label} is damaged or incomplete and cannot be read. Save or download it again."
    work = limits.Work(f"The PDF file {label}")
    try:
        with limits.pdf_limits():
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise InvalidInput(
                    f"The PDF file {label} is protected by a password. Upload a copy without the password.",
                    field="file",
                )
            pages = reader.pages
            if len(pages) > MAX_PDF_PAGES:
                raise InvalidInput(
                    f"The PDF file {label} has {len(pages):,} pages; the library reads PDF files of up to "
                    f"{MAX_PDF_PAGES:,} pages.",
                    field="file",
                )
            parts: list[str] = []
            total = 0
            for page in pages:
                contents = page.get_contents()  # unpacked once: pypdf keeps it for extract_text
                work.count_page(len(contents.get_data()) if contents is not None else 0)
                part = page.extract_text() or ""
                total += len(part)
                if total > MAX_TEXT_CHARS:
                    raise _too_long(label)
                parts.append(part)
            work.tick()  # pypdf swallows an exception raised inside it, the task worker's time limit too
    except InvalidInput:
        raise
    except LimitReachedError as error:
        raise limits.pdf_stream_refusal(work.subject, str(error)) from None
    except Exception:  # a hostile or broken file may fail anywhere inside the parser
        raise InvalidInput(damaged, field="file") from None
    return "\n".join(parts)


def _too_long(label: str) -> InvalidInput:
    return InvalidInput(
        f"The file {label} holds more than {MAX_TEXT_CHARS:,} characters of text; split it into smaller files.",
        field="file",
    )


def _docx_text(data: bytes, label: str, extension: str) -> str:
    damaged = (
        f"The Word document {label} is damaged and cannot be read. Open it in Word and save it again, or upload a PDF."
    )
    body = b""
    work = limits.Work(f"The Word document {label}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                # Parts, sizes, ratios and elements of every part python-docx would parse, before it parses any.
                work.count_xml_elements(archive, word=True)
                with archive.open("word/document.xml") as stream:
                    body = stream.read()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidInput(damaged, field="file") from None
    if "word/document.xml" not in names:
        if extension == ".docx":
            raise InvalidInput(damaged + " (It has no document body.)", field="file")
        raise InvalidInput(
            f"The file {label} is a ZIP archive, not a document the library reads; it accepts {ACCEPTED}.",
            field="file",
        )
    if sum(body.count(tag) for tag in (b"<w:p>", b"<w:p ", b"<w:p/>")) > MAX_DOCX_PARAGRAPHS:
        raise InvalidInput(
            f"The Word document {label} has more than {MAX_DOCX_PARAGRAPHS:,} paragraphs; split it into smaller files.",
            field="file",
        )
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        paragraphs = []
        for paragraph in _docx_paragraphs(document):
            paragraphs.append(paragraph)
            if len(paragraphs) % 1000 == 0:
                work.tick()
    except InvalidInput:
        raise
    except Exception:  # python-docx and lxml raise many kinds of error on a broken package
        raise InvalidInput(damaged, field="file") from None
    text = "\n\n".join(paragraphs)
    if len(text) > MAX_TEXT_CHARS:
        raise _too_long(label)
    return text


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x")]
_ROMAN += [(9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _list_label(number_format: str, n: int) -> str:
    """How Word shows item n of a numbered list, in the typed form `segment` recognises."""
    if number_format == "decimal":
        return f"{n}."
    if number_format == "lowerLetter":
        return f"({_letters(n)})"
    if number_format == "upperLetter":
        return f"{_letters(n).upper()}."
    if number_format == "lowerRoman":
        return f"({_roman(n)})"
    if number_format == "upperRoman":
        return f"{_roman(n).upper()}."
    return ""  # bullets and formats a paragraph number cannot show


class _WordNumbering:
    """Word list numbers (numbering.xml): counters per list and level, formats and starts per level."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[str, tuple[str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part: the document has no lists
            return
        abstract: dict[str, dict[str, tuple[str, int]]] = {}
        for node in root.findall(_w("abstractNum")):
            levels = {}
            for level in node.findall(_w("lvl")):
                number_format = level.find(_w("numFmt"))
                start = level.find(_w("start"))
                levels[level.get(_w("ilvl"), "0")] = (
                    number_format.get(_w("val"), "") if number_format is not None else "",
                    int(start.get(_w("val"), "1")) if start is not None else 1,
                )
            abstract[node.get(_w("abstractNumId"), "")] = levels
        for node in root.findall(_w("num")):
            abstract_id = node.find(_w("abstractNumId"))
            if abstract_id is not None:
                self.levels[node.get(_w("numId"), "")] = abstract.get(abstract_id.get(_w("val"), ""), {})

    def label(self, paragraph: Any) -> str:
        numbering = _numbering_properties(paragraph._p.pPr)
        style = paragraph.style
        while numbering is None and style is not None:  # "List Number" and similar styles carry the numbering
            numbering = _numbering_properties(style.element.pPr)
            style = style.base_style
        if numbering is None or numbering.numId is None:
            return ""
        list_id = str(numbering.numId.val)
        depth = int(numbering.ilvl.val) if numbering.ilvl is not None else 0
        number_format, start = self.levels.get(list_id, {}).get(str(depth), ("", 1))
        counters = self.counters.setdefault(list_id, {})
        counters[depth] = counters.get(depth, start - 1) + 1
        for deeper in [d for d in counters if d > depth]:
            del counters[deeper]
        return _list_label(number_format, counters[depth])


def _numbering_properties(properties: Any) -> Any:
    return properties.numPr if properties is not None else None


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


def _docx_paragraphs(document: Any) -> Iterator[str]:
    """Paragraph texts in reading order, table cells included, each prefixed with its Word list number if any."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _WordNumbering(document)

    def walk(container: Any, parent: Any) -> Iterator[str]:
        for child in container.iterchildren():
            if child.tag == _w("p"):
                paragraph = Paragraph(child, parent)
                text = " ".join(paragraph.text.split())
                if text:
                    label = numbering.label(paragraph)
                    yield f"{label} {text}" if label and not text.startswith(label) else text
            elif child.tag == _w("tbl"):
                table = Table(child, parent)
                for row in table.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell appears once per column it spans
                            continue
                        seen.add(id(cell._tc))
                        yield from walk(cell._tc, cell)
            elif child.tag == _w("sdt"):  # content controls wrap ordinary paragraphs
                content = child.find(_w("sdtContent"))
                if content is not None:
                    yield from walk(content, parent)

    yield from walk(document.element.body, document)


def _looks_like_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or bool(
        re.match(r"<(head|body|p|div|h[1-6]|table|section|article|meta)[\s>]", head)
    )


class _HTMLText(HTMLParser):
    BLOCK = {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
        "table", "thead", "tbody", "tfoot", "section", "article", "header", "footer", "nav", "aside", "main",
        "blockquote", "pre", "figure", "figcaption", "caption", "address", "hr", "form", "fieldset", "details",
        "summary", "body", "html",
    }  # fmt: skip
    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button", "select"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.lists: list[int | None] = []  # for each open list, the next item number (None for a bullet list)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
            return
        if tag == "br":
            self.parts.append("\n")
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre += 1
        elif tag == "ol":
            start = dict(attrs).get("start") or "1"
            self.lists.append(int(start) if start.isdigit() else 1)
        elif tag == "ul":
            self.lists.append(None)
        elif tag == "li" and self.lists and self.lists[-1] is not None and not self.hidden:
            number = self.lists[-1]
            self.parts.append(f"{number}. ")
            self.lists[-1] = number + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_text(markup: str) -> str:
    """The visible text of a web page, a blank line between blocks (paragraphs, list items, headings, rows)."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
