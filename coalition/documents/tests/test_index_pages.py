"""The documents list (issue 20): a page of DOCUMENTS_PER_PAGE documents at a time, newest first, every document
reachable through the next-page links; its rows, written in Python (rows.py), are the HTML the template's loop with
the core tags wrote: same markup, same escaping, same times and zones."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from coalition.core.policy import Classification, Role
from coalition.documents import services
from coalition.documents.models import Document
from coalition.documents.rows import DOCUMENTS_PER_PAGE, index_rows

# The loop of documents/index.html before issue 20, as it was.
LOOP = Template(
    """{% load i18n coalition %}{% for document in documents %}
    <tr><th scope="row"><a href="{% url 'documents:document' document.pk %}">{{ document.title }}</a></th>
      <td>{{ document.get_kind_display }}</td>
      <td>{{ document.get_phase_display }}</td>
      <td>{% classification_badge document %}</td>
      <td>{% if document.last_number %}{% blocktrans with n=document.last_number %}Version {{ n }}{% endblocktrans %}, {% show_time document.last_saved_at %}{% else %}—{% endif %}</td></tr>
  {% endfor %}"""  # noqa: E501
)


def _documents() -> list[Document]:
    hostile = Document(
        pk=7,
        title='Budget <review> & "planning"',
        kind=Document.Kind.TERMS_OF_REFERENCE,
        phase=Document.Phase.CONSULTATION,
        classification=Classification.RESTRICTED,
    )
    hostile.last_number = 1234  # type: ignore[attr-defined]
    hostile.last_saved_at = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    plain = Document(pk=12, title="Toolkit", kind=Document.Kind.TOOLKIT, classification=Classification.PUBLIC)
    plain.last_number = None  # type: ignore[attr-defined]
    plain.last_saved_at = None  # type: ignore[attr-defined]
    return [hostile, plain]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("viewer_tz", ["Africa/Accra", "Europe/London", "America/Santiago"])
def test_rows_are_what_the_template_wrote(language: str, viewer_tz: str) -> None:
    documents = _documents()
    with translation.override(language):
        expected = LOOP.render(Context({"documents": documents, "viewer_tz": viewer_tz}))
        assert index_rows(documents, viewer_tz) == expected


@pytest.mark.django_db
def test_every_document_is_reached_page_by_page_newest_first(make_user: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    titles = [f"Document {n:03d}" for n in range(DOCUMENTS_PER_PAGE + 3)]
    for title in titles:
        services.create_document(by=support, title=title, text="A clause.")
    client = Client()
    client.force_login(support)
    seen: list[str] = []
    address = reverse("documents:index")
    pages = 0
    while address:
        page = client.get(address).content.decode()
        pages += 1
        listed = re.findall(r'<th scope="row"><a href="/documents/\d+/">(Document \d+)</a>', page)
        assert len(listed) <= DOCUMENTS_PER_PAGE
        seen += listed
        following = re.search(r'<a href="(\?page=\d+)" rel="next">', page)
        address = reverse("documents:index") + following.group(1) if following else ""
    assert pages == 2
    assert seen == list(reversed(titles))  # each once, newest first
