"""The search page's results written in Python (`rows.hit_items`) are the former template loop's HTML, byte for
byte: with and without a symbol, a forum, a date (or only a year, or none) and signers, values that need escaping,
paragraphs past the first page of their source, and results that share a source."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template

from coalition.core.policy import Classification
from coalition.core.tests.clients import client_for
from coalition.directory.tests.factories import government
from coalition.library import queries, rows, views
from coalition.library.models import Source

pytestmark = pytest.mark.django_db

# search.html's loop over the results as it was, with the old `Hit.in_source` (the paragraph's address on its page).
FORMER_LOOP = """{% load i18n %}
  {% for hit in hits %}{% with p=hit.result.paragraph %}
  <li>
    <p class="paragraph-meta"><span>{% blocktrans with label=p.label %}¶ {{ label }}{% endblocktrans %}</span> <span class="badge">{{ p.get_kind_display }}</span></p>
    <p class="hit-text">{% for text, matched in hit.result.parts %}{% if matched %}<mark>{{ text }}</mark>{% else %}{{ text }}{% endif %}{% endfor %}</p>
    {% include "library/includes/provenance.html" with prov=hit.provenance %}
    <p class="small"><a href="{% url 'library:lineage' p.pk %}">{% blocktrans with label=p.label %}Where ¶ {{ label }} was used before and since{% endblocktrans %}</a> · <a href="{{ hit.in_source }}">{% trans "In its text" %}</a></p>
  </li>
  {% endwith %}{% endfor %}"""  # noqa: E501


class FormerHit:
    def __init__(self, hit: views.Hit) -> None:
        self.result, self.provenance = hit.result, hit.provenance

    @property
    def in_source(self) -> str:
        paragraph = self.result.paragraph
        page = (paragraph.position - 1) // views.PARAGRAPHS_PER_PAGE + 1
        query = f"?page={page}" if page > 1 else ""
        return f"/library/sources/{paragraph.source_id}/{query}#p{paragraph.position}"


def _hits(user: Any, query: str) -> list[views.Hit]:
    found = queries.search(user, query)
    return [views.Hit(r, views._provenance(user, r.source)) for r in found.results]


def _former(hits: list[views.Hit]) -> str:
    return Template(FORMER_LOOP).render(Context({"hits": [FormerHit(hit) for hit in hits]}))[1:]  # after {% load %}


def test_the_results_are_the_former_loops_html(imported: Any, official: Any) -> None:
    estonia, ghana = government("EE"), government("GH")
    ghana.name = "Government of <Ghana> & \"Friends\" 'here'"
    ghana.save()
    many = "\n\n".join(f"{n}. Online freedom paragraph number {n} & <more>." for n in range(1, 206))
    imported(
        text=many,
        title='A <long> text & "quoted"',
        symbol="A/RES/1 & <2>",
        forum="HRC & <x>",
        date=dt.date(2012, 7, 5),
        endorsed_by=[estonia, ghana],
    )
    imported(text="States protect online freedom.", kind=Source.Kind.SPEECH, title="Speech", year=2016)
    imported(text="Undated online freedom text.", kind=Source.Kind.OTHER, title="Undated", forum="")
    imported(
        text="Members' online freedom text.",
        kind=Source.Kind.NATIONAL_STATEMENT,
        title="Members' text",
        classification=Classification.MEMBERS,
        endorsed_by=[estonia],
    )
    for page in (1, 2, 20):
        found = queries.search(official, "online freedom", page=page)
        hits = [views.Hit(r, views._provenance(official, r.source)) for r in found.results]
        assert hits
        assert str(rows.hit_items(hits, views.PARAGRAPHS_PER_PAGE)) == _former(hits), page
    assert "?page=2#p" in str(rows.hit_items(_hits(official, '"paragraph number 205"'), views.PARAGRAPHS_PER_PAGE))


def test_the_search_page_writes_them_in_its_list(imported: Any, official: Any) -> None:
    imported(text="Online freedom matters.", title="One", date=dt.date(2020, 1, 2))
    html = client_for(official).get("/library/", {"q": "online freedom"}).content.decode()
    expected = str(rows.hit_items(_hits(official, "online freedom"), views.PARAGRAPHS_PER_PAGE))
    assert f'<ol class="results" start="1">\n{expected}\n</ol>' in html
