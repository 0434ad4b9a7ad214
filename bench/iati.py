"""Benchmark of IATI files: the reader on the IOM file (issue 8), and the largest file allowed imported through the
task worker (issue 15 item 16).

1. `coalition.donors.iati.read` on the IOM file (577 activities, 1.7 MB): safe parse, 2.03 schema, codelists,
   dataclasses. The baseline is lxml parsing the same bytes and nothing else, in the same process. The first call
   also compiles the schema and parses the codelists (once per process); later calls are warm.
2. The largest file the import page takes (`DONORS_MAX_FILE_BYTES`, 16 MB), made of the real activities of
   `../shared/data/iati/real-activities/` (read, never copied into the repository), each copy under a new
   identifier, in two shapes: *as published* (IOM's and the Netherlands' activities verbatim, indented) and *lean*
   (no indentation, only the elements the platform reads, descriptions cut to 160 characters: about the density of
   the 15 MB, 18,000-activity file of issue 15). Each measure runs in a fresh process, for its own peak RSS:
   - baseline: lxml parsing the file's bytes;
   - `iati.read` alone;
   - the import as the worker runs it: `tasks.queue_import` stores the file, `tasks.import_queued` reads, checks
     and saves it (all or nothing) with its progress, on an empty database but for the countries (the overlap
     detection it enqueues afterwards is not counted: it runs as a task of its own);
   - the same file imported again (nothing changed).

Run: .venv/bin/python bench/iati.py            (embedded SQLite in a temporary folder)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench .venv/bin/python bench/iati.py --largest
     (--largest: part 2 only; the PostgreSQL database must exist and be disposable)
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree

from coalition.donors.ingest import iati

IOM = iati.IATI_DATA / "real-activities" / "IOM-XM-DAC-47066_577-activities_2.03.xml"
NL = iati.IATI_DATA / "real-activities" / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"
RUNS = 7
LARGEST = 16 * 1024 * 1024  # settings.DONORS_MAX_FILE_BYTES, the import form's limit
ONE_MB = 1024 * 1024  # the largest upload once imported in the request; every upload now goes to the task worker
# What the platform reads of an activity (`services._record_of`); the lean shape keeps only these.
READ = {"iati-identifier", "reporting-org", "title", "description", "participating-org", "activity-status"}
READ |= {"activity-date", "recipient-country", "recipient-region", "sector", "policy-marker", "budget"}
READ |= {"planned-disbursement", "transaction", "related-activity"}


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def reader() -> None:
    data = IOM.read_bytes()
    first = timed(lambda: iati.read(IOM))
    report = iati.read(IOM)
    warm = statistics.median(timed(lambda: iati.read(IOM)) for _ in range(RUNS))
    parse = statistics.median(timed(lambda: etree.fromstring(data)) for _ in range(RUNS))
    print(f"IOM file: {len(data) / 1e6:.2f} MB, {len(report.activities)} activities, valid={report.valid}")
    print(f"read, first call in the process (schema compiled, codelists parsed): {first * 1000:.0f} ms")
    print(f"read, warm, median of {RUNS}: {warm * 1000:.0f} ms")
    print(f"baseline, lxml parse only, median of {RUNS}: {parse * 1000:.0f} ms  (ratio {warm / parse:.1f}x)")


# --- The largest file allowed ---------------------------------------------------------------------------------


def _lean(activity: Any) -> Any:
    for child in list(activity):
        if child.tag not in READ:
            activity.remove(child)
        elif child.tag == "description":
            for narrative in child:
                narrative.text = (narrative.text or "")[:160]
    return activity


def largest_file(folder: Path, *, lean: bool, limit: int = LARGEST) -> tuple[Path, int]:
    """The real activities repeated, each copy under its own identifier, up to `limit` bytes."""
    parser = etree.XMLParser(remove_blank_text=lean)
    activities = []
    for source in (IOM, NL):
        for element in etree.parse(str(source), parser).getroot().iterfind("iati-activity"):
            activities.append(etree.tostring(_lean(element) if lean else element))
    head, tail = (
        b'<iati-activities version="2.03" generated-datetime="2026-12-07T00:00:00Z">\n',
        b"</iati-activities>\n",
    )
    parts, size, count = [head], len(head) + len(tail), 0
    identifier = re.compile(rb"<iati-identifier>([^<]*)</iati-identifier>")
    while True:
        copy, original = divmod(count, len(activities))
        suffix = b"-%d</iati-identifier>" % copy
        text = identifier.sub(rb"<iati-identifier>\1" + suffix, activities[original], 1)
        if size + len(text) + 1 > limit:
            break
        parts += [text, b"\n"]
        size, count = size + len(text) + 1, count + 1
    path = folder / f"{limit}-{'lean' if lean else 'as-published'}.xml"
    path.write_bytes(b"".join([*parts, tail]))
    return path, count


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(measure: str, path: Path) -> dict[str, Any]:
    """One measure in this fresh process: its seconds and the process's peak RSS before and after."""
    if measure == "parse":
        data, before = path.read_bytes(), _peak_mb()
        started = time.perf_counter()
        etree.fromstring(data)
        return {"seconds": time.perf_counter() - started, "before": before, "peak": _peak_mb()}
    if measure == "read":
        before = _peak_mb()
        started = time.perf_counter()
        report = iati.read(path, max_bytes=LARGEST)
        return {"seconds": time.perf_counter() - started, "before": before, "peak": _peak_mb(), "valid": report.valid}
    return _imported(path, in_request=measure == "import-in-request")


