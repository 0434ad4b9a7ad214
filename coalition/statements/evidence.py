"""Published statements as evidence for Program of Action activities (1A.5, 1A.6, 1A.10)."""

from __future__ import annotations

from django.urls import reverse

from coalition.core.evidence import EvidenceType, register
from coalition.statements.models import Statement


def register_types() -> None:
    register(
        EvidenceType(
            key="statements.statement",
            label="Statement",
            model=Statement,
            url=lambda statement: reverse("statements:statement", args=[statement.slug]),
            title=lambda statement: statement.title,
            related=("document",),  # the title is the document's
            # Only once the public can read it: an embargoed statement suggests nothing (its proposal would be seen).
            suggests=lambda statement: "done" if statement.is_public else None,
        )
    )
