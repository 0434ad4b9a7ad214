"""Benchmark of the IATI activity-file reader (issue 8): the IOM file (577 activities, 1.7 MB) read and checked.

`coalition.donors.iati.read` parses safely, validates against the 2.03 schema, checks codes against the codelists and
builds the dataclasses. The baseline is lxml parsing the same bytes and nothing else, in the same process.
The first call also compiles the schema and parses the codelists (once per process); later calls are warm.

Run: .venv/bin/python bench/iati.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree

from coalition.donors import iati

IOM = iati.IATI_DATA / "real-activities" / "IOM-XM-DAC-47066_577-activities_2.03.xml"
RUNS = 7


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    if not IOM.is_file():
        sys.exit(f"{IOM} is not here: the benchmark reads ../shared/data/iati")
    data = IOM.read_bytes()
    first = timed(lambda: iati.read(IOM))
    report = iati.read(IOM)
    warm = statistics.median(timed(lambda: iati.read(IOM)) for _ in range(RUNS))
    parse = statistics.median(timed(lambda: etree.fromstring(data)) for _ in range(RUNS))
    print(f"IOM file: {len(data) / 1e6:.2f} MB, {len(report.activities)} activities, valid={report.valid}")
    print(f"read, first call in the process (schema compiled, codelists parsed): {first * 1000:.0f} ms")
    print(f"read, warm, median of {RUNS}: {warm * 1000:.0f} ms")
    print(f"baseline, lxml parse only, median of {RUNS}: {parse * 1000:.0f} ms  (ratio {warm / parse:.1f}x)")


if __name__ == "__main__":
    main()
