"""Which sources and paragraphs of the library a person may read: the policy decides, and every read of the library
(search, the semantic index, lineage, the assistant, the API, evidence) starts here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from coalition.core import policy
from coalition.library.models import Paragraph, Source


def visible_sources(user: Any) -> QuerySet[Source]:
    """The sources `user` may read: the source's own classification, and for a statement's text the statement's
    (a draft's paragraphs never reach anyone who cannot see the draft). The policy reads both from the model."""
    return policy.visible_to(user, Source)


def visible_sources_compiled(user: Any) -> QuerySet[Source]:
    """`visible_sources(user)` for a page that reads it in several queries (the search page: its filter choices and
    the index's access filter): the policy's filter built and turned into SQL once, each query then keeping the
    sources whose id that SQL selects. Building and compiling the filter (the source's classification, audience,
    release time and statement) cost milliseconds each time (issue 20, page cost). The SQL is the policy's own,
    with the time of this call: for one request, not to be kept."""
    sql, params = visible_sources(user).values("pk").query.sql_with_params()
    return Source.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - Django's SQL; the values stay parameters


def visible_paragraphs(user: Any) -> QuerySet[Paragraph]:
    """The paragraphs of the sources `user` may read (the policy follows `Paragraph.visible_through`)."""
    return policy.visible_to(user, Paragraph)