def _imported(path: Path, *, in_request: bool) -> dict[str, Any]:
    os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["TASKS_BACKEND"] = "database"  # queued, then run here as the worker would
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from coalition.accounts.models import User
    from coalition.directory.models import Position
    from coalition.directory.services import load_countries
    from coalition.directory.tests.factories import PersonFactory, PositionFactory, government
    from coalition.donors import services, tasks
    from coalition.donors.models import FundingActivity, ImportBatch

    load_countries()
    organisation = government("NL")
    FundingActivity.objects.filter(reporter=organisation).delete()  # an earlier run's, on PostgreSQL (the ledger
    ImportBatch.objects.filter(reporter=organisation).delete()  # refuses the TRUNCATE of a flush)
    person = PersonFactory.create(affiliation=organisation)
    PositionFactory(
        person=person, kind=Position.Kind.OFFICIAL, organisation=organisation, starts_on=dt.date(2020, 1, 1)
    )
    user = User.objects.create_user(email=f"bench-{person.pk}@example.org", password="x" * 16, person=person)
    began: dict[str, float] = {}

    class Timed(tasks._Progress):  # when each step begins, as the batch page would show it
        def __call__(self, step: str, done: int, total: int) -> None:
            began.setdefault(step, time.perf_counter())
            super().__call__(step, done, total)

    tasks._Progress = Timed  # type: ignore[misc]
    results: dict[str, Any] = {"database": connection.vendor, "before": _peak_mb()}
    for run in ("first", "again"):
        began.clear()
        started = time.perf_counter()
        if in_request:
            batch = services.import_file(path, file_name=path.name, reporter=organisation, by=user)
        else:
            batch = tasks.queue_import(path, file_name=path.name, reporter=organisation, by=user)
            began["queued"] = time.perf_counter()
            tasks.import_queued.call(batch.pk)
        ended = time.perf_counter()
        batch = ImportBatch.objects.get(pk=batch.pk)
        assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors[:3]
        marks = [started, *(began[step] for step in ("queued", "checking", "saving") if step in began), ended]
        steps = [later - earlier for earlier, later in itertools.pairwise(marks)]
        results[run] = {"seconds": ended - started, "created": batch.created, "unchanged": batch.unchanged}
        results[run]["steps"] = steps  # storing the file, reading, checking, saving (one transaction)
        results[f"peak_{run}"] = _peak_mb()
    return results


def _in_a_process(measure: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", measure, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def largest() -> None:
    with tempfile.TemporaryDirectory(prefix="coalition-bench-iati-") as folder:
        path, count = largest_file(Path(folder), lean=False, limit=ONE_MB)
        imported = _in_a_process("import-in-request", path)
        print(
            f"\nA 1 MB file through the import service alone, as published: {path.stat().st_size / 1048576:.1f} MB, "
            f"{count} activities: {imported['first']['seconds']:.2f} s ({imported['database']}), "
            f"again {imported['again']['seconds']:.2f} s"
        )
        for lean in (False, True):
            path, count = largest_file(Path(folder), lean=lean)
            parse, read = _in_a_process("parse", path), _in_a_process("read", path)
            imported = _in_a_process("import", path)
            first, again = imported["first"], imported["again"]
            shape = "lean" if lean else "as published"
            print(f"\nLargest file allowed, {shape}: {path.stat().st_size / 1048576:.1f} MB, {count} activities")
            print(f"  baseline, lxml parse: {parse['seconds']:.2f} s, peak RSS {parse['peak']:.0f} MB")
            print(f"  iati.read: {read['seconds']:.2f} s, peak RSS {read['peak']:.0f} MB (valid: {read['valid']})")
            seconds, peak, before = first["seconds"], imported["peak_first"], imported["before"]
            print(
                f"  import through the task ({imported['database']}): {seconds:.2f} s for {first['created']} new "
                f"({seconds / count * 1000:.2f} ms an activity; {seconds / parse['seconds']:.0f}x the parse), "
                f"peak RSS {peak:.0f} MB ({peak - before:.0f} MB above the {before:.0f} MB of Django and the "
                f"database set up; {peak / parse['peak']:.1f}x the parse's)"
            )
            stored, reading, checking, saving = first["steps"]
            print(
                f"    storing the file {stored:.2f} s, reading {reading:.2f} s, checking {checking:.2f} s, "
                f"saving (one transaction) {saving:.2f} s"
            )
            print(f"  the same file again: {again['seconds']:.2f} s ({again['unchanged']} unchanged)")


def main() -> None:
    if not IOM.is_file():
        sys.exit(f"{IOM} is not here: the benchmark reads ../shared/data/iati")
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]))))
        return
    if "--largest" not in sys.argv:
        reader()
    largest()


if __name__ == "__main__":
    main()
