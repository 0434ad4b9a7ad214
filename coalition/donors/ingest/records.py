"""What a file's activities become (`record_of`): the fields and funding lines of each, and a hash of them that tells
an update from a repeat; and what the import report tells the member of them beyond errors (activities without an
identifier, currencies no rate converts, amounts that do not count as written)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from coalition.directory.models import Organisation
from coalition.donors import amounts, overlap
from coalition.donors.ingest import iati, import_report
from coalition.donors.models import ExchangeRate, FundingActivity, FundingLine, ImportBatch
from coalition.donors.money import CENT, counted_lines

# Where an import has got to: (step, activities done, activities in the file), called for every activity read or
# checked, and once before the activities are saved (in one transaction, so nothing of it shows before the end).
Progress = Callable[[str, int, int], None]


def report_warnings(records: list[dict[str, Any]], report: iati.Report, reporter: Organisation) -> list[iati.Problem]:
    """What the member should know before relying on an accepted file (issue 15 item 17): currencies no rate
    converts, a file another publisher reports, the same activity seemingly reported several times."""
    lines = [activity.line for activity in report.activities]
    rated = frozenset(ExchangeRate.objects.values_list("currency", flat=True).distinct())
    country = reporter.country.code if reporter.country is not None else ""
    return [
        *import_report.missing_rates(records, lines, own=settings.DONORS_CURRENCY, rated=rated),
        *import_report.another_publisher(report.activities, member=str(reporter), member_country=country),
        *import_report.near_duplicates(records, lines, amount_of),
    ]


def amount_of(record: dict[str, Any]) -> tuple[str, tuple[str, ...], Decimal] | None:
    """What an activity of a file amounts to as its total would count it, in the currencies it was reported in."""
    basis, chosen = counted_lines(FundingLine(**line) for line in record["lines"])
    total = sum((line.value for line in chosen), Decimal(0))
    return (basis, tuple(sorted({line.currency for line in chosen})), total) if total else None


def records_of(report: iati.Report, progress: Progress | None) -> list[dict[str, Any]]:
    records = []
    for done, activity in enumerate(report.activities, start=1):
        records.append(record_of(activity, report))
        if progress is not None:
            progress(ImportBatch.Step.CHECKING, done, len(report.activities))
    return records


def name_the_unnamed(records: list[dict[str, Any]], activities: list[iati.Activity], warnings: list[Any]) -> None:
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


def amount_notes(
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


def record_of(activity: iati.Activity, report: iati.Report) -> dict[str, Any]:
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
