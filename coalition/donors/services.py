"""Every write to donor coordination: joining and leaving the mechanism, importing files, choosing who a record is
shared with, the topic mapping, exchange rates, overlap detection and review, and self-assessments.

Each function checks the policy, writes in one transaction and leaves a ledger record. An import is applied whole or
not at all: a file with any error is recorded as refused, with its report, and none of its activities is saved.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.directory.models import Participation as DirectoryParticipation
from coalition.directory.queries import status_of
from coalition.donors import amounts, iati, import_report, overlap, spreadsheet, topic_words
from coalition.donors.models import (
    DEFAULT_MAPPING,
    Allocation,
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    FundingLine,
    ImportBatch,
    Overlap,
    Participation,
    SelfAssessment,
    Topic,
    TopicMapping,
)

DONOR_ACTIVITY = "2A.4"
CENT = Decimal("0.01")


def _require_government(organisation: Organisation, field: str = "organisation") -> None:
    """Donor coordination is among the coalition's member governments (not observers, candidates or former members)."""
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput(f"{organisation} is not a government: only governments take part as donors.", field=field)
    if status_of(organisation, timezone.localdate()) != DirectoryParticipation.Status.MEMBER:
        raise InvalidInput(f"{organisation} is not a member of the coalition today.", field=field)


# --- Taking part --------------------------------------------------------------------------------------------------


def join(*, organisation: Organisation, by: Any, on: dt.date | None = None) -> Participation:
    """The member joins the mechanism from `on` (today by default); its shared records reach the others from then."""
    policy.require(by, "donors.take_part", organisation)
    _require_government(organisation)
    with transaction.atomic():
        current = Participation.objects.select_for_update().filter(organisation=organisation, left_on__isnull=True)
        if current.exists():
            raise InvalidInput(f"{organisation} already takes part in the donor mechanism.", field="organisation")
        participation = Participation.objects.create(
            organisation=organisation, joined_on=on or timezone.localdate(), joined_by=by
        )
        ledger.record("donors.joined", actor=by, subject=participation, on_behalf_of=organisation)
    return participation


def leave(*, organisation: Organisation, by: Any, on: dt.date | None = None) -> Participation:
    """The member leaves: from `on` its records are its own again (every tier but public stops reaching others)."""
    policy.require(by, "donors.take_part", organisation)
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update().filter(organisation=organisation, left_on__isnull=True).first()
        )
        if participation is None:
            raise InvalidInput(f"{organisation} does not take part in the donor mechanism.", field="organisation")
        day = on or timezone.localdate()
        if day < participation.joined_on:
            raise InvalidInput("A member cannot leave before the day it joined.", field="on")
        participation.left_on, participation.left_by = day, by
        participation.save(update_fields=["left_on", "left_by"])
        ledger.record("donors.left", actor=by, subject=participation, on_behalf_of=organisation)
    return participation


def takes_part(organisation: Organisation, on: dt.date | None = None) -> bool:
    return Participation.active_organisations(on).filter(organisation_id=organisation.pk).exists()


def save_group(
    *, by: Any, name: str, members: Iterable[Organisation], description: str = "", group: DonorGroup | None = None
) -> DonorGroup:
    """A named donor group (Support Unit): the members a record shared "with the group" reaches."""
    policy.require(by, "donors.manage")
    members = list(members)
    if not name.strip():
        raise InvalidInput("A donor group needs a name.", field="name")
    if len(members) < 2:
        raise InvalidInput("A donor group needs at least two members.", field="members")
    for member in members:
        _require_government(member, "members")
    with transaction.atomic():
        group = group or DonorGroup(created_by=by)
        group.name, group.description = name.strip(), description.strip()
        group.save()
        group.members.set(members)
        ledger.record("donors.group_saved", actor=by, subject=group, data={"members": [m.pk for m in members]})
    return group


# --- Sharing ------------------------------------------------------------------------------------------------------


def _check_tier(
    reporter: Organisation, tier: str, group: DonorGroup | None, bilateral_with: Sequence[Organisation]
) -> None:
    if tier not in Tier.values:
        raise InvalidInput(f"Unknown sharing tier {tier!r}.", field="tier")
    if tier == Tier.GROUP:
        if group is None:
            raise InvalidInput("Name the donor group the record is shared with.", field="group")
        if not group.members.filter(pk=reporter.pk).exists():
            raise InvalidInput(f"{reporter} is not a member of the group {group}.", field="group")
    elif group is not None:
        raise InvalidInput("A group is named only when the record is shared with a group.", field="group")
    if tier == Tier.BILATERAL:
        if not bilateral_with:
            raise InvalidInput("Name the member(s) a bilateral record is shared with.", field="bilateral_with")
        for member in bilateral_with:
            if member.pk == reporter.pk:
                raise InvalidInput("A member does not share a record bilaterally with itself.", field="bilateral_with")
            _require_government(member, "bilateral_with")
    elif bilateral_with:
        raise InvalidInput("Members are named only when the record is shared bilaterally.", field="bilateral_with")


