"""The documents list's table rows, rendered in Python once per row rather than through the template language.

Each row's link, kind, phase, classification badge and last version's time cost most of the list's CPU as template
tags (issue 20). The HTML is the row the template wrote (core/markup.py writes the badge and the time, as the
`classification_badge` and `show_time` tags do); every value from a record is escaped, and the labels are translated
once a page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalition.core.markup import Route, badge_html, escape, text, time_html, time_values
from coalition.documents.models import Document

DOCUMENTS_PER_PAGE = 50


def index_rows(documents: Iterable[Document], viewer_tz: str) -> SafeString:
    """The rows of the list's table for the viewer's time zone (each document annotated as `queries.index` does)."""
    route = Route("documents:document")
    kinds = {value: escape(str(label)) for value, label in Document.Kind.choices}
    phases = {value: escape(str(label)) for value, label in Document.Phase.choices}
    out = []
    for document in documents:
        number = getattr(document, "last_number", None)
        if number:
            shown = time_html(time_values(getattr(document, "last_saved_at", None), viewer_tz))
            last = f"{_('Version %(n)s') % {'n': text(number)}}, {shown}\n"  # as blocktrans: the value escaped
        else:
            last = "—"
        out.append(
            f'\n    <tr><th scope="row"><a href="{route.to(int(document.pk))}">{escape(document.title)}</a></th>\n'
            f"      <td>{kinds.get(document.kind) or escape(document.kind)}</td>\n"
            f"      <td>{phases.get(document.phase) or escape(document.phase)}</td>\n"
            f"      <td>{badge_html(document)}\n</td>\n"
            f"      <td>{last}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308  # every value escaped above
