"""The overlap candidates kept for review (PoA 2A.3): the detector (`overlap`, Django-free) run over the funding
activities, its candidates kept (new ones open, known ones re-scored, vanished ones dropped or marked stale), and a
member's review of one. Detection runs as a task (`tasks.detect`) after an import changes activities, and on demand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.donors import overlap
from coalition.donors.models import FundingActivity, Overlap


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