def set_tier(
    activity: FundingActivity,
    *,
    by: Any,
    tier: str,
    group: DonorGroup | None = None,
    bilateral_with: Sequence[Organisation] = (),
) -> FundingActivity:
    """Choose who a record is shared with. Only the reporter's people decide it."""
    policy.require(by, "donors.share", activity.reporter)
    _check_tier(activity.reporter, tier, group, bilateral_with)
    with transaction.atomic():
        before = activity.tier
        activity.tier, activity.group = tier, group
        activity.save(update_fields=["tier", "group"])
        activity.bilateral_with.set(bilateral_with)
        ledger.record(
            "donors.tier_set",
            actor=by,
            subject=activity,
            label=f"funding activity {activity.pk}",  # its title may be confidential to a bilateral audience
            on_behalf_of=activity.reporter,
            data={
                "from": before,
                "to": tier,
                "group": getattr(group, "pk", None),
                "with": [m.pk for m in bilateral_with],
            },
        )
    return activity


# --- Import -------------------------------------------------------------------------------------------------------


def format_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    formats = {".xml": ImportBatch.Format.IATI, ".xlsx": ImportBatch.Format.XLSX, ".csv": ImportBatch.Format.CSV}
    if suffix not in formats:
        raise InvalidInput(
            f"{file_name}: only IATI activity files (.xml) and the spreadsheet template (.xlsx, .csv) can be imported.",
            field="file",
        )
    return formats[suffix]


def _folder(setting: str) -> Path | None:
    path = Path(getattr(settings, setting))
    return path if path.is_dir() else None


def read_file(
    data: bytes | Path, *, file_name: str, reporter: Organisation, progress: Progress | None = None
) -> tuple[str, iati.Report]:
    """Read an upload into a report, without saving anything (size first, then the format's own checks)."""
    fmt = format_of(file_name)
    codelists = _folder("DONORS_IATI_CODELISTS")
    max_bytes = settings.DONORS_MAX_FILE_BYTES
    if fmt == ImportBatch.Format.IATI:
        reading = functools.partial(progress, ImportBatch.Step.READING) if progress else None
        schemas = _folder("DONORS_IATI_SCHEMAS")
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


# Where an import has got to: (step, activities done, activities in the file), called for every activity read or
# checked, and once before the activities are saved (in one transaction, so nothing of it shows before the end).
Progress = Callable[[str, int, int], None]


