"""Every write to the library: importing texts, keeping statements' texts in step, removing, and recording reuse.

An import is all or nothing: the file is read, checked and segmented before the first row is written, and the rows
are written in one transaction; the index follows once it has committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coalition.core import ledger, policy, search
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.library import extract, indexing, visibility
from coalition.library.engine import words
from coalition.library.models import Paragraph, ReuseRecord, Source, words_hash
from coalition.programme import services as programme
from coalition.programme.models import Activity
from coalition.statements.models import Response

UPTAKE_ACTIVITY = "1A.6"


def _check_paragraphs(segments: Sequence[extract.Segment]) -> None:
    if not segments:
        raise InvalidInput("The text has no paragraphs to add: the file or text is empty.", field="file")
    limit = settings.LIBRARY_MAX_PARAGRAPH_CHARS
    for position, segment in enumerate(segments, start=1):
        if len(segment.text) > limit:
            raise InvalidInput(
                f"Paragraph {position} is {len(segment.text):,} characters long without a space to cut it at; the "
                f"library takes paragraphs of up to {limit:,}. Check that the text has spaces between its words.",
                field="file",
            )
    if len(segments) > settings.LIBRARY_MAX_PARAGRAPHS:
        raise InvalidInput(
            f"The text has {len(segments):,} paragraphs; one text may have up to {settings.LIBRARY_MAX_PARAGRAPHS:,}.",
            field="file",
        )


def _paragraph_rows(source: Source, segments: Sequence[extract.Segment]) -> list[Paragraph]:
    return [
        Paragraph(
            source=source,
            position=position,
            number=segment.number,
            kind=segment.kind,
            text=segment.text,
            word_count=len(words(segment.text)),
            words_hash=words_hash(segment.text),
        )
        for position, segment in enumerate(segments, start=1)
    ]


def check_import(
    *,
    by: Any,
    data: bytes | None,
    kind: str,
    title: str,
    date: dt.date | None = None,
    year: int | None = None,
    classification: str,
    audience: Audience | None = None,
) -> str:
    """Whether `by` may add this text as described, before its file is read (in the request, and again in the task
    worker for a file kept for it). Returns the file's SHA-256 ("" without a file)."""
    policy.require(by, "library.import")
    if kind not in Source.Kind.values or kind == Source.Kind.STATEMENT:
        raise InvalidInput("Choose what kind of text this is.", field="kind")
    if not title.strip():
        raise InvalidInput("Give the text a title.", field="title")
    if date is None and year is not None and not 1945 <= year <= timezone.localdate().year:
        raise InvalidInput(f"{year} is not a year the library can date a text to.", field="year")
    if classification not in Classification.values:
        raise InvalidInput("Choose who may read this text.", field="classification")
    if classification == Classification.RESTRICTED and audience is None:
        raise InvalidInput("A restricted text names its audience.", field="audience")
    if data is None:
        return ""
    if len(data) > settings.LIBRARY_MAX_FILE_BYTES:
        mb = settings.LIBRARY_MAX_FILE_BYTES // (1024 * 1024)
        raise InvalidInput(
            f"The file is {len(data) / 1048576:.1f} MB; the library takes files of up to {mb} MB.", field="file"
        )
    digest = hashlib.sha256(data).hexdigest()
    existing = Source.objects.filter(file_sha256=digest).first()
    if existing is not None and policy.is_visible(by, existing):
        raise InvalidInput(f"This file is already in the library as “{existing}”.", field="file")
    return digest


def import_text(
    *,
    by: Any,
    text: str | None = None,
    file_name: str = "",
    data: bytes | None = None,
    kind: str,
    title: str,
    forum: str = "",
    symbol: str = "",
    date: dt.date | None = None,
    year: int | None = None,
    author: str = "",
    author_country: Country | None = None,
    endorsed_by: Iterable[Organisation] = (),
    classification: str = Classification.MEMBERS,
    audience: Audience | None = None,
    detect: bool = True,
) -> Source:
    """Add an external text, given as `text` or as a file (`file_name`, `data`: plain text, HTML, DOCX or PDF)."""
    digest = check_import(
        by=by, data=data, kind=kind, title=title, date=date, year=year, classification=classification, audience=audience
    )
    if data is not None:
        text = extract.read_file(file_name, data)
    if text is None:
        raise InvalidInput("Give a file or paste the text.", field="file")
    text = text.replace("\x00", "")  # PostgreSQL refuses NUL in text; some PDF text layers carry them
    segments = extract.segment(text, markdown=file_name.lower().endswith((".md", ".markdown")))
    segments = extract.split_long(segments, limit=settings.LIBRARY_MAX_PARAGRAPH_CHARS)
    _check_paragraphs(segments)
    with transaction.atomic():
        source = Source.objects.create(
            kind=kind,
            title=title.strip()[:300],
            forum=forum.strip()[:60],
            symbol=symbol.strip()[:80],
            date=date,
            year=date.year if date else year,
            author=author.strip()[:200],
            author_country=author_country,
            origin=file_name[:300],
            file_sha256=digest,
            classification=classification,
            audience=audience if classification == Classification.RESTRICTED else None,
            imported_by=by,
        )
        source.endorsed_by.set(endorsed_by)
        made = Paragraph.objects.bulk_create(_paragraph_rows(source, segments))
        search.refresh(Paragraph, [p.pk for p in made])
        ledger.record(
            "library.source_imported",
            actor=by,
            subject=source,
            data={"kind": kind, "paragraphs": len(segments), "sha256": digest},
        )
        indexing.schedule([source.pk])
        if detect:
            transaction.on_commit(lambda: detect_reuse_task.enqueue(source.pk, by.pk))
    return source


