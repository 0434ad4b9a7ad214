"""Who takes part in donor coordination and decides for a member's records (registered with the access policy from
DonorsConfig.ready()). Who reads each record is its sharing tier's (`FundingActivity.sharing`, `policy.sharing_q`)."""

from __future__ import annotations

from typing import Any

from coalition.core.policy import (
    GOVERNMENTS,
    Actor,
    ByClassification,
    Predicate,
    Role,
    Roles,
    Rule,
    acts_for_member,
    is_visible,
)


def _speaks_for_member(actor: Actor, organisation: Any, **context: Any) -> bool:
    """Decisions only the member takes, through its focal points and officials (not even the Support Unit): what it
    reports as its funding and who each record is shared with (an import updates records by identifier, so whoever
    imports for a member could overwrite, or confirm the existence of, a record it cannot read)."""
    if not actor.has(Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
        return False
    return organisation is None or organisation.pk in actor.acts_for


def _may_review_overlap(actor: Actor, overlap: Any, *, from_visible_rows: bool = False, **context: Any) -> bool:
    """An overlap is judged by the people of either reporter, and by the Support Unit that runs the mechanism; each
    only when it can read both activities. A page listing rows it took from `visible_to` says so
    (`from_visible_rows=True`) to spare a query per row; the service asks the whole rule when the verdict is sent."""
    if overlap is None:
        return actor.has(Role.SUPPORT_UNIT, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL)
    if not from_visible_rows and not is_visible(actor, overlap):
        return False
    if actor.has(Role.SUPPORT_UNIT):
        return True
    reporters = {overlap.first.reporter_id, overlap.second.reporter_id}
    return actor.has(Role.FOCAL_POINT, Role.MEMBER_OFFICIAL) and bool(reporters & actor.acts_for)


RULES: dict[str, Rule] = {
    "donors.view": ByClassification(description="by the record's sharing tier (see `sharing_q`)"),
    "donors.take_part": Predicate(acts_for_member, "the member's focal points and officials (for their member)"),
    "donors.report": Predicate(
        _speaks_for_member, "the member's focal points and officials only (not the Support Unit)"
    ),
    "donors.share": Predicate(
        _speaks_for_member, "the member's focal points and officials only (not the Support Unit)"
    ),
    "donors.assess": Predicate(acts_for_member, "the member's focal points and officials (for their member)"),
    "donors.review": Predicate(_may_review_overlap, "either reporter's people, and the Support Unit"),
    "donors.align": Roles(GOVERNMENTS, "member governments and the Support Unit (totals of what each may read)"),
    "donors.manage": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
}
