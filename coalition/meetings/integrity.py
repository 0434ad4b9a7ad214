"""Approved minutes that stay what was approved (issue 16, item 6).

The database refuses to change or remove an approved meeting's revisions and its approval (migration 0002); what
follows is for whoever gets past that with the database owner's rights. Every page that shows approved minutes
recomputes their digest from what it shows and compares it with the approval and with the ledger's record of it, whose
events a signed Merkle tree publishes outside the database. Attendance stays open after approval, but each change is
shown against the attendance the approval froze, with who recorded it and when."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from coalition.core.models import AuditEvent
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MinutesApproval,
    MinutesRevision,
)

APPROVED = "meetings.minutes_approved"  # the ledger action that records an approval and what it approved

ItemMinutes = tuple[AgendaItem, MinutesRevision | None]  # an item and its current revision


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def minutes_digest(items: Iterable[ItemMinutes], decisions: Iterable[Decision], actions: Iterable[ActionItem]) -> str:
    """The digest an approval records: every item's title, outcome and current revision, the decisions and the
    actions (an action's state is left out: actions are closed at later meetings)."""
    parts = [
        f"item:{item.pk}:{item.title}:{item.outcome}:{current.number if current else 0}:"
        f"{current.text if current else ''}"
        for item, current in sorted(items, key=lambda pair: (pair[0].position, pair[0].pk))
    ]
    parts += [f"decision:{d.pk}:{d.text}" for d in sorted(decisions, key=lambda d: d.pk)]
    parts += [
        f"action:{a.pk}:{a.text}:{a.owner_id}:{a.owner_organisation_id}:{a.due_on}"
        for a in sorted(actions, key=lambda a: a.pk)
    ]
    return sha256("\n".join(parts))


def revision_hashes(items: Iterable[ItemMinutes]) -> list[dict[str, Any]]:
    """Each approved revision's own hash, as `minutes_saved` recorded it when it was written, for the ledger."""
    return [
        {"item": item.pk, "revision": current.number, "sha256": sha256(current.text)}
        for item, current in items
        if current is not None
    ]


def attendance_snapshot(rows: Iterable[Attendance]) -> list[dict[str, Any]]:
    """The attendance as an approval freezes it, in a stable order."""
    entries = [{"organisation": r.organisation_id, "person": r.person_id, "status": r.status} for r in rows]
    return sorted(entries, key=lambda e: (e["person"] is not None, e["person"] or 0, e["organisation"] or 0))


def attendance_key(person_id: int | None, organisation_id: int | None) -> tuple[int | None, int | None]:
    """What one attendance row stands for: a person, or a member with no person named (as the constraints say)."""
    return (person_id, None) if person_id else (None, organisation_id)


def attendance_digest(snapshot: list[dict[str, Any]] | None) -> str:
    return sha256(json.dumps(snapshot, sort_keys=True, separators=(",", ":")))


def recorded_approvals(meeting_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """What the ledger recorded of each meeting's approval, oldest first, in one query (an empty list: nothing)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    events = AuditEvent.objects.filter(
        action=APPROVED, subject_type=Meeting._meta.label_lower, subject_id__in=[str(pk) for pk in meeting_ids]
    ).order_by("seq")
    for subject_id, data in events.values_list("subject_id", "data"):
        found[int(subject_id)].append(data if isinstance(data, dict) else {})
    return found


@dataclass(frozen=True)
class ApprovalCheck:
    """Whether approved minutes, as a page shows them, are what was approved; `problem` says why not."""

    shown_hash: str
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def minutes_state_label(meeting: Meeting, check: ApprovalCheck | None) -> str:
    """A meeting's minutes state, but never "Approved" for minutes that fail their check."""
    if meeting.minutes_state == Meeting.MinutesState.APPROVED and not (check and check.intact):
        return _("Changed since approval")
    return str(meeting.get_minutes_state_display())


def check_approval(
    approval: MinutesApproval | None, *, shown_hash: str, recorded: list[dict[str, Any]]
) -> ApprovalCheck:
    """Compare the minutes shown with their approval and the approval with the ledger's record of it."""
    if approval is None:
        problem = _("The minutes are marked approved, but the record of their approval is missing.")
    elif shown_hash != approval.content_hash:
        problem = _("The minutes shown have changed since they were approved: their content hash no longer matches.")
    elif not recorded:
        problem = _("The ledger holds no record of this approval.")
    elif len(recorded) > 1:
        problem = _("The ledger records more than one approval of these minutes.")
    elif recorded[0].get("hash") != approval.content_hash:
        problem = _("The approval's content hash is not the one the ledger recorded when the minutes were approved.")
    elif "attendance" in recorded[0] and recorded[0]["attendance"] != attendance_digest(approval.attendance):
        problem = _("The attendance frozen at approval is not the attendance the ledger recorded.")
    else:
        problem = ""
    return ApprovalCheck(shown_hash=shown_hash, problem=problem)


def mark_later_attendance(approval: MinutesApproval, rows: Iterable[Attendance]) -> list[dict[str, Any]]:
    """Mark each row recorded differently since the approval (`changed_after_approval`, with `status_at_approval`:
    its label then, "" where the row was not recorded then); return the frozen entries no row stands for any more.
    Approvals made before attendance was frozen have no snapshot: there a row recorded after them is marked."""
    labels = dict(Attendance.Status.choices)
    frozen = None
    if approval.attendance is not None:
        frozen = {attendance_key(e["person"], e["organisation"]): e for e in approval.attendance}
    for row in rows:
        if frozen is None:
            changed, was = row.recorded_at > approval.recorded_at, ""
        else:
            entry = frozen.pop(attendance_key(row.person_id, row.organisation_id), None)
            changed = entry is None or (entry["status"], entry["organisation"]) != (row.status, row.organisation_id)
            was = str(labels.get(entry["status"], entry["status"])) if entry else ""
        row.changed_after_approval = changed  # type: ignore[attr-defined]
        row.status_at_approval = was  # type: ignore[attr-defined]
    return [
        {**entry, "status_label": str(labels.get(entry["status"], entry["status"]))}
        for entry in (frozen or {}).values()
    ]
