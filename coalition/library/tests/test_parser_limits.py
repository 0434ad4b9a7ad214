"""The library's Word and PDF reader is bounded by work, not only by size (issue 16, item 7): each hostile file is
small, is refused with a message naming the file and the limit, and is stopped before the costly work is done."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from pypdf import PageObject

from coalition.core import limits
from coalition.core.errors import InvalidInput
from coalition.core.tests import hostile
from coalition.library import extract


def test_a_word_document_whose_styles_unpack_to_36_mb_is_refused_before_anything_is_inflated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = hostile.word_document(styles_bytes=36 * 1024 * 1024)
    assert len(bomb) < 200_000
    with hostile.inflation_meter(monkeypatch) as inflated, pytest.raises(limits.WorkLimitExceeded) as refusal:
        extract.read_file("styles.docx", bomb)
    assert "“styles.docx”" in refusal.value.message and "word/styles.xml" in refusal.value.message
    assert "32.0 MB a part" in refusal.value.message
    assert inflated.bytes == 0  # refused from the zip's directory: python-docx never parsed the 36 MB


def test_a_word_part_that_inflates_like_a_bomb_is_refused_by_its_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = hostile.word_document(styles_bytes=8 * 1024 * 1024)  # under the part limit, but ~700 times over
    with hostile.inflation_meter(monkeypatch) as inflated, pytest.raises(limits.WorkLimitExceeded) as refusal:
        extract.read_file("styles.docx", bomb)
    assert "word/styles.xml" in refusal.value.message and "decompression bomb" in refusal.value.message
    assert f"{limits.MAX_RATIO} times" in refusal.value.message
    assert inflated.bytes == 0


def test_a_word_document_of_too_many_elements_is_refused_while_they_are_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_WORD_ELEMENTS", 10_000)
    styles = b"<w:b/>" * 100_000  # with the template's styles, under the ratio's 1 MB threshold
    document = hostile.word_document(styles=styles)
    with hostile.inflation_meter(monkeypatch) as inflated, pytest.raises(limits.WorkLimitExceeded) as refusal:
        extract.read_file("many.docx", document)
    assert "more than 10,000 XML elements" in refusal.value.message and "“many.docx”" in refusal.value.message
    assert inflated.bytes < len(styles)  # stopped in the first chunk of the styles part


def test_a_pdf_whose_content_stream_unpacks_to_42_mb_is_refused_at_the_stream_limit() -> None:
    bomb = hostile.pdf_with_content(hostile.text_operators(42 * 1024 * 1024))
    assert len(bomb) < 70_000
    tracemalloc.start()
    try:
        with pytest.raises(limits.WorkLimitExceeded) as refusal:
            extract.read_file("stream.pdf", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "“stream.pdf”" in refusal.value.message and "8.0 MB a stream" in refusal.value.message
    assert peak < 3 * limits.MAX_STREAM_BYTES  # pypdf stopped inflating at the limit, not at 42 MB


def test_a_pdf_page_with_too_much_content_is_refused_before_its_text_is_extracted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extracted: list[PageObject] = []
    extract_text = PageObject.extract_text

    def counted(page: PageObject, *args: Any, **kwargs: Any) -> str:
        extracted.append(page)
        return extract_text(page, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    heavy = hostile.pdf_with_content(hostile.text_operators(3 * 1024 * 1024))
    with pytest.raises(limits.WorkLimitExceeded) as refusal:
        extract.read_file("heavy.pdf", heavy)
    assert "“heavy.pdf” has a page (page 1) whose content unpacks to 3.0 MB" in refusal.value.message
    assert "1.0 MB a page" in refusal.value.message
    assert extracted == []


def test_a_pdf_is_read_within_the_processor_time_of_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = b"BT /F1 12 Tf 72 700 Td (Affirms that the same rights apply online.) Tj ET"
    document = hostile.pdf_with_content(text, pages=3)
    assert "same rights apply online" in extract.read_file("fine.pdf", document)
    monkeypatch.setattr(limits, "MAX_CPU_SECONDS", 0.0)
    with pytest.raises(InvalidInput, match=r"“fine\.pdf” needs more than 0 seconds of processing"):
        extract.read_file("fine.pdf", document)


def test_an_ordinary_word_document_is_still_read() -> None:
    assert "same rights apply online" in extract.read_file("fine.docx", hostile.word_document())
