"""Who reads, runs and replies to meetings and calls (registered with the access policy from
MeetingsConfig.ready())."""

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
    SignedIn,
    acts_for_member,
)


def _is_invited(actor: Actor, invitation: Any, **context: Any) -> bool:
    """Only the person invited replies to an invitation (no one replies for them, not even the Support Unit)."""
    if invitation is None:
        return actor.person_id is not None
    return actor.person_id is not None and actor.person_id == invitation.person_id


RULES: dict[str, Rule] = {
    "meetings.view": ByClassification(),
    "meetings.manage": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
    "meetings.view_draft_minutes": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
    "meetings.rsvp": Predicate(_is_invited, "the person invited"),
    "meetings.record_reply_for": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit, for replies received by email"),
    "meetings.calendar": SignedIn(description="any signed-in person, for their own calendar feed"),
    "meetings.record_call": Predicate(acts_for_member, "the member's focal points and officials; Support Unit"),
    "meetings.view_compliance": Roles(GOVERNMENTS, "member governments and the Support Unit"),
}
