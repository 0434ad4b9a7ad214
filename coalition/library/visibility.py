"""Which sources and paragraphs of the library a person may read: the policy decides, and every read of the library
(search, the semantic index, lineage, the assistant, the API, evidence) starts here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from coalition.core import policy
from coalition.library.models import Paragraph, Source


def visible_sources(user: Any) -> QuerySet[Source]:
    """The sources `user` may read: the source's own classification, and for a statement's text the statement's
    (a draft's paragraphs never reach anyone who cannot see the draft). The policy reads both from the model."""
    return policy.visible_to(user, Source)


def visible_paragraphs(user: Any) -> QuerySet[Paragraph]:
    """The paragraphs of the sources `user` may read (the policy follows `Paragraph.visible_through`)."""
    return policy.visible_to(user, Paragraph)