def check_import(
    *, reporter: Organisation, by: Any, tier: str, group: DonorGroup | None, bilateral_with: Sequence[Organisation]
) -> None:
    """Whether `by` may import for `reporter` with this sharing: asked when a file is uploaded and again when it is
    imported (by the task worker, perhaps later)."""
    policy.require(by, "donors.report", reporter)
    _require_government(reporter, "reporter")
    _check_tier(reporter, tier, group, bilateral_with)


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
) -> ImportBatch:
    """Import a member's file: every activity or none. Returns the batch with its report either way.

    A re-import of the same file changes nothing; an activity the member imported before (same identifier) is
    updated in place and keeps the tier chosen for it; new activities get `tier`. The task worker passes the batch
    the import page `queued` (its report replaces the waiting one) and a `progress` to show on its page."""
    check_import(reporter=reporter, by=by, tier=tier, group=group, bilateral_with=bilateral_with)
    raw = (
        data.read_bytes() if isinstance(data, Path) and data.stat().st_size <= settings.DONORS_MAX_FILE_BYTES else data
    )
    fmt, report = read_file(raw, file_name=file_name, reporter=reporter, progress=progress)
    sha = hashlib.sha256(raw).hexdigest() if isinstance(raw, bytes) else ""
    size = len(raw) if isinstance(raw, bytes) else raw.stat().st_size
    errors = list(report.errors)
    warnings = list(report.warnings)
    errors += [  # the template's example left in by mistake would be saved as the member's own funding
        iati.Problem(
            f"the template's example activity {a.identifier} is still in the file: delete its rows", "content", a.line
        )
        for a in report.activities
        if fmt != ImportBatch.Format.IATI and a.identifier == spreadsheet.EXAMPLE_IDENTIFIER
    ]
    records = [] if errors else _records_of(report, progress)
    if records:
        _name_the_unnamed(records, report.activities, warnings)
        warnings += _report_warnings(records, report, reporter)
        warnings += _amount_notes(records, report.activities, reporter=reporter)
    for record, activity in zip(records, report.activities, strict=False):
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
    batch = ImportBatch(
        reporter=reporter,
        format=fmt,
        file_name=file_name[:300],
        sha256=sha,
        size=size,
        version=report.version[:16],
        activities=len(report.activities),
        errors=_problems(errors),
        warnings=_problems(warnings),
        by=by,
    )
    if queued is not None:  # the row the import page stored takes the report
        batch.pk, batch.at = queued.pk, queued.at
    if errors:
        batch.outcome = ImportBatch.Outcome.REFUSED
        with transaction.atomic():
            batch.save()
            ledger.record(
                "donors.import_refused",
                actor=by,
                subject=batch,
                label=f"import {batch.pk}",
                on_behalf_of=reporter,
                data={"errors": len(errors)},
            )
        return batch
    batch.outcome = ImportBatch.Outcome.ACCEPTED
    if progress is not None:
        progress(ImportBatch.Step.SAVING, 0, len(records))
    changed: list[int] = []
    with transaction.atomic():
        batch.save()
        existing = {a.identifier: a for a in FundingActivity.objects.select_for_update().filter(reporter=reporter)}
        context = _ConversionContext()
        mapping = load_mapping()
        chunk: list[tuple[FundingActivity, list[dict[str, Any]]]] = []
        for record in records:
            found = existing.get(record["identifier"])
            if found is not None and found.content_hash == record["hash"]:
                batch.unchanged += 1
                continue
            if found is None:
                saved = FundingActivity(reporter=reporter, identifier=record["identifier"], tier=tier, group=group)
                batch.created += 1
            else:
                saved = found
                batch.updated += 1
                saved.updated_at = timezone.now()
            for name, value in record["fields"].items():
                setattr(saved, name, value)
            saved.source = (
                FundingActivity.Source.IATI if fmt == ImportBatch.Format.IATI else FundingActivity.Source.SPREADSHEET
            )
            saved.batch, saved.content_hash = batch, record["hash"]
            saved.topics = sorted(topics_of(saved.sectors, saved.policy_markers, mapping, text=words_of(saved)))
            chunk.append((saved, record["lines"]))
            if len(chunk) == CHUNK:
                changed += _save_chunk(chunk, context=context, mapping=mapping, bilateral_with=bilateral_with)
                chunk = []
        changed += _save_chunk(chunk, context=context, mapping=mapping, bilateral_with=bilateral_with)
        batch.save(update_fields=["created", "updated", "unchanged"])
        ledger.record(
            "donors.imported",
            actor=by,
            subject=batch,
            label=f"import {batch.pk}",  # a file name may say more than its records' readers
            on_behalf_of=reporter,
            data={"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged},
        )
        if changed:
            from coalition.donors.tasks import detect

            transaction.on_commit(lambda: detect.enqueue(changed))
    return batch


def _report_warnings(records: list[dict[str, Any]], report: iati.Report, reporter: Organisation) -> list[iati.Problem]:
    """What the member should know before relying on an accepted file (issue 15 item 17): currencies no rate
    converts, a file another publisher reports, the same activity seemingly reported several times."""
    lines = [activity.line for activity in report.activities]
    rated = frozenset(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    country = reporter.country.code if reporter.country is not None else ""
    return [
        *import_report.missing_rates(records, lines, own=settings.DONORS_CURRENCY, rated=rated),
        *import_report.another_publisher(report.activities, member=str(reporter), member_country=country),
        *import_report.near_duplicates(records, lines, _amount_of),
    ]


def _amount_of(record: dict[str, Any]) -> tuple[str, tuple[str, ...], Decimal] | None:
    """What an activity of a file amounts to as its total would count it, in the currencies it was reported in."""
    basis, chosen = counted_lines(FundingLine(**line) for line in record["lines"])
    total = sum((line.value for line in chosen), Decimal(0))
    return (basis, tuple(sorted({line.currency for line in chosen})), total) if total else None


def _records_of(report: iati.Report, progress: Progress | None) -> list[dict[str, Any]]:
    records = []
    for done, activity in enumerate(report.activities, start=1):
        records.append(_record_of(activity, report))
        if progress is not None:
            progress(ImportBatch.Step.CHECKING, done, len(report.activities))
    return records


def _name_the_unnamed(records: list[dict[str, Any]], activities: list[iati.Activity], warnings: list[Any]) -> None:
    """The standard lets an activity have an empty iati-identifier; such an activity is kept under a name derived
    from its content ("no-id:…"), so that importing the same file again changes nothing. Said in the report: a later
    file cannot update it, because nothing names it."""
    seen: dict[str, int] = defaultdict(int)
    for record, activity in zip(records, activities, strict=True):
        if record["identifier"]:
            continue
        seen[record["hash"]] += 1
        occurrence = seen[record["hash"]]
        record["identifier"] = f"no-id:{record['hash'][:16]}" + (f"-{occurrence}" if occurrence > 1 else "")
        if not record["fields"]["title"]:
            record["fields"]["title"] = record["identifier"]
        warnings.append(
            iati.Problem(
                f"this activity has no iati-identifier: it is kept as {record['identifier']}, and a later file "
                "cannot update it (give it an identifier to do so)",
                "identifier",
                activity.line,
            )
        )


def _amount_notes(
    records: list[dict[str, Any]], activities: list[iati.Activity], *, reporter: Organisation
) -> list[iati.Problem]:
    """What the report tells of amounts that do not count as written (issue 15): negative lines netted or left out,
    programmes counted through their components in the file, and parts below the top level that name no parent."""
    notes: list[iati.Problem] = []
    links, reporting = [], set()
    for key, (record, activity) in enumerate(zip(records, activities, strict=True)):
        lines = [FundingLine(**line) for line in record["lines"]]
        notes += [
            iati.Problem(note, "amount", activity.line, record["identifier"]) for note in amounts.negative_notes(lines)
        ]
        if sum((line.value for line in counted_lines(lines)[1]), Decimal(0)) > 0:
            reporting.add(key)
        fields = record["fields"]
        links.append(
            amounts.Link(
                key,
                reporter.pk,
                record["identifier"],
                fields["parent_identifier"],
                tuple(fields["component_identifiers"]),
            )
        )
    for key, parts in sorted(amounts.counted_below(links, reporting).items()):
        names = ", ".join(records[part]["identifier"] for part in parts[:5]) + (", …" if len(parts) > 5 else "")
        notes.append(
            iati.Problem(
                f"its own amounts are not counted in the totals: its components in this file report theirs ({names}), "
                "and each amount is counted once, at the lowest level of a hierarchy that reports it",
                "amount",
                activities[key].line,
                records[key]["identifier"],
            )
        )
    with_parent = set(amounts.parents(links))
    orphans = [
        key
        for key, activity in enumerate(activities)
        if (activity.hierarchy or 1) > 1 and key not in with_parent and not records[key]["fields"]["parent_identifier"]
    ]
    if orphans:  # a parent imported from an earlier file may name them
        named = {
            component
            for components in FundingActivity.objects.filter(reporter=reporter).values_list(
                "component_identifiers", flat=True
            )
            for component in components
        }
        for key in orphans:
            if records[key]["identifier"] not in named:
                notes.append(
                    iati.Problem(
                        f"it is at hierarchy level {activities[key].hierarchy} but names no parent (related-activity "
                        "type 1) and no activity names it as a child (type 2): its amounts are counted beside those "
                        "of any programme it belongs to",
                        "amount",
                        activities[key].line,
                        records[key]["identifier"],
                    )
                )
    return notes


def _text(texts: dict[str, str], language: str) -> str:
    for key in (language, "en", ""):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


def _description(activity: iati.Activity) -> str:
    for kind in ("1", "2", "3", *activity.descriptions):
        if kind in activity.descriptions:
            return _text(activity.descriptions[kind], activity.language)
    return ""


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _stage(kind: str, *, status: str = "", activity_status: str = "") -> str:
    if activity_status == FundingActivity.Status.PIPELINE and kind in ("budget", "planned"):
        return FundingLine.Stage.PIPELINE
    if kind == "budget":
        return FundingLine.Stage.COMMITTED if status == "2" else FundingLine.Stage.PLANNED
    if kind == "planned":
        return FundingLine.Stage.PLANNED
    if kind in ("disbursement", "expenditure"):
        return FundingLine.Stage.SPENT
    return FundingLine.Stage.COMMITTED


TRANSACTION_KINDS = {"2": "commitment", "3": "disbursement", "4": "expenditure"}


def _record_of(activity: iati.Activity, report: iati.Report) -> dict[str, Any]:
    """The rows one parsed activity becomes, and a hash of them that tells an update from a repeat."""
    dates = activity.dates
    parent = next((r.ref for r in activity.related_activities if r.type == "1"), "")
    default_currency = activity.default_currency
    lines: list[dict[str, Any]] = []

    def add(
        kind: str, code: str, status: str, start: Any, end: Any, value: Any, currency: str, value_date: Any
    ) -> None:
        if value is None:
            return
        lines.append(
            {
                "kind": kind,
                "stage": _stage(kind, status=status, activity_status=activity.activity_status),
                "code": code,
                "status": status,
                "period_start": start,
                "period_end": end,
                "value": Decimal(value).quantize(CENT),
                "currency": (currency or default_currency or "").upper(),
                "value_date": value_date,
            }
        )

    for b in activity.budgets:
        add("budget", b.type, b.status, b.period_start, b.period_end, b.value, b.currency, b.value_date)
    for p in activity.planned_disbursements:
        add("planned", p.type, "", p.period_start, p.period_end, p.value, p.currency, p.value_date)
    for t in activity.transactions:
        kind = TRANSACTION_KINDS.get(t.type, "other")
        add(kind, t.type, "", t.date, t.date, t.value, t.currency, t.value_date or t.date)
    fields = {
        "title": _text(activity.title, activity.language)[:1000] or activity.identifier,
        "description": _description(activity),
        "status": activity.activity_status if activity.activity_status in FundingActivity.Status.values else "",
        "hierarchy": activity.hierarchy,
        "parent_identifier": parent[:200],
        "component_identifiers": sorted({r.ref[:200] for r in activity.related_activities if r.type == "2" and r.ref}),
        "starts_on": dates.get("2") or dates.get("1"),
        "ends_on": dates.get("4") or dates.get("3"),
        "currency": default_currency.upper(),
        "participating_orgs": [
            {"role": o.role, "ref": o.ref, "type": o.type, "name": o.name} for o in activity.participating_orgs
        ],
        "implementers": sorted(
            {overlap.implementer_key(o.ref, o.name) for o in activity.participating_orgs if o.role == "4"} - {""}
        ),
        "countries": [{"code": c.code.upper(), "percentage": _pct(c.percentage)} for c in activity.recipient_countries],
        "regions": [
            {"code": r.code, "vocabulary": r.vocabulary, "percentage": _pct(r.percentage)}
            for r in activity.recipient_regions
        ],
        "sectors": [
            {"vocabulary": s.vocabulary, "code": s.code, "percentage": _pct(s.percentage)} for s in activity.sectors
        ],
        "policy_markers": [
            {"vocabulary": m.vocabulary, "code": m.code, "significance": m.significance}
            for m in activity.policy_markers
        ],
    }
    content = json.dumps({"fields": fields, "lines": lines, "version": report.version}, default=str, sort_keys=True)
    return {
        "identifier": activity.identifier,
        "fields": fields,
        "lines": lines,
        "hash": hashlib.sha256(content.encode()).hexdigest(),
    }


# --- Topics and allocation ----------------------------------------------------------------------------------------

Mapping = dict[tuple[str, str], frozenset[tuple[str, bool]]]  # (kind, code) → {(topic, only where the text says)}


def ensure_default_mapping() -> int:
    """Put the default mapping in place where there is none (migration 0002 does it on installation; this is for an
    emptied database, e.g. the demo loaded into one). Returns how many rows it added."""
    if TopicMapping.objects.exists():
        return 0
    TopicMapping.objects.bulk_create(
        [
            TopicMapping(kind=kind, code=code, topic=topic, note=why, needs_text=needs_text)
            for kind, code, topic, why, needs_text in DEFAULT_MAPPING
        ]
    )
    return len(DEFAULT_MAPPING)


def load_mapping() -> Mapping:
    """The mapping as rows to apply; a policy marker always needs the activity's words to back it (issue 15, 12)."""
    found: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
    for kind, code, topic, needs_text in TopicMapping.objects.values_list("kind", "code", "topic", "needs_text"):
        found[(kind, code)].add((topic, needs_text or kind == TopicMapping.Kind.POLICY_MARKER))
    return {key: frozenset(topics) for key, topics in found.items()}


def _mapped(key: tuple[str, str], mapping: Mapping, spoken: frozenset[str]) -> frozenset[str]:
    """The topics a code maps to for one activity: a row that needs the text counts where the text speaks of it."""
    return frozenset(topic for topic, needs_text in mapping.get(key, ()) if not needs_text or topic in spoken)


def _sector_topics(sector: dict[str, Any], mapping: Mapping, spoken: frozenset[str]) -> frozenset[str]:
    code, vocabulary = sector["code"], sector["vocabulary"]
    if vocabulary == "1" and ("sector", code) in mapping:
        return _mapped(("sector", code), mapping, spoken)
    if vocabulary in ("1", "2"):
        return _mapped(("category", code[:3]), mapping, spoken)
    return frozenset()


def _marker_topics(markers: list[dict[str, Any]], mapping: Mapping, spoken: frozenset[str]) -> set[str]:
    topics: set[str] = set()
    for marker in markers:
        if marker.get("vocabulary", "1") in ("1", "") and marker.get("significance") not in ("0", ""):
            topics |= _mapped(("marker", marker["code"]), mapping, spoken)
    return topics


def _dac_sectors(sectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for vocabulary in ("1", "2"):
        chosen = [s for s in sectors if s["vocabulary"] == vocabulary]
        if chosen:
            return chosen
    return []


def topics_of(sectors: list[dict[str, Any]], markers: list[dict[str, Any]], mapping: Mapping, *, text: str) -> set[str]:
    """The topics an activity is found under: its sectors', and its markers' where its own words (`text`: title and
    description) speak of the topic, so that a gender marker does not make bridges "Digital inclusion"."""
    spoken = topic_words.spoken_of(text)
    topics = _marker_topics(markers, mapping, spoken)
    for sector in sectors:
        topics |= _sector_topics(sector, mapping, spoken)
    return topics


def _shares(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Decimal]]:
    """Each item's share (0–1, adding up to 1), read as IATI means percentages: an item takes its percentage, and
    what the given percentages leave of 100 is shared equally among the items given none (so a country at 100 %
    takes everything beside a region named without one; with no percentage at all, every item gets an equal part).
    The parts are scaled to their whole, so percentages that do not add up to 100 lose or add no money."""
    if not items:
        return []
    given = [Decimal(item["percentage"]) if item.get("percentage") not in (None, "") else None for item in items]
    unstated = given.count(None)
    left = max(Decimal(100) - sum((part for part in given if part is not None), Decimal(0)), Decimal(0))
    parts = [part if part is not None else left / unstated for part in given]
    whole = sum(parts, Decimal(0))
    if whole <= 0:
        return [(item, Decimal(1) / len(items)) for item in items]
    return [(item, part / whole) for item, part in zip(items, parts, strict=True)]


def topic_shares(
    sectors: list[dict[str, Any]], markers: list[dict[str, Any]], mapping: Mapping, *, text: str
) -> dict[str, Decimal]:
    """How an activity's money splits across topics: by its DAC sectors' percentages; where no sector maps but a
    policy marker does (backed by the activity's words), equally across the markers' topics; whatever maps to no
    topic is ""."""
    spoken = topic_words.spoken_of(text)
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for sector, share in _shares(_dac_sectors(sectors)):
        topics = _sector_topics(sector, mapping, spoken)
        for topic in topics or {""}:
            shares[topic] += share / max(len(topics), 1)
    if not any(topic for topic in shares):
        marker_topics = sorted(_marker_topics(markers, mapping, spoken))
        if marker_topics:
            return {topic: Decimal(1) / len(marker_topics) for topic in marker_topics}
    return dict(shares) or {"": Decimal(1)}


def country_shares(countries: list[dict[str, Any]], regions: list[dict[str, Any]]) -> dict[str, Decimal]:
    """How an activity's money splits across recipient countries ("" for regions or where none is given)."""
    items = [{"code": c["code"], "percentage": c["percentage"]} for c in countries]
    items += [{"code": "", "percentage": r["percentage"]} for r in regions]
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for item, share in _shares(items):
        shares[item["code"]] += share
    total = sum(shares.values(), Decimal(0))
    if total <= 0:
        return {"": Decimal(1)}
    return {code: share / total for code, share in shares.items() if share > 0}


def words_of(activity: FundingActivity) -> str:
    """What an activity says it does, where a policy marker or a wide sector must find its topic named."""
    return f"{activity.title}\n{activity.description}"


def _allocations(activity: FundingActivity, mapping: Mapping) -> list[Allocation]:
    by_topic = topic_shares(activity.sectors, activity.policy_markers, mapping, text=words_of(activity))
    for topic in activity.topics:  # a topic a policy marker names, where the sectors decide the money: a share of 0,
        by_topic.setdefault(topic, Decimal(0))  # so that filtering by topic finds the activity as overlaps do
    by_country = country_shares(activity.countries, activity.regions)
    rows = []
    for country, c_share in by_country.items():
        for topic, t_share in by_topic.items():
            share = (c_share * t_share).quantize(Decimal("0.000001"))
            amount = (activity.total * share).quantize(CENT) if activity.total is not None else None
            rows.append(Allocation(activity=activity, country=country, topic=topic, share=share, amount=amount))
    return rows


def set_mapping(*, by: Any, kind: str, code: str, topic: str, note: str = "", needs_text: bool = False) -> TopicMapping:
    """Map a sector, sector category or policy marker to a topic, and re-map every activity. With `needs_text` (always
    for a policy marker) the code counts only where the activity's own words speak of the topic."""
    policy.require(by, "donors.manage")
    code = code.strip()
    if kind not in TopicMapping.Kind.values:
        raise InvalidInput(f"Unknown kind {kind!r}.", field="kind")
    if topic not in Topic.values:
        raise InvalidInput(f"Unknown topic {topic!r}.", field="topic")
    _check_code(kind, code)
    with transaction.atomic():
        mapping, _created = TopicMapping.objects.update_or_create(
            kind=kind,
            code=code,
            topic=topic,
            defaults={
                "note": note.strip()[:300],
                "needs_text": needs_text or kind == TopicMapping.Kind.POLICY_MARKER,
                "changed_by": by,
                "changed_at": timezone.now(),
            },
        )
        ledger.record("donors.mapping_set", actor=by, subject=mapping)
        remap()
    return mapping


def remove_mapping(mapping: TopicMapping, *, by: Any) -> None:
    policy.require(by, "donors.manage")
    with transaction.atomic():
        ledger.record("donors.mapping_removed", actor=by, subject=mapping)
        mapping.delete()
        remap()


_CODE_LISTS = {"sector": ("Sector", 5), "category": ("SectorCategory", 3), "marker": ("PolicyMarker", None)}


def _check_code(kind: str, code: str) -> None:
    listname, length = _CODE_LISTS[kind]
    if not code or (length and (len(code) != length or not code.isdigit())):
        raise InvalidInput(
            f"A {TopicMapping.Kind(kind).label} code has {length} digits; {code!r} does not.", field="code"
        )
    folder = _folder("DONORS_IATI_CODELISTS")
    if folder is not None:
        known = iati.codelist_codes(folder, listname)
        if code not in known:
            raise InvalidInput(f"{code!r} is not in the IATI {listname} codelist.", field="code")


def remap() -> int:
    """Recompute every activity's topics and allocations after the mapping changed."""
    mapping = load_mapping()
    count = 0
    fields = ("pk", "title", "description", "sectors", "policy_markers", "countries", "regions", "total")
    for chunk in _chunks(FundingActivity.objects.only(*fields).order_by("pk").iterator(chunk_size=CHUNK)):
        for activity in chunk:
            activity.topics = sorted(
                topics_of(activity.sectors, activity.policy_markers, mapping, text=words_of(activity))
            )
        FundingActivity.objects.bulk_update(chunk, ["topics"])
        _reallocate(chunk, mapping)
        count += len(chunk)
    return count


CHUNK = 500


def _chunks(rows: Iterable[FundingActivity]) -> Iterator[list[FundingActivity]]:
    chunk: list[FundingActivity] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _save_chunk(
    chunk: list[tuple[FundingActivity, list[dict[str, Any]]]],
    *,
    context: _ConversionContext,
    mapping: Mapping,
    bilateral_with: Sequence[Organisation],
) -> list[int]:
    """Write up to `CHUNK` imported activities with their lines (converted and totalled in memory first) and
    allocations in a few statements, not eight for each activity: a file of 18,000 activities held the database for
    minutes when each was written on its own (issue 15 item 16). Returns the activities' ids."""
    lines = []
    for activity, rows in chunk:
        lines += _converted(activity, [FundingLine(activity=activity, **row) for row in rows], context)
    new = [activity for activity, _rows in chunk if activity.pk is None]
    earlier = [activity for activity, _rows in chunk if activity.pk is not None]
    FundingActivity.objects.bulk_create(new, batch_size=CHUNK)
    for activity in earlier:
        activity.save()
    FundingLine.objects.filter(activity__in=earlier).delete()
    Allocation.objects.filter(activity__in=earlier).delete()
    FundingLine.objects.bulk_create(lines, batch_size=CHUNK)
    Allocation.objects.bulk_create([row for a, _rows in chunk for row in _allocations(a, mapping)], batch_size=CHUNK)
    if bilateral_with:
        through = FundingActivity.bilateral_with.through
        through.objects.bulk_create(
            [through(fundingactivity_id=a.pk, organisation_id=o.pk) for a in new for o in bilateral_with]
        )
    return [activity.pk for activity, _rows in chunk]


def _reallocate(chunk: list[FundingActivity], mapping: Mapping) -> None:
    """Replace the allocations of many activities: one delete and one insert per 500 rows."""
    Allocation.objects.filter(activity_id__in=[a.pk for a in chunk]).delete()
    Allocation.objects.bulk_create([row for a in chunk for row in _allocations(a, mapping)], batch_size=CHUNK)


# --- Currency -----------------------------------------------------------------------------------------------------


class _ConversionContext:
    """Exchange rates by currency, loaded once per import."""

    def __init__(self) -> None:
        self.rates: dict[str, list[ExchangeRate]] = defaultdict(list)
        for rate in ExchangeRate.objects.order_by("currency", "on"):
            self.rates[rate.currency].append(rate)

    def rate_for(self, currency: str, on: dt.date | None) -> ExchangeRate | None:
        """The latest rate on or before `on`, else the earliest after it (named on every converted figure)."""
        rates = self.rates.get(currency, [])
        if not rates:
            return None
        if on is None:
            return rates[-1]
        before = [r for r in rates if r.on <= on]
        return before[-1] if before else rates[0]


TOTAL_BASES = (
    ("budgets", ("budget",)),
    ("commitments", ("commitment",)),
    ("planned disbursements", ("planned",)),
    ("disbursements", ("disbursement", "expenditure")),
)


def _converted(activity: FundingActivity, lines: list[FundingLine], context: _ConversionContext) -> list[FundingLine]:
    """Convert the lines and total the activity in memory; the caller saves both."""
    currency = settings.DONORS_CURRENCY
    for line in lines:
        if line.currency == currency:
            line.converted, line.rate = line.value, None
        else:
            line.rate = context.rate_for(line.currency, line.value_date or line.period_start)
            line.converted = line.rate.convert(line.value) if line.rate else None
    activity.total, activity.total_basis = None, ""
    basis, chosen = counted_lines(lines)
    if chosen:
        missing = sorted({line.currency for line in chosen if line.converted is None})
        if missing:
            activity.total_basis = f"no rate for {', '.join(missing)}"[:24]
        else:
            activity.total = sum((line.converted or Decimal(0) for line in chosen), Decimal(0))
            activity.total_basis = basis
    return lines


def counted_lines(lines: Iterable[FundingLine]) -> tuple[str, list[FundingLine]]:
    """The lines an activity's total counts, and which basis that is: one kind of line only, so that a budget and
    the commitments that spend it are not added up twice."""
    lines = list(lines)
    zeros: tuple[str, list[FundingLine]] = ("", [])
    for basis, kinds in TOTAL_BASES:
        chosen = _counting(lines, kinds)
        if chosen and any(line.value for line in chosen):
            return basis, chosen
        if chosen and not zeros[1]:  # placeholders of 0: the total only where no other kind has an amount
            zeros = (basis, chosen)
    return zeros


# Which lines count towards each funding stage of one activity: one kind of line per stage (the first kind present),
# so that a budget and the planned disbursements or commitments that spend it are not added up twice.
STAGE_BASES: dict[str, tuple[tuple[str, ...], ...]] = {
    FundingLine.Stage.PIPELINE: (("planned",), ("budget",)),
    FundingLine.Stage.PLANNED: (("planned",), ("budget",)),
    FundingLine.Stage.COMMITTED: (("commitment",), ("budget",)),  # commitments, else budgets marked committed
    FundingLine.Stage.SPENT: (("disbursement", "expenditure"),),
}


def stage_lines(lines: Iterable[FundingLine], stage: str) -> list[FundingLine]:
    """The lines of one activity that count at `stage` (never "other" transactions: incoming funds, interest…)."""
    at_stage = [line for line in lines if line.stage == stage and line.kind != FundingLine.Kind.OTHER]
    for kinds in STAGE_BASES[stage]:
        chosen = _counting(at_stage, kinds)
        if chosen:
            return chosen
    return []


def _counting(lines: list[FundingLine], kinds: tuple[str, ...]) -> list[FundingLine]:
    """The lines of `kinds` as they count: negative budgets and forecasts left out, a revised budget in place of the
    original, reversals netted against the lines they correct (`amounts.net_reversals`: never below zero)."""
    chosen = [line for line in lines if line.kind in kinds and not amounts.is_negative_forecast(line)]
    if kinds == ("budget",):
        chosen = _latest_budgets(chosen)
    return amounts.net_reversals(chosen).lines


def by_year(line: FundingLine) -> dict[int, Decimal]:
    """A converted amount spread over the years of its period, pro rata by days (a dated line: its year)."""
    start = line.period_start or line.value_date
    if line.converted is None or start is None:
        return {}
    end = line.period_end if line.period_end and line.period_end > start else start
    days = (end - start).days + 1
    spread: dict[int, Decimal] = {}
    for year in range(start.year, end.year + 1):
        first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        spread[year] = (line.converted * ((last - first).days + 1) / days).quantize(CENT)
    return spread


def _latest_budgets(budgets: list[FundingLine]) -> list[FundingLine]:
    """A revised budget (type 2) replaces the original one (type 1) for the same period."""
    revised = {(b.period_start, b.period_end) for b in budgets if b.code == "2"}
    return [b for b in budgets if b.code == "2" or (b.period_start, b.period_end) not in revised]


def add_rate(*, by: Any, currency: str, on: dt.date, rate: Decimal, source: str) -> ExchangeRate:
    """Record an exchange rate and re-convert every amount in that currency."""
    policy.require(by, "donors.manage")
    currency = currency.strip().upper()
    if currency == settings.DONORS_CURRENCY:
        raise InvalidInput(f"{currency} is the mechanism's own currency.", field="currency")
    folder = _folder("DONORS_IATI_CODELISTS")
    if len(currency) != 3 or (folder is not None and currency not in iati.codelist_codes(folder, "Currency")):
        raise InvalidInput(f"{currency!r} is not an ISO 4217 currency code.", field="currency")
    if rate is None or rate <= 0:
        raise InvalidInput("A rate is a positive number.", field="rate")
    if not source.strip():
        raise InvalidInput("Name the rate's source (e.g. ECB reference rate).", field="source")
    with transaction.atomic():
        saved, _created = ExchangeRate.objects.update_or_create(
            currency=currency, on=on, defaults={"rate": rate, "source": source.strip()[:200]}
        )
        ledger.record("donors.rate_set", actor=by, subject=saved, data={"rate": str(rate)})
        reconvert(currency)
    return saved


def reconvert(currency: str | None = None) -> int:
    """Re-convert the activities with amounts in `currency` (all when None), and their allocations."""
    context, mapping = _ConversionContext(), load_mapping()
    activities = FundingActivity.objects.order_by("pk")
    if currency:
        activities = activities.filter(pk__in=FundingLine.objects.filter(currency=currency).values("activity_id"))
    count = 0
    for chunk in _chunks(activities.prefetch_related("lines").iterator(chunk_size=CHUNK)):
        lines = [line for activity in chunk for line in _converted(activity, list(activity.lines.all()), context)]
        FundingLine.objects.bulk_update(lines, ["converted", "rate"], batch_size=CHUNK)
        FundingActivity.objects.bulk_update(chunk, ["total", "total_basis"])
        _reallocate(chunk, mapping)
        count += len(chunk)
    return count


# --- Overlaps -----------------------------------------------------------------------------------------------------


def _records(queryset: Any) -> list[overlap.Record]:
    rows = queryset.values_list(
        "pk", "reporter_id", "countries", "topics", "starts_on", "ends_on", "implementers", "title", "description"
    )
    return [
        overlap.Record(
            key=pk,
            reporter=str(reporter),
            countries=frozenset(c["code"] for c in countries),
            topics=frozenset(topics),
            start=start,
            end=end,
            implementers=frozenset(implementers),
            text=f"{title}\n{description}",
        )
        for pk, reporter, countries, topics, start, end, implementers, title, description in rows
    ]


def _reasons(candidate: overlap.Candidate) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "detail": r.detail, "weight": round(r.weight, 3)} for r in candidate.reasons]


