"""Reading files into text and text into numbered paragraphs, as an importer or a drafter would see them."""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import time
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer

from coalition.core.errors import InvalidInput
from coalition.library.extract import Segment, read_file, segment

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
UNGDC = SHARED_DATA / "agreed-language" / "ungdc" / "ungdc_2011-2017_digital-mentions.jsonl"

RESOLUTION = """Human Rights Council
Fifty-ninth session
Agenda item 3

Digital literacy and the enjoyment of human rights

The Human Rights Council,

Guided by the purposes and principles of the Charter of the United Nations,

Recalling its earlier resolutions on the enjoyment of human rights in digital spaces, and the
relevant resolutions adopted by the General Assembly,

Noting with concern that the deliberate interruption of access to communication networks hampers
the work of journalists, teachers and health workers alike,

Recognizing the part played by libraries and community organizations in teaching digital skills,

1. Affirms that the rights people hold offline must be respected and protected online as well;

2. Calls upon all States:

(a) To refrain from measures that deliberately cut off or slow down access to information online;

(b) To design digital literacy programmes together with the communities they are meant to serve;

3. Requests the Office of the High Commissioner to gather examples of good practice and to present
them to the Council at its sixty-second session;

4. Decides to remain seized of the matter.
"""

EXPECTED_STRUCTURE = [
    ("", "heading"),
    ("", "heading"),
    ("", "heading"),
    ("", "heading"),
    ("", "heading"),
    ("PP1", "preambular"),
    ("PP2", "preambular"),
    ("PP3", "preambular"),
    ("PP4", "preambular"),
    ("1", "operative"),
    ("2", "operative"),
    ("2 (a)", "operative"),
    ("2 (b)", "operative"),
    ("3", "operative"),
    ("4", "operative"),
]


def structure(segments: list[Segment]) -> list[tuple[str, str]]:
    return [(s.number, s.kind) for s in segments]


