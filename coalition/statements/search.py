"""What statements offer the platform's search: the title and the text as frozen for its current round or
published."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.statements import queries
from coalition.statements.models import Statement


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="statements.statement",
            label=_("Statements"),
            model=Statement,
            fields=("document__title", "situation", "about_country__name", "published_freeze__version__text"),
            readable=queries.listed,
            url=lambda statement: reverse("statements:statement", args=[statement.slug]),
            title=lambda statement: statement.title,
            related=("document",),
            order=("-created_at", "pk"),
        )
    )
