"""What documents offer the platform's search: each document's title and its current version's text (the
drafting history is not searched: not every reader may see it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.documents import queries
from coalition.documents.models import Document, Version


def current_texts(ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for document_id, text in (
        Version.objects.filter(document_id__in=list(ids))
        .order_by("document_id", "number")
        .values_list("document_id", "text")
    ):
        found[document_id] = [text]  # the last, highest number wins
    return found


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="documents.document",
            label=_("Documents"),
            model=Document,
            fields=("title",),
            texts=current_texts,
            follows=("versions",),
            readable=queries.index,
            url=lambda document: reverse("documents:document", args=[document.pk]),
            title=lambda document: document.title,
            order=("-created_at", "pk"),
        )
    )
