"""Who reads, drafts and comments on documents (registered with the access policy from DocumentsConfig.ready())."""

from __future__ import annotations

from typing import Any

from coalition.core.policy import (
    GOVERNMENTS,
    Actor,
    ByClassification,
    Classification,
    Predicate,
    Role,
    Roles,
    Rule,
    is_visible,
)


def _may_see_drafting_history(actor: Actor, document: Any, **context: Any) -> bool:
    """Earlier versions and redlines: whoever reads the document, until it is published; a published document's
    drafts stay with the governments (drafts never reach the public)."""
    if document is None or not is_visible(actor, document):
        return False
    return document.classification != Classification.PUBLIC or actor.has(*GOVERNMENTS)


RULES: dict[str, Rule] = {
    "documents.view": ByClassification(),
    "documents.manage": Roles(frozenset({Role.SUPPORT_UNIT, Role.CHAIR}), "Support Unit and Chair"),
    "documents.view_history": Predicate(_may_see_drafting_history, "readers of the document; once public, governments"),
    "documents.comment": Roles(
        GOVERNMENTS | {Role.ADVISORY_NETWORK}, "governments, Support Unit, Advisory Network (on what they can read)"
    ),
}
