"""Who reads and changes the Program of Action (registered with the access policy from ProgrammeConfig.ready())."""

from __future__ import annotations

from coalition.core.policy import GOVERNMENTS, ByClassification, Role, Roles, Rule

RULES: dict[str, Rule] = {
    "programme.view": ByClassification(),
    "programme.post_update": Roles(
        GOVERNMENTS | {Role.ADVISORY_NETWORK}, "governments, Support Unit, Advisory Network"
    ),
    "programme.link_evidence": Roles(GOVERNMENTS, "member governments and the Support Unit"),
    "programme.manage": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
}
