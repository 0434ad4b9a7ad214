"""Who reads, searches and feeds the agreed-language library (registered with the access policy from
LibraryConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import GOVERNMENTS, PARTICIPANTS, ByClassification, Role, Roles, Rule

RULES: dict[str, Rule] = {
    "library.view": ByClassification(),
    "library.assist": Roles(PARTICIPANTS, "participants: governments, Support Unit, Advisory Network, observers"),
    "library.import": Roles(GOVERNMENTS, "member governments and the Support Unit"),
    "library.detect": Roles(GOVERNMENTS, "member governments and the Support Unit"),
    "library.manage": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
}
