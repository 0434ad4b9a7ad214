"""Reading texts into paragraphs: files (text, Markdown, HTML, Word, PDF) to text, and text to numbered paragraphs.

`read_file` turns an uploaded file into plain text, refusing with a message a diplomat can act on anything it cannot
read: an unknown or damaged file, a scan without text, a file too large once unpacked. `segment` cuts text into
paragraphs, undoing the hard line wraps and page furniture of texts copied out of UN records (page numbers, job
numbers, document symbols), and recognises the structure of a resolution: preambular paragraphs (PP1, PP2…),
numbered operative paragraphs and their lettered sub-paragraphs, and headings.

The package reads files in `files` and cuts text in `paragraphs`.
"""

from coalition.library.extract.files import ACCEPTED, MAX_PDF_PAGES, MAX_TEXT_CHARS, html_text, read_file
from coalition.library.extract.paragraphs import SPLIT_PARAGRAPH_CHARS, Segment, segment, split_long

__all__ = [
    "ACCEPTED",
    "MAX_PDF_PAGES",
    "MAX_TEXT_CHARS",
    "SPLIT_PARAGRAPH_CHARS",
    "Segment",
    "html_text",
    "read_file",
    "segment",
    "split_long",
]
