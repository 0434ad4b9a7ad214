"""Who reads and changes the directory (registered with the access policy from DirectoryConfig.ready())."""

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
    is_visible,
)


def _may_see_contact(actor: Actor, person: Any, *, listed: bool = False, **context: Any) -> bool:
    """Contact details of civil-society people reach the Support Unit only (and the person themselves);
    government people's contacts reach the member governments. `listed=True` says the caller read `person` through
    `policy.visible_to` for this actor (a list page), so whether the actor sees the person is not asked again, one
    query per person named in a restricted audience."""
    if person is None:
        return False
    if actor.person_id is not None and actor.person_id == person.pk:
        return True
    if actor.has(Role.SUPPORT_UNIT):
        return True
    if person.is_civil_society:
        return False
    return actor.has(*GOVERNMENTS) and (listed or is_visible(actor, person))


def _consents_for_government(actor: Actor, organisation: Any, **context: Any) -> bool:
    """Who holds a position on a government's behalf is that government's decision, taken through its focal points:
    no one else agrees for it (not the Support Unit, which could otherwise give itself the member's voice)."""
    if organisation is None:
        return bool(actor.extra.get("consents_for"))
    return organisation.pk in actor.extra.get("consents_for", frozenset())


RULES: dict[str, Rule] = {
    "directory.view": ByClassification(),
    "directory.view_contact": Predicate(_may_see_contact, "Support Unit; governments for government people"),
    "directory.view_coverage": Roles(GOVERNMENTS, "member governments and the Support Unit"),
    "directory.manage": Roles(frozenset({Role.SUPPORT_UNIT}), "Support Unit"),
    "directory.consent": Predicate(
        _consents_for_government,
        "the government's own focal points, for positions on its behalf (not the Support Unit)",
    ),
}
