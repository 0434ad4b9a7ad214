"""What the library offers the platform's search: its paragraphs, with their source's title and symbol (the
library's own page ranks them with its tantivy index; here they are found like every other kind)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.library import visibility
from coalition.library.models import Paragraph


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="library.paragraph",
            label=_("Library paragraphs"),
            model=Paragraph,
            fields=("text", "source__title", "source__symbol"),
            readable=visibility.visible_paragraphs,
            url=lambda paragraph: reverse("library:lineage", args=[paragraph.pk]),
            related=("source",),
            order=("source_id", "pk"),
        )
    )
