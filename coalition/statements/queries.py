"""Reads of statements worth a name, already access-filtered, and what a viewer may do on a statement's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from coalition.core import policy
from coalition.statements.models import Freeze, Statement


def statements(user: Any) -> QuerySet[Statement]:
    """The statements `user` may read, each with all its rounds and their texts (one query for the rounds)."""
    rounds = Freeze.objects.select_related("version").order_by("-number")
    return (
        policy.visible_to(user, Statement)
        .select_related("document", "about_country", "published_freeze")
        .prefetch_related(Prefetch("freezes", queryset=rounds, to_attr="all_freezes"))
    )


def listed(user: Any) -> QuerySet[Statement]:
    """The statements `user` may read, as the list shows them: with the country concerned and the rounds (without
    their texts: one query for the rounds)."""
    rounds = Freeze.objects.defer("version_id", "content_hash", "frozen_by_id").order_by("-number")
    return (
        policy.visible_to(user, Statement)
        .select_related("document", "about_country")
        .prefetch_related(Prefetch("freezes", queryset=rounds, to_attr="all_freezes"))
    )


def for_public_page(user: Any) -> QuerySet[Statement]:
    """The statements `user` may read, as the public page shows them: with the published round and its text."""
    return policy.visible_to(user, Statement).select_related("document", "about_country", "published_freeze__version")


def public_row(user: Any, slug: str) -> tuple[Any, ...] | None:
    """Statement `slug` as `user` may read it, in the columns of its own row the public page depends on
    (classification and embargo time first: `Statement.public_now`), or None: one light query, no joins, for the
    kept public page's key (`views.working.public_page_key`; the title, its document's, is stamped instead)."""
    rows = list(
        policy.visible_to(user, Statement)
        .filter(slug=slug)
        .values_list("classification", "published_at", "pk", "published_freeze_id", "kind", "about_country_id")[:1]
    )
    return rows[0] if rows else None


@dataclass(frozen=True)
class WorkingPowers:
    """What the viewer of a statement's working page may do there (the policy's answers, asked once)."""

    freeze: bool  # freeze the text for a round of responses
    manage: bool  # publish the statement and add its translations

    @classmethod
    def of(cls, user: Any) -> WorkingPowers:
        return cls(freeze=policy.can(user, "statements.freeze"), manage=policy.can(user, "statements.manage"))
