"""Who reads and acts in rapid response (registered with the access policy from ResponseConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import (
    GOVERNMENTS,
    PARTICIPANTS,
    ByClassification,
    Predicate,
    Role,
    Roles,
    Rule,
    acts_for_member,
)

RULES: dict[str, Rule] = {
    "response.view": ByClassification(),
    "response.view_signals": Roles(
        PARTICIPANTS, "participants: governments, Support Unit, Advisory Network, observers"
    ),
    "response.import": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
    "response.open_situation": Roles(GOVERNMENTS, "member governments and the Support Unit"),
    "response.manage": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
    "response.widen": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
    "response.pledge": Predicate(acts_for_member, "the member's focal points and officials (for their member)"),
    "response.report": Roles(
        GOVERNMENTS | {Role.ADVISORY_NETWORK}, "governments, Support Unit, Advisory Network (on what they can read)"
    ),
    "response.toolkit": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
}