def wrap(text: str, width: int = 60) -> str:
    """Hard-wrap every paragraph of a text the way a PDF or a typewritten record does, without blank lines."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if not re.search(r"[.,;:]\s*$", paragraph):  # a letterhead or a title keeps its lines
            lines += paragraph.strip().split("\n")
            continue
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    return "\n".join(lines)


def pdf_bytes(*paragraphs: str) -> bytes:
    buffer = io.BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    flowables = []
    for text in paragraphs:
        flowables += [PdfParagraph(text, style), Spacer(1, 12)]
    SimpleDocTemplate(buffer, pagesize=A4).build(flowables)
    return buffer.getvalue()


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as raised:
        read_file(name, data)
    assert raised.value.field == "file"
    return raised.value.message


# --- Resolution structure -----------------------------------------------------------------------------------------


def test_a_resolution_gets_preambular_and_operative_numbers():
    segments = segment(RESOLUTION)

    assert structure(segments) == EXPECTED_STRUCTURE
    assert segments[4].text == "The Human Rights Council,"
    assert segments[6].text == (
        "Recalling its earlier resolutions on the enjoyment of human rights in digital spaces, and the relevant "
        "resolutions adopted by the General Assembly,"
    )
    assert (
        segments[11].text
        == "To refrain from measures that deliberately cut off or slow down access to information online;"
    )
    assert segments[-1].text == "Decides to remain seized of the matter."


def test_a_resolution_without_blank_lines_keeps_its_structure():
    segments = segment(wrap(RESOLUTION))

    assert structure(segments)[4:] == EXPECTED_STRUCTURE[4:]
    assert segments[13].text.startswith("Requests the Office of the High Commissioner")
    assert segments[13].text.endswith("at its sixty-second session;")


def test_a_resolution_with_one_paragraph_per_line_keeps_its_structure():
    one_per_line = "\n".join(" ".join(p.split()) for p in RESOLUTION.split("\n\n")[2:])

    assert structure(segment(one_per_line)) == EXPECTED_STRUCTURE[4:]


def test_operative_numbers_typed_with_a_space_before_the_full_stop_are_read():
    text = (
        "Reaffirming its commitment to an open Internet,\n\n"
        "1 . Encourages States to share practice;\n\n"
        "2 . Decides to continue."
    )

    assert structure(segment(text)) == [("PP1", "preambular"), ("1", "operative"), ("2", "operative")]


def test_drafts_labelled_pp_and_op_keep_their_labels():
    text = "PP1 Recalling the outcome of the World Summit,\n\nOP1 Urges all parties to engage constructively;"

    segments = segment(text)

    assert structure(segments) == [("PP1", "preambular"), ("OP1", "operative")]
    assert segments[1].text == "Urges all parties to engage constructively;"


def test_sub_paragraphs_in_roman_numerals_nest_under_their_letter():
    text = (
        "Noting the work of the special procedures,\n\nRecalling its earlier decisions,\n\n"
        "5. Requests the Secretary-General:\n\n(a) To report on:\n\n(i) Good practice;\n\n(ii) Remaining gaps;\n\n"
        "(b) To consult widely;"
    )

    numbers = [s.number for s in segment(text)]

    assert numbers == ["PP1", "PP2", "5", "5 (a)", "5 (a) (i)", "5 (a) (ii)", "5 (b)"]


def test_a_speech_stays_body_text_even_when_paragraphs_open_with_a_participle():
    text = (
        "Recalling the words of my predecessor, I stand here today with hope.\n\n"
        "Noting the progress made, we must nonetheless do more for the people we serve.\n\n"
        "Thank you."
    )

    assert {s.kind for s in segment(text)} == {"body"}
    assert all(s.number == "" for s in segment(text))


# --- Layout: wraps, indents, page furniture -----------------------------------------------------------------------


def test_hard_wrapped_lines_inside_a_paragraph_are_joined():
    text = "The Internet must remain\nopen, secure and\nreliable for everyone.\n\nA second paragraph\nfollows here."

    assert [s.text for s in segment(text)] == [
        "The Internet must remain open, secure and reliable for everyone.",
        "A second paragraph follows here.",
    ]


def test_an_indented_line_starts_a_paragraph_and_page_furniture_is_dropped():
    text = (
        "First, I would like to \ncongratulate the President on \nhis election to this office. \n"
        " Our world today faces \ncomplex crises that threaten the \n \n \n29 11-51360 \n \n"
        "United Nations and its Members. \nA/66/PV.11 \n 42 \n Finally, we \nstand ready to help. \n"
    )

    assert [s.text for s in segment(text)] == [
        "First, I would like to congratulate the President on his election to this office.",
        "Our world today faces complex crises that threaten the United Nations and its Members.",
        "Finally, we stand ready to help.",
    ]


def test_page_and_job_numbers_glued_to_a_line_are_removed():
    text = "We must act on climate change now, and we must act\n24/29 17-29395 together with every region."

    assert [s.text for s in segment(text)] == [
        "We must act on climate change now, and we must act together with every region."
    ]


def test_a_page_break_inside_a_sentence_between_blank_lines_does_not_split_the_paragraph():
    text = "Peace is never\n\nsettled forever.\n\nThe next paragraph starts here."

    assert [s.text for s in segment(text)] == ["Peace is never settled forever.", "The next paragraph starts here."]


def test_real_hyphens_at_line_ends_are_kept():
    text = (
        "We need a multi-\nstakeholder approach and a five-year-\nold plan from the Secretary-\n"
        "General for post-\n2015."
    )

    assert segment(text)[0].text == (
        "We need a multi-stakeholder approach and a five-year-old plan from the Secretary-General for post-2015."
    )


def test_a_word_wrapped_with_a_hyphen_is_joined_when_the_text_spells_it_whole():
    text = "Cooperation is international by nature, and inter-\nnational law guides it."

    assert segment(text)[0].text == "Cooperation is international by nature, and international law guides it."


def test_a_single_paragraph_of_a_million_characters_comes_back_as_one_segment_quickly():
    text = "freedom of expression online " * 34_483
    started = time.perf_counter()

    segments = segment(text)

    assert len(segments) == 1
    assert len(segments[0].text) >= 999_990
    assert time.perf_counter() - started < 2


def test_a_million_characters_hard_wrapped_without_punctuation_is_one_segment():
    text = wrap("freedom of expression online " * 34_483)

    assert len(segment(text)) == 1


def test_an_empty_text_has_no_segments():
    assert segment(" \n\n \t") == []


# --- Markdown -----------------------------------------------------------------------------------------------------


def test_markdown_markup_is_stripped_and_headings_and_numbers_kept():
    text = (
        "# Joint statement on *internet shutdowns*\n\n"
        "The coalition is **deeply concerned** by [recent reports](https://example.org/report) of\n"
        "shutdowns during _elections_.\n\n"
        "We call on States to:\n\n"
        "1. Keep networks open;\n"
        "2. Publish any restriction.\n\n"
        "- A bullet point without a number."
    )

    segments = segment(text, markdown=True)

    assert [(s.text, s.number, s.kind) for s in segments] == [
        ("Joint statement on internet shutdowns", "", "heading"),
        ("The coalition is deeply concerned by recent reports of shutdowns during elections.", "", "body"),
        ("We call on States to:", "", "body"),
        ("Keep networks open;", "1", "body"),
        ("Publish any restriction.", "2", "body"),
        ("A bullet point without a number.", "", "body"),
    ]


SEPARATED = [
    "The coalition affirms that the same rights apply online.",
    "---",
    "It calls upon all States to keep networks open.",
    "***",
    "It asks companies to publish every restriction.",
    "* * *",
    "It welcomes the work of the Special Rapporteur.",
    "___",
    "It decides to remain seized of the matter.",
    "= = =",
    "———",
    "It thanks the host country.",
]
SEPARATOR_FILES = {
    "statement.txt": "\n\n".join(SEPARATED).encode(),
    "statement.md": "\n\n".join(SEPARATED).encode(),
    "statement.html": "".join(f"<p>{line}</p>" for line in SEPARATED).encode(),
    "statement.docx": None,  # made below, one Word paragraph per line
    "statement.pdf": pdf_bytes(*SEPARATED),
}


@pytest.mark.parametrize("name", SEPARATOR_FILES)
def test_separator_lines_never_become_paragraphs_in_any_file_format(name: str):
    """Issue 15 item 21: lines of punctuation only ("---", "***", "* * *", "___") came out as paragraphs."""
    data = SEPARATOR_FILES[name]
    if data is None:
        document = docx.Document()
        for line in SEPARATED:
            document.add_paragraph(line)
        data = docx_bytes(document)

    segments = segment(read_file(name, data), markdown=name.endswith(".md"))

    assert [s.text for s in segments] == [line for line in SEPARATED if line[0].isalpha()]


def test_a_separator_line_between_lines_without_blank_lines_still_separates_the_paragraphs():
    """Issue 15 item 21: a separator line marks a break between paragraphs; it is not text of either."""
    text = "The coalition affirms that the same rights apply online.\n* * *\nIt calls upon all States to act.\n"

    assert [s.text for s in segment(text)] == [
        "The coalition affirms that the same rights apply online.",
        "It calls upon all States to act.",
    ]


# --- Files --------------------------------------------------------------------------------------------------------


def test_a_web_page_is_read_block_by_block_without_scripts_or_styles():
    page = (
        "<!DOCTYPE html><html><head><title>Ignored</title><style>p {color: red}</style></head><body>"
        "<div><h1>Freedom&nbsp;online</h1><div><p>Rights &amp; duties\n   apply <em>online</em> too.</p>"
        "<script>alert('not text')</script><ul><li>First &lt;item&gt;</li><li>Second item</li></ul></div>"
        "<p>Line one<br>line two &#8212; &eacute;t&eacute;</p></div></body></html>"
    )

    text = read_file("statement.html", page.encode())

    assert "alert" not in text
    assert "color" not in text
    assert "Ignored" not in text
    assert [s.text for s in segment(text)] == [
        "Freedom online",
        "Rights & duties apply online too.",
        "First <item>",
        "Second item",
        "Line one line two — été",
    ]


def test_a_web_page_is_recognised_by_its_content_without_an_extension():
    assert read_file("download", b"<html><body><p>Hello</p><p>World</p></body></html>") == "Hello\n\nWorld"


def test_a_word_document_is_read_in_order_with_its_tables():
    document = docx.Document()
    document.add_paragraph("The Human Rights Council,")
    document.add_paragraph("Recalling its earlier resolutions,")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Cell one text."
    table.rows[0].cells[1].text = "Cell two text."
    document.add_paragraph("")
    document.add_paragraph("1. Decides to remain seized of the matter.")

    text = read_file("draft.docx", docx_bytes(document))

    assert [s.text for s in segment(text)] == [
        "The Human Rights Council,",
        "Recalling its earlier resolutions,",
        "Cell one text.",
        "Cell two text.",
        "Decides to remain seized of the matter.",
    ]


def test_word_list_numbering_becomes_operative_numbers():
    document = docx.Document()
    document.add_paragraph("Welcoming the report of the Special Rapporteur,")
    document.add_paragraph("Encourages States to cooperate;", style="List Number")
    document.add_paragraph("Decides to continue its consideration of the matter.", style="List Number")

    segments = segment(read_file("draft.docx", docx_bytes(document)))

    assert structure(segments) == [("PP1", "preambular"), ("1", "operative"), ("2", "operative")]
    assert segments[2].text == "Decides to continue its consideration of the matter."


def test_a_word_document_declaring_an_external_entity_does_not_read_local_files(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(document)))
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                xml = content.decode()
                declaration, rest = xml.split("?>", 1)
                doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                content = (declaration + "?>" + doctype + rest.replace("PLACEHOLDER", "Before &xxe; after")).encode()
            target.writestr(item, content)

    try:
        text = read_file("hostile.docx", hostile.getvalue())
    except InvalidInput:
        return
    assert "TOP-SECRET-CONTENT" not in text


def test_a_pdf_is_read_into_its_paragraphs():
    first = (
        "The coalition affirms that the same rights that people have offline must also be protected online, in "
        "particular freedom of expression, which applies regardless of frontiers and through any media of choice."
    )
    second = "It calls upon all States to promote and facilitate access to the Internet and international cooperation."

    segments = segment(read_file("statement.pdf", pdf_bytes(first, second)))

    assert [s.text for s in segments] == [first, second]


def test_a_pdf_is_recognised_by_its_content_whatever_its_name():
    assert "Hello from a PDF" in read_file("attachment.txt", pdf_bytes("Hello from a PDF."))


def test_a_pdf_without_text_is_refused_as_probably_scanned():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(100, 100, 200, 200, fill=1)
    page.save()

    message = refusal("scan.pdf", buffer.getvalue())

    assert "has no text" in message
    assert "scanned" in message


def test_a_truncated_pdf_is_refused_as_damaged():
    data = pdf_bytes("Some text that will not survive truncation.")

    assert "damaged" in refusal("cut.pdf", data[: len(data) // 3])


def test_a_pdf_header_followed_by_garbage_is_refused_as_damaged():
    assert "damaged" in refusal("garbage.pdf", b"%PDF-1.4\n" + os.urandom(4000))


def test_a_pdf_with_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("coalition.library.extract.files.MAX_PDF_PAGES", 1)
    data = pdf_bytes(*["A paragraph to fill the pages of this document with some text." for _ in range(120)])

    assert "pages" in refusal("long.pdf", data)


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused():
    assert "not a PDF" in refusal("report.pdf", b"just some words")


def test_a_zip_without_a_document_body_named_docx_is_refused_as_damaged():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("readme.txt", "nothing here")

    message = refusal("draft.docx", archive.getvalue())

    assert "Word document" in message
    assert "damaged" in message


def test_random_bytes_named_docx_are_refused():
    message = refusal("draft.docx", os.urandom(2000).replace(b"PK", b"pk"))

    assert "not a Word document" in message


def test_a_zip_archive_of_other_files_is_refused_with_the_accepted_types():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("photo.jpg", "not really")

    assert ".docx" in refusal("bundle.zip", archive.getvalue())


def test_an_empty_file_is_refused():
    assert "has no text" in refusal("empty.txt", b"")


def test_a_file_of_only_whitespace_is_refused():
    assert "has no text" in refusal("blank.txt", b"  \n\n\t \r\n")


def test_binary_garbage_named_txt_is_refused_with_the_accepted_types():
    message = refusal("notes.txt", bytes(range(256)) * 8)

    assert "not readable text" in message
    assert ".pdf" in message


def test_an_unknown_file_type_is_refused_with_the_accepted_types():
    message = refusal("picture.png", b"\x89PNG\r\n\x1a\n" + os.urandom(100))

    assert ".png" in message
    assert ".docx" in message


def test_an_old_word_file_is_refused_with_advice_to_save_as_docx():
    assert ".docx" in refusal("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Déclaration « commune »".encode(), "Déclaration « commune »"),
        ("\ufeffDéclaration commune".encode(), "Déclaration commune"),
        ("Déclaration “commune”".encode("utf-16"), "Déclaration “commune”"),
        ("Déclaration “commune”".encode("cp1252"), "Déclaration “commune”"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM", "cp1252"],
)
def test_text_files_are_decoded_from_common_encodings(data: bytes, expected: str):
    assert read_file("statement.txt", data) == expected


def test_a_text_file_with_nul_bytes_is_refused():
    assert "not readable text" in refusal("statement.txt", b"Hello\x00world")


# --- Real data ----------------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.skipif(not UNGDC.exists(), reason="../shared/data is not beside the repository")
def test_general_debate_speeches_come_out_as_paragraphs_without_page_furniture():
    speeches = [json.loads(line)["text"] for line in UNGDC.read_text(encoding="utf-8").splitlines() if line.strip()]

    segments = [s for speech in speeches for s in segment(speech)]
    sizes = [len(s.text.split()) for s in segments]

    assert 40 <= statistics.median(sizes) <= 120
    assert max(sizes) < 400
    assert len(segments) > 15 * len(speeches)
    assert {s.kind for s in segments} <= {"body", "heading"}
    furniture = r"\b\d{2}-\d{5}\b|^A/\d+/PV\.\d+$|^\d+$"
    assert not [s.text for s in segments if re.search(furniture, s.text)]
