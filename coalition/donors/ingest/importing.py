"""Importing a member's file (PoA 2A.4): every activity of it or none. `import_file` is the use case, in steps: check
who imports and the sharing, read the file (`iati` or `spreadsheet`), check what it holds (`records`), then keep the
batch with its report, refused or with its activities saved. The task worker runs it (`tasks.import_queued`); no
web request reads an uploaded file.

A re-import of the same file changes nothing; an activity the member imported before (same identifier) is updated
in place and keeps the tier chosen for it; new activities get the tier chosen for the file.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, policy, search
from coalition.core.errors import InvalidInput
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.donors.checks import check_tier, reference_folder, require_government
from coalition.donors.ingest import iati, spreadsheet
from coalition.donors.ingest.records import (
    Progress,
    amount_notes,
    name_the_unnamed,
    records_of,
    report_warnings,
)
from coalition.donors.models import Allocation, DonorGroup, FundingActivity, FundingLine, ImportBatch
from coalition.donors.money import ConversionContext, converted
from coalition.donors.topics import CHUNK, Mapping, allocations, load_mapping, topics_of, words_of

Chunk = list[tuple[FundingActivity, list[dict[str, Any]]]]  # activities to save, each with its lines' rows


def format_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    formats = {".xml": ImportBatch.Format.IATI, ".xlsx": ImportBatch.Format.XLSX, ".csv": ImportBatch.Format.CSV}
    if suffix not in formats:
        raise InvalidInput(
            f"{file_name}: only IATI activity files (.xml) and the spreadsheet template (.xlsx, .csv) can be imported.",
            field="file",
        )
    return formats[suffix]


def read_file(
    data: bytes | Path, *, file_name: str, reporter: Organisation, progress: Progress | None = None
) -> tuple[str, iati.Report]:
    """Read an upload into a report, without saving anything (size first, then the format's own checks)."""
    fmt = format_of(file_name)
    codelists = reference_folder("DONORS_IATI_CODELISTS")
    max_bytes = settings.DONORS_MAX_FILE_BYTES
    if fmt == ImportBatch.Format.IATI:
        reading = functools.partial(progress, ImportBatch.Step.READING) if progress else None
        schemas = reference_folder("DONORS_IATI_SCHEMAS")
        return fmt, iati.read(data, codelists=codelists, schemas=schemas, max_bytes=max_bytes, progress=reading)
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > max_bytes:
        report = iati.Report()
        report.errors.append(iati.Problem(iati.too_large(size, max_bytes), "file"))
        return fmt, report
    content = data.read_bytes() if isinstance(data, Path) else data
    who = iati.Organisation(ref="", type="10", name=reporter.name)
    return fmt, spreadsheet.read(content, file_name=file_name, reporter=who, codelists=codelists, max_bytes=max_bytes)


def _problems(problems: Iterable[iati.Problem]) -> list[dict[str, Any]]:
    return [
        {"message": p.message, "kind": p.kind, "line": p.line, "identifier": p.identifier, "text": str(p)}
        for p in problems
    ]


def check_import(
    *, reporter: Organisation, by: Any, tier: str, group: DonorGroup | None, bilateral_with: Sequence[Organisation]
) -> None:
    """Whether `by` may import for `reporter` with this sharing: asked when a file is uploaded and again when it is
    imported (by the task worker, perhaps later)."""
    policy.require(by, "donors.report", reporter)
    require_government(reporter, "reporter")
    check_tier(reporter, tier, group, bilateral_with)


def import_file(
    data: bytes | Path,
    *,
    file_name: str,
    reporter: Organisation,
    by: Any,
    tier: str = Tier.MECHANISM,
    group: DonorGroup | None = None,
    bilateral_with: Sequence[Organisation] = (),
    queued: ImportBatch | None = None,
    progress: Progress | None = None,
    detect_among: Callable[[list[int]], object] | None = None,
) -> ImportBatch:
    """Import a member's file: every activity or none. Returns the batch with its report either way. The task worker
    passes the batch the import page `queued` (its report replaces the waiting one) and a `progress` to show on its
    page. `detect_among` (the overlap detection task's `enqueue`) is given the ids of the activities the import
    created or changed once they are committed."""
    check_import(reporter=reporter, by=by, tier=tier, group=group, bilateral_with=bilateral_with)
    raw = _in_memory(data)
    fmt, report = read_file(raw, file_name=file_name, reporter=reporter, progress=progress)
    checked = _checked(fmt, report, reporter, progress)
    batch = _batch(raw, fmt, report, checked, file_name=file_name, reporter=reporter, by=by, queued=queued)
    if checked.errors:
        return _refused(batch, errors=len(checked.errors))
    sharing = Sharing(tier, group, bilateral_with)
    return _saved(batch, checked.records, sharing=sharing, progress=progress, detect_among=detect_among)


@dataclass(frozen=True)
class Checked:
    """What a file holds, checked: its records (none when it has errors), its errors and its warnings."""

    records: list[dict[str, Any]]
    errors: list[iati.Problem]
    warnings: list[iati.Problem]


@dataclass(frozen=True)
class Sharing:
    """Who the file's new activities are shared with."""

    tier: str
    group: DonorGroup | None
    bilateral_with: Sequence[Organisation]


def _in_memory(data: bytes | Path) -> bytes | Path:
    """The file's bytes, or its path when it is too large to read (the reader refuses it by its size)."""
    if isinstance(data, Path) and data.stat().st_size <= settings.DONORS_MAX_FILE_BYTES:
        return data.read_bytes()
    return data


def _checked(fmt: str, report: iati.Report, reporter: Organisation, progress: Progress | None) -> Checked:
    errors = [*report.errors, *_examples_left_in(fmt, report)]
    warnings = list(report.warnings)
    records = [] if errors else records_of(report, progress)
    if records:
        name_the_unnamed(records, report.activities, warnings)
        warnings += report_warnings(records, report, reporter)
        warnings += amount_notes(records, report.activities, reporter=reporter)
    errors += _ending_before_starting(records, report.activities)
    return Checked(records, errors, warnings)


def _examples_left_in(fmt: str, report: iati.Report) -> list[iati.Problem]:
    """The template's example left in by mistake would be saved as the member's own funding."""
    return [
        iati.Problem(
            f"the template's example activity {a.identifier} is still in the file: delete its rows", "content", a.line
        )
        for a in report.activities
        if fmt != ImportBatch.Format.IATI and a.identifier == spreadsheet.EXAMPLE_IDENTIFIER
    ]


def _ending_before_starting(records: list[dict[str, Any]], activities: list[iati.Activity]) -> list[iati.Problem]:
    errors = []
    for record, activity in zip(records, activities, strict=False):
        start, end = record["fields"]["starts_on"], record["fields"]["ends_on"]
        if start and end and end < start:
            errors.append(
                iati.Problem(
                    f"the activity ends ({end}) before it starts ({start})",
                    "content",
                    activity.line,
                    activity.identifier,
                )
            )
    return errors


def _batch(
    raw: bytes | Path,
    fmt: str,
    report: iati.Report,
    checked: Checked,
    *,
    file_name: str,
    reporter: Organisation,
    by: Any,
    queued: ImportBatch | None,
) -> ImportBatch:
    """The batch that takes the file's report (not saved yet)."""
    batch = ImportBatch(
        reporter=reporter,
        format=fmt,
        file_name=file_name[:300],
        sha256=hashlib.sha256(raw).hexdigest() if isinstance(raw, bytes) else "",
        size=len(raw) if isinstance(raw, bytes) else raw.stat().st_size,
        version=report.version[:16],
        activities=len(report.activities),
        errors=_problems(checked.errors),
        warnings=_problems(checked.warnings),
        by=by,
    )
    if queued is not None:  # the row the import page stored takes the report
        batch.pk, batch.at = queued.pk, queued.at
    return batch


def _refused(batch: ImportBatch, *, errors: int) -> ImportBatch:
    batch.outcome = ImportBatch.Outcome.REFUSED
    with transaction.atomic():
        batch.save()
        ledger.record(
            "donors.import_refused",
            actor=batch.by,
            subject=batch,
            label=f"import {batch.pk}",
            on_behalf_of=batch.reporter,
            data={"errors": errors},
        )
    return batch


def _saved(
    batch: ImportBatch,
    records: list[dict[str, Any]],
    *,
    sharing: Sharing,
    progress: Progress | None,
    detect_among: Callable[[list[int]], object] | None,
) -> ImportBatch:
    """Save the file's activities with the batch, in one transaction, and detect overlaps with those it changed."""
    batch.outcome = ImportBatch.Outcome.ACCEPTED
    if progress is not None:
        progress(ImportBatch.Step.SAVING, 0, len(records))
    with transaction.atomic():
        batch.save()
        changed = _save_activities(batch, records, sharing)
        batch.save(update_fields=["created", "updated", "unchanged"])
        ledger.record(
            "donors.imported",
            actor=batch.by,
            subject=batch,
            label=f"import {batch.pk}",  # a file name may say more than its records' readers
            on_behalf_of=batch.reporter,
            data={"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
        )
        if changed and detect_among is not None:
            transaction.on_commit(lambda: detect_among(changed))
    return batch


def _save_activities(batch: ImportBatch, records: list[dict[str, Any]], sharing: Sharing) -> list[int]:
    """Create or update the records' activities, a chunk at a time; counts them on the batch. Returns the ids of
    those created or changed."""
    reporter = batch.reporter
    existing = {a.identifier: a for a in FundingActivity.objects.select_for_update().filter(reporter=reporter)}
    context, mapping = ConversionContext(), load_mapping()
    changed: list[int] = []
    chunk: Chunk = []
    for record in records:
        saved = _activity_of(record, existing.get(record["identifier"]), batch, sharing, mapping)
        if saved is None:
            continue
        chunk.append((saved, record["lines"]))
        if len(chunk) == CHUNK:
            changed += _save_chunk(chunk, context=context, mapping=mapping, bilateral_with=sharing.bilateral_with)
            chunk = []
    changed += _save_chunk(chunk, context=context, mapping=mapping, bilateral_with=sharing.bilateral_with)
    return changed


def _activity_of(
    record: dict[str, Any], found: FundingActivity | None, batch: ImportBatch, sharing: Sharing, mapping: Mapping
) -> FundingActivity | None:
    """The activity a record creates or updates (not saved), or None when it is unchanged since the last import."""
    if found is not None and found.content_hash == record["hash"]:
        batch.unchanged += 1
        return None
    if found is None:
        saved = FundingActivity(
            reporter=batch.reporter, identifier=record["identifier"], tier=sharing.tier, group=sharing.group
        )
        batch.created += 1
    else:
        saved = found
        batch.updated += 1
        saved.updated_at = timezone.now()
    for name, value in record["fields"].items():
        setattr(saved, name, value)
    saved.source = (
        FundingActivity.Source.IATI if batch.format == ImportBatch.Format.IATI else FundingActivity.Source.SPREADSHEET
    )
    saved.batch, saved.content_hash = batch, record["hash"]
    saved.topics = sorted(topics_of(saved.sectors, saved.policy_markers, mapping, text=words_of(saved)))
    return saved


def _save_chunk(
    chunk: Chunk,
    *,
    context: ConversionContext,
    mapping: Mapping,
    bilateral_with: Sequence[Organisation],
) -> list[int]:
    """Write up to `CHUNK` imported activities with their lines (converted and totalled in memory first) and
    allocations in a few statements, not eight for each activity: a file of 18,000 activities held the database for
    minutes when each was written on its own (issue 15 item 16). Returns the activities' ids."""
    lines = []
    for activity, rows in chunk:
        lines += converted(activity, [FundingLine(activity=activity, **row) for row in rows], context)
    new = [activity for activity, _rows in chunk if activity.pk is None]
    earlier = [activity for activity, _rows in chunk if activity.pk is not None]
    FundingActivity.objects.bulk_create(new, batch_size=CHUNK)
    search.refresh(FundingActivity, [activity.pk for activity in new])
    for activity in earlier:
        activity.save()
    FundingLine.objects.filter(activity__in=earlier).delete()
    Allocation.objects.filter(activity__in=earlier).delete()
    FundingLine.objects.bulk_create(lines, batch_size=CHUNK)
    Allocation.objects.bulk_create([row for a, _rows in chunk for row in allocations(a, mapping)], batch_size=CHUNK)
    if bilateral_with:
        through = FundingActivity.bilateral_with.through
        through.objects.bulk_create(
            [through(fundingactivity_id=a.pk, organisation_id=o.pk) for a in new for o in bilateral_with]
        )
    return [activity.pk for activity, _rows in chunk]
