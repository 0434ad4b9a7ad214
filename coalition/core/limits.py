"""The work one uploaded file may cost to read (issue 16, item 7), in one place for every parser of uploads.

A file's size says little about the work of reading it: a 54 KB Word document whose styles part unpacked to 36 MB
cost 0.9 GB, a 62 KB PDF with a 42 MB content stream tied up a web worker for minutes, and a 134 KB workbook of 1.2
million cells ran past 150 s. So every parser of an upload (the library's Word and PDF reader, the signal sheets of
rapid response, the donors' funding template) is bounded by work as well as by size, with the limits below:

- a zip package (Word, Excel) is checked from its directory before a byte is inflated: how many parts, each part's
  unpacked size, all parts together, and how far each large part inflates (the ratio of a decompression bomb);
  then the elements of its XML parts are counted while they are inflated in chunks, stopping at the limit, before
  any XML library builds a tree (python-docx keeps every element of every part in memory);
- a spreadsheet is read cell by cell, counting the cells a reader hands over (blank ones and the padding a sheet's
  declared dimension asks for included, as they cost the same) and stopping at the limit;
- a PDF is read with pypdf's own limits tightened (`pdf_limits`: no stream unpacks past MAX_STREAM_BYTES), at most
  MAX_PAGES pages, each page's content at most MAX_PAGE_CONTENT_BYTES before its text is extracted;
- every parse stops once it has used MAX_CPU_SECONDS of processor time (checked between pages and rows);
- an import the task worker runs is held by `task_limits` to MAX_TASK_CPU_SECONDS of processor time and
  MAX_TASK_MEMORY_BYTES of memory more than the worker had, whatever it spends them on.

A refusal is a `WorkLimitExceeded`, an `InvalidInput` whose message names the file and the limit it passed.
`bench/parser_limits.py` measures the worst case at these limits; `docs/security.md` lists them.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from types import FrameType
from typing import Any

from django.db import connections

from coalition.core.errors import InvalidInput

MB = 1024 * 1024

MAX_PARTS = 1_000  # parts of one zip package; a real workbook or Word document has a few dozen
MAX_PART_BYTES = 32 * MB  # one unpacked part: a Word body of some ten thousand pages, a sheet of ~500,000 cells
MAX_UNPACKED_BYTES = 64 * MB  # all parts of a package together
MAX_RATIO = 100  # unpacked / packed size of a part larger than RATIO_FROM_BYTES; real XML parts stay under 30
RATIO_FROM_BYTES = 1 * MB
MAX_XML_ELEMENTS = 1_500_000  # in all XML parts of a workbook (openpyxl streams them; the cells are counted too)
# In all XML parts of a Word document: python-docx holds every element in memory and walks them in Python, about
# 17 µs and 220 bytes each (bench/parser_limits.py); a 300-page report has some 150,000.
MAX_WORD_ELEMENTS = 600_000
# In an IATI file, which lxml parses whole: real files have one element per 60–70 bytes, so a 50 MB file (the reader's
# own limit) some 800,000; 50 MB of "<a/>" would be 12.5 million.
MAX_IATI_ELEMENTS = 2_000_000
MAX_CELLS = 500_000  # cells handed over by a spreadsheet reader, blank and padding cells included; the real
# #KeepItOn workbook has 55,000, a full funding template (10,000 rows of 16 columns) 160,000
MAX_PAGES = 2_000
MAX_PAGE_CONTENT_BYTES = 1 * MB  # one page's unpacked content stream; a dense page of text has 10–100 KB
MAX_STREAM_BYTES = 8 * MB  # any one PDF stream, unpacked (pypdf's own limit, lowered from 75 MB)
MAX_CPU_SECONDS = 20.0  # processor time of one parse, below a web worker's 30-second timeout
# An import run by the task worker (`task_limits`): the largest file allowed takes tens of seconds (bench/iati.py).
MAX_TASK_CPU_SECONDS = 300.0
MAX_TASK_MEMORY_BYTES = 2048 * MB  # address space one task may add to the worker's own

XML_SUFFIXES = (".xml", ".rels", ".vml")
_task_refusals: list[WorkLimitExceeded] = []  # the refusal of the task whose processor time has passed, while it runs
_CHUNK = 256 * 1024


class WorkLimitExceeded(InvalidInput):
    """Reading an uploaded file would cost more work than one upload may: refused, naming the file and the limit."""

    def __init__(self, subject: str, found: str, limit: str, advice: str = "Split it into smaller files.") -> None:
        super().__init__(f"{subject} {found}; the limit for one upload is {limit}. {advice}", field="file")


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"


class Work:
    """What reading one uploaded file has cost so far, refused the moment it passes a limit. `subject` names the file
    in messages ("The Word document “a.docx”"). Processor time is the thread's own, so other requests served by the
    same process do not count against it."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.started = time.thread_time()
        self.cells = 0
        self.pages = 0

    def tick(self) -> None:
        if _task_refusals:  # the task worker's timer fired inside a library that swallowed it (pypdf logs and goes on)
            raise _task_refusals[-1]
        used = time.thread_time() - self.started
        if used > MAX_CPU_SECONDS:
            raise WorkLimitExceeded(
                self.subject, f"needs more than {used:.0f} seconds of processing", f"{MAX_CPU_SECONDS:.0f} seconds"
            )

    def count_cells(self, count: int) -> None:
        if _task_refusals:  # checked every row, not only every 10,000 cells: a small file may never reach a tick
            raise _task_refusals[-1]
        self.cells += count
        if self.cells > MAX_CELLS:
            raise WorkLimitExceeded(
                self.subject,
                f"has more than {MAX_CELLS:,} cells (blank cells and the size a sheet declares count too)",
                f"{MAX_CELLS:,} cells",
                "Delete the empty rows and columns, or split it into smaller files.",
            )
        if self.cells % 10_000 < count:
            self.tick()

    def count_page(self, content_bytes: int) -> None:
        self.pages += 1
        if self.pages > MAX_PAGES:
            raise WorkLimitExceeded(self.subject, f"has more than {MAX_PAGES:,} pages", f"{MAX_PAGES:,} pages")
        if content_bytes > MAX_PAGE_CONTENT_BYTES:
            raise WorkLimitExceeded(
                self.subject,
                f"has a page (page {self.pages}) whose content unpacks to {_megabytes(content_bytes)}",
                f"{_megabytes(MAX_PAGE_CONTENT_BYTES)} a page",
                "Save it again as PDF from the original document, or upload the text.",
            )
        self.tick()

    def check_package(self, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
        """A zip package's parts, after the checks its directory allows: no byte is inflated. Python's zipfile never
        inflates a part past the size the directory declares (a lying part fails its CRC), so these sizes hold."""
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise WorkLimitExceeded(self.subject, f"has {len(parts):,} parts", f"{MAX_PARTS:,} parts")
        for part in parts:
            if part.file_size > MAX_PART_BYTES:
                raise WorkLimitExceeded(
                    self.subject,
                    f"has a part ({part.filename}) that unpacks to {_megabytes(part.file_size)}",
                    f"{_megabytes(MAX_PART_BYTES)} a part",
                )
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
                raise WorkLimitExceeded(
                    self.subject,
                    f"has a part ({part.filename}) that unpacks {ratio:,.0f} times over, to "
                    f"{_megabytes(part.file_size)} (a decompression bomb)",
                    f"{MAX_RATIO} times",
                    "Save it again from the program that made it.",
                )
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise WorkLimitExceeded(
                self.subject, f"unpacks to {_megabytes(unpacked)}", f"{_megabytes(MAX_UNPACKED_BYTES)} unpacked"
            )
        return parts

    def count_xml_elements(self, archive: zipfile.ZipFile, *, word: bool = False) -> int:
        """The elements of the package's XML parts, counted as they are inflated in chunks (never a whole part in
        memory), stopping at MAX_XML_ELEMENTS (MAX_WORD_ELEMENTS for a `word` document): an upper bound of what a
        parser will build (see `_elements`)."""
        limit = MAX_WORD_ELEMENTS if word else MAX_XML_ELEMENTS
        elements = 0
        for part in self.check_package(archive):
            if not part.filename.lower().endswith(XML_SUFFIXES):
                continue
            with archive.open(part) as stream:
                tail = b""
                while chunk := stream.read(_CHUNK):
                    elements += _elements(chunk, tail)
                    tail = chunk[-1:]
                    if elements > limit:
                        raise WorkLimitExceeded(
                            self.subject,
                            f"holds more than {limit:,} XML elements (counted up to {part.filename})",
                            f"{limit:,} elements",
                        )
            self.tick()
        return elements

    def check_xml(self, data: bytes, *, limit: int) -> None:
        """Refuse an XML document of more than `limit` elements before a parser builds its tree."""
        elements = _elements(data, b"")
        if elements > limit:
            raise WorkLimitExceeded(self.subject, f"holds {elements:,} XML elements", f"{limit:,} elements")


def _elements(chunk: bytes, tail: bytes) -> int:
    """The elements that open in `chunk` (`tail`: the last byte before it, so that a "</" split between two chunks is
    seen whole). Every "<" that opens no end tag, declaration or comment counts: XML escapes "<" everywhere else."""
    joined = tail + chunk
    return chunk.count(b"<") - sum(joined.count(mark) for mark in (b"</", b"<?", b"<!"))


@contextlib.contextmanager
def pdf_limits() -> Iterator[None]:
    """pypdf's own limits, lowered for uploads, for the current thread or task only (pypdf keeps them in a context
    variable): no stream, image or array of streams unpacks past MAX_STREAM_BYTES."""
    from pypdf import apply_configuration

    with apply_configuration(
        maximum_declared_stream_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES,
        brotli_maximum_output_length=MAX_STREAM_BYTES,
        jbig2_maximum_output_length=MAX_STREAM_BYTES,
        image_maximum_buffer_size=MAX_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES,
    ):
        yield


def pdf_stream_refusal(subject: str, detail: str) -> WorkLimitExceeded:
    """What to say when pypdf stops at one of the limits `pdf_limits` set (`detail`: pypdf's own words)."""
    return WorkLimitExceeded(
        subject,
        f"goes past a limit of the PDF reader ({detail.rstrip('.')})",
        f"{_megabytes(MAX_STREAM_BYTES)} a stream",
        "Save it again as PDF from the original document, or upload the text.",
    )


@contextlib.contextmanager
def task_limits(subject: str) -> Iterator[None]:
    """Hold the work inside to MAX_TASK_CPU_SECONDS of processor time (a profiling timer, so time spent waiting on the
    database does not count) and MAX_TASK_MEMORY_BYTES of address space more than the process had; past either, a
    `WorkLimitExceeded` naming `subject` is raised where the work is, so its transaction rolls back (a database call
    under way first returns: cut off inside the driver, a query leaves the worker's connection unusable). For the task
    worker's main thread (the database worker runs tasks there; RQ runs each in a forked process): signals reach no
    other thread, so elsewhere (an immediate task inside a threaded web server) the work runs under the parse limits
    alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    querying: list[bool] = []  # one entry per database call under way
    deferred: list[WorkLimitExceeded] = []

    def over_time(signum: int, frame: FrameType | None) -> None:
        refusal = WorkLimitExceeded(
            subject,
            f"needed more than {MAX_TASK_CPU_SECONDS:.0f} seconds of processing",
            f"{MAX_TASK_CPU_SECONDS:.0f} seconds",
        )
        _task_refusals.append(refusal)  # raised again by the parsers' next `Work.tick` if a library swallows it
        if querying:  # never inside the database driver: a query cut off halfway leaves the connection unusable
            deferred.append(refusal)
            return
        raise refusal

    def finish_queries_first(execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
        querying.append(True)
        try:
            result = execute(sql, params, many, context)
        finally:
            querying.pop()
        if deferred and not querying:
            raise deferred[-1]
        return result

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + MAX_TASK_MEMORY_BYTES
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            ceiling = min(ceiling, limit)
    previous = signal.signal(signal.SIGPROF, over_time)
    signal.setitimer(signal.ITIMER_PROF, MAX_TASK_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        with contextlib.ExitStack() as wrapped:
            for database in connections.all():
                wrapped.enter_context(database.execute_wrapper(finish_queries_first))
            yield
    except MemoryError:
        raise WorkLimitExceeded(
            subject,
            f"needed more than {_megabytes(MAX_TASK_MEMORY_BYTES)} of memory",
            f"{_megabytes(MAX_TASK_MEMORY_BYTES)}",
        ) from None
    except InvalidInput as error:
        if _task_refusals and error is not _task_refusals[-1]:  # what failed once the refusal was swallowed
            raise _task_refusals[-1] from None
        raise
    finally:
        _task_refusals.clear()
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _address_space() -> int:
    """The process's virtual memory now, in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
