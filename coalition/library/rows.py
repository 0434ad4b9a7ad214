"""The search page's results, rendered in Python once per result rather than through the template language (issue 20,
page cost).

A page of ten results ran some sixty template nodes each: the matched words marked one run at a time, two
translated strings, three addresses reversed, and the provenance include (with its date include) for every result,
even where the results share a source. Here the provenance of a source is written once per page, the addresses are
reversed once with a placeholder, and each translated string is looked up once. The HTML is the former template
loop's own, byte for byte (tests/test_rows.py checks it against that loop), every value written as `{{ value }}`
writes it (localized, then escaped). Which results and signers are shown was decided before they get here (the
results are the reader's visible paragraphs; the signers passed `policy.is_visible`).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # what django.utils.html.escape runs, without its lazy-string wrapper
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_PLACEHOLDER = 999_999_999
DATE_FORMAT = "j F Y"


def _text(value: Any) -> str:
    """A value as a template's `{{ value }}` writes it: localized, then escaped unless already safe."""
    if type(value) is str:
        return escape(value)
    return str(conditional_escape(localize(value)))


def marked(parts: Iterable[tuple[str, bool]]) -> str:
    """A result's text with the searched words in <mark>, as the template's loop over its runs wrote it."""
    return "".join(f"<mark>{escape(text)}</mark>" if matched else escape(text) for text, matched in parts)


class HitRenderer:
    """Writes one page of search results (views.Hit) for one request."""

    def __init__(self, paragraphs_per_page: int) -> None:
        self.per_page = paragraphs_per_page
        self.source_address = reverse("library:source", args=[_PLACEHOLDER])
        self.lineage_address = reverse("library:lineage", args=[_PLACEHOLDER])
        self.pilcrow = _("¶ %(label)s")
        self.used = _("Where ¶ %(label)s was used before and since")
        self.in_text = escape(_("In its text"))
        self.undated = escape(_("undated"))
        self.provenances: dict[int, str] = {}

    def _address(self, address: str, pk: Any) -> str:
        return address.replace(str(_PLACEHOLDER), str(int(pk)))

    def _date(self, source: Any) -> str:
        """library/includes/source_date.html with format "j F Y" (and its file's last newline)."""
        if source.date:
            return f'<time datetime="{source.date.isoformat()}">{_text(date_filter(source.date, DATE_FORMAT))}</time>\n'
        if source.year:
            return f'<time datetime="{_text(source.year)}">{_text(source.year)}</time>\n'
        return f"{self.undated}\n"

    def provenance(self, provenance: Any) -> str:
        """library/includes/provenance.html (without `already`), once per source of the page."""
        source = provenance.source
        if source.pk not in self.provenances:
            symbol = f' <span class="symbol">({_text(source.symbol)})</span>' if source.symbol else ""
            forum = f" · {_text(source.forum)}" if source.forum else ""
            signers = ""
            if provenance.signers:
                names = ", ".join(_text(org.name) for org in provenance.signers)
                signers = f'<br><span class="signers">{_text(source.endorsement_label)}: {names}</span>'
            self.provenances[source.pk] = (
                f'\n<p class="provenance"><a href="{self._address(self.source_address, source.pk)}">'
                f"{_text(source.title)}</a>{symbol}\n"
                f"  · {_text(source.get_kind_display())}{forum}\n"
                f"  · {self._date(source)}\n"
                f"  {signers}</p>\n"
            )
        return self.provenances[source.pk]

    def in_source(self, paragraph: Any) -> str:
        """The address of a paragraph on its source's page (which shows the paragraphs a page at a time)."""
        page = (paragraph.position - 1) // self.per_page + 1
        query = f"?page={page}" if page > 1 else ""
        return f"{self._address(self.source_address, paragraph.source_id)}{query}#p{paragraph.position}"

    def hit(self, hit: Any) -> str:
        paragraph = hit.result.paragraph
        label = {"label": _text(paragraph.label)}
        lineage = self._address(self.lineage_address, paragraph.pk)
        return (
            "\n  <li>\n"
            f'    <p class="paragraph-meta"><span>{self.pilcrow % label}</span> '
            f'<span class="badge">{_text(paragraph.get_kind_display())}</span></p>\n'
            f'    <p class="hit-text">{marked(hit.result.parts)}</p>\n'
            f"    {self.provenance(hit.provenance)}\n"
            f'    <p class="small"><a href="{lineage}">{self.used % label}</a>'
            f' · <a href="{_text(self.in_source(paragraph))}">{self.in_text}</a></p>\n'
            "  </li>\n  "
        )


def hit_items(hits: Iterable[Any], paragraphs_per_page: int) -> SafeString:
    """The search page's former `{% for hit in hits %}` loop inside <ol class="results">, whitespace included."""
    writer = HitRenderer(paragraphs_per_page)
    return mark_safe("  " + "".join(writer.hit(hit) for hit in hits))  # noqa: S308 - every value is escaped