def delete_source(source: Source, *, by: Any) -> None:
    policy.require(by, "library.manage")
    if source.statement_id:
        raise InvalidInput("A statement's text leaves the library only with the statement.", field="source")
    with transaction.atomic():
        ledger.record("library.source_deleted", actor=by, subject=source, data={"title": source.title})
        source.delete()  # the post_delete signal takes its paragraphs out of the index after the commit


# --- Statements ---------------------------------------------------------------------------------------------------


def _statement_text(statement: Any) -> str:
    if statement.published_freeze_id:
        return statement.published_freeze.version.text
    latest = statement.document.versions.order_by("-number").first()
    return latest.text if latest else ""


def sync_statement(statement: Any) -> Source | None:
    """Keep a statement's library text in step with the statement: its current text (the published one once
    published), its readers (classification, audience and embargo) and who signed it. Paragraphs are rewritten only
    when the words changed, so reuse found in them survives a change of classification or signatories."""
    text = _statement_text(statement)
    segments = extract.segment(text, markdown=True) if text.strip() else []
    freeze = statement.published_freeze or statement.current_freeze()
    signers = (
        Organisation.objects.filter(
            pk__in=Response.objects.filter(freeze=freeze, kind=Response.Kind.SIGNED).values("organisation")
        )
        if freeze
        else Organisation.objects.none()
    )
    with transaction.atomic():
        source, _created = Source.objects.update_or_create(
            statement=statement,
            defaults={
                "kind": Source.Kind.STATEMENT,
                "title": statement.title[:300],
                "forum": "FOC",
                "symbol": statement.slug[:80],
                "date": timezone.localdate(statement.published_at or statement.created_at),
                "author": "Freedom Online Coalition",
                "classification": statement.classification,
                "audience_id": statement.audience_id,
                "released_at": statement.published_at,
            },
        )
        source.endorsed_by.set(signers)
        current = list(source.paragraphs.values_list("words_hash", flat=True))
        wanted = [words_hash(s.text) for s in segments]
        if current != wanted:
            source.paragraphs.all().delete()
            made = Paragraph.objects.bulk_create(_paragraph_rows(source, segments))
            search.refresh(Paragraph, [p.pk for p in made])
        indexing.schedule([source.pk])
    return source


# --- Reuse ------------------------------------------------------------------------------------------------------


def _order(a: Paragraph, b: Paragraph) -> tuple[Paragraph, Paragraph]:
    """(earlier, later): by the sources' dates, then by when they entered the library."""

    def key(p: Paragraph) -> tuple[tuple[int, int, int], dt.datetime, int]:
        return (p.source.when, p.source.imported_at, p.source_id)

    return (a, b) if key(a) <= key(b) else (b, a)


def detect_reuse(source: Source, *, by: Any = None) -> list[ReuseRecord]:
    """Find every library paragraph that this source's paragraphs take up (or that takes them up), record each pair
    once, and offer the records as uptake evidence for activity 1A.6 (through the programme's own service, as `by`).

    Detection reads the whole library — records are shown only to those who may read both paragraphs."""
    if by is not None:
        policy.require(by, "library.detect")
        if not visibility.visible_sources(by).filter(pk=source.pk).exists():
            raise AccessDenied("You do not have access to this.")
    found = []
    searcher = indexing.engine().searcher()
    for paragraph in source.paragraphs.select_related("source"):
        for reuse in indexing.engine().find_reuse(paragraph.text, exclude_sids=[source.pk], searcher=searcher):
            found.append((paragraph, reuse))
    others = Paragraph.objects.in_bulk([r.pid for _p, r in found])
    records = []
    with transaction.atomic():
        for paragraph, reuse in found:
            other = others.get(reuse.pid)
            if other is None:  # the index is behind a deletion
                continue
            origin, target = _order(other, paragraph)
            record, _created = ReuseRecord.objects.update_or_create(
                origin=origin, target=target, defaults={"kind": reuse.kind, "similarity": reuse.similarity}
            )
            records.append(record)
        Source.objects.filter(pk=source.pk).update(reuse_checked_at=timezone.now())
        ledger.record("library.reuse_detected", actor=by, subject=source, data={"records": len(records)})
    if by is not None and records:
        _link_uptake(records, by)
    return records


def _link_uptake(records: list[ReuseRecord], by: Any) -> None:
    if not policy.can(by, "programme.link_evidence"):
        return
    activity = policy.visible_to(by, Activity).filter(code=UPTAKE_ACTIVITY).order_by("pk").first()
    if activity is None:
        return
    for record in records:  # a record already linked, or one `by` cannot see, is left as it is
        programme.link_evidence_if_new(
            activity=activity,
            record_type="library.reuse",
            record_id=str(record.pk),
            by=by,
            note=f"{record.get_kind_display()} reuse, similarity {record.similarity:.2f}",
        )


@task()
def detect_reuse_task(source_id: int, user_id: int | None = None) -> None:
    from django.contrib.auth import get_user_model

    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    indexing.reindex([source_id])  # the paragraphs must be in the index before they are compared
    detect_reuse(source, by=by)