def detect_overlaps(among: Iterable[int] | None = None) -> dict[str, int]:
    """Compare activities across reporters and keep the candidates: new ones open, known ones re-scored; a candidate
    the detector no longer finds is dropped unless it was reviewed (then it is kept, marked stale)."""
    keys = set(among) if among is not None else None
    candidates = overlap.find_overlaps(_records(FundingActivity.objects.all()), among=keys)
    found = {(c.a, c.b): c for c in candidates}
    counts = {"found": len(found), "new": 0, "dropped": 0}
    with transaction.atomic():
        known = Overlap.objects.select_for_update()
        if keys is not None:
            known = known.filter(Q(first_id__in=keys) | Q(second_id__in=keys))
        existing = {(o.first_id, o.second_id): o for o in known}
        for pair, row in existing.items():
            candidate = found.get(pair)
            if candidate is None:
                if row.review == Overlap.Review.OPEN:
                    row.delete()
                    counts["dropped"] += 1
                elif not row.stale:
                    row.stale = True
                    row.save(update_fields=["stale"])
                continue
            row.score, row.reasons = candidate.score, _reasons(candidate)
            row.likely_duplicate, row.stale = candidate.likely_duplicate, False
            row.save(update_fields=["score", "reasons", "likely_duplicate", "stale"])
        new = [
            Overlap(
                first_id=c.a,
                second_id=c.b,
                score=c.score,
                reasons=_reasons(c),
                likely_duplicate=c.likely_duplicate,
            )
            for pair, c in found.items()
            if pair not in existing
        ]
        Overlap.objects.bulk_create(new, batch_size=500)
        counts["new"] = len(new)
    return counts


