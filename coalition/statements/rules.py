"""Who reads, runs and signs statements (registered with the access policy from StatementsConfig.ready())."""

from __future__ import annotations

from typing import Any

from coalition.core.policy import Actor, Anyone, ByClassification, Predicate, Role, Roles, Rule


def _may_sign_for(actor: Actor, organisation: Any, **context: Any) -> bool:
    """Only a member's focal point commits the member: sign, withdraw or object on its behalf (no one else, not
    the Support Unit, not another member's focal point, not an official without the focal-point position)."""
    if not actor.has(Role.FOCAL_POINT):
        return False
    if organisation is None:  # "may this person sign for some member at all?"
        return bool(actor.focal_point_for)
    return organisation.pk in actor.focal_point_for


RULES: dict[str, Rule] = {
    "statements.view": ByClassification(),
    "statements.manage": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
    "statements.freeze": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Chair and Support Unit"),
    "statements.sign": Predicate(_may_sign_for, "the member's focal point (a position), for that member only"),
    "statements.verify": Anyone(description="anyone: the verification of a published statement is public"),
}