def review_overlap(item: Overlap, *, by: Any, review: str, note: str = "") -> Overlap:
    """Judge a candidate: complementary, to coordinate, or duplicate (or back to not reviewed)."""
    policy.require(by, "donors.review", item)
    if review not in Overlap.Review.values:
        raise InvalidInput(f"Unknown review {review!r}.", field="review")
    with transaction.atomic():
        before = item.review
        item.review, item.note = review, note.strip()[:500]
        item.reviewed_by, item.reviewed_at = by, timezone.now()
        item.save(update_fields=["review", "note", "reviewed_by", "reviewed_at"])
        ledger.record("donors.overlap_reviewed", actor=by, subject=item, data={"from": before, "to": review})
    return item


# --- Self-assessment ----------------------------------------------------------------------------------------------


def assess(
    *, organisation: Organisation, document: Any, paragraph: int, rating: str, evidence: str, by: Any
) -> SelfAssessment:
    """A member's assessment of itself against one principle: a paragraph of the principles' latest version."""
    from coalition.documents.models import Document, paragraphs_of, text_hash

    policy.require(by, "donors.assess", organisation)
    _require_government(organisation)
    if document.kind != Document.Kind.PRINCIPLES or not policy.is_visible(by, document):
        raise InvalidInput("Assessments are made against a principles document you can read.", field="document")
    if rating not in SelfAssessment.Rating.values:
        raise InvalidInput(f"Unknown rating {rating!r}.", field="rating")
    version = document.versions.order_by("-number").first()
    texts = paragraphs_of(version.text) if version else []
    if not 1 <= paragraph <= len(texts) or texts[paragraph - 1].startswith("#"):
        raise InvalidInput(f"The principles have no principle {paragraph}.", field="paragraph")
    with transaction.atomic():
        item, _created = SelfAssessment.objects.update_or_create(
            organisation=organisation,
            document=document,
            paragraph_hash=text_hash(texts[paragraph - 1]),
            defaults={
                "version": version.number,
                "paragraph": paragraph,
                "rating": rating,
                "evidence": evidence.strip(),
                "by": by,
                "at": timezone.now(),
            },
        )
        ledger.record("donors.assessed", actor=by, subject=item, on_behalf_of=organisation, data={"rating": rating})
    return item
