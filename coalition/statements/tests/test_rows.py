"""The statements list's rows and a round's members' responses, written in Python (views/rows.py, issue 20), are the
HTML the template's loops with the core tags wrote: same markup, same escaping, same states, names, times and zones."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from coalition.core.policy import Classification, Role
from coalition.directory.models import Country, Organisation, Person
from coalition.documents.models import Document
from coalition.statements.models import Freeze, Response, Statement
from coalition.statements.views.rows import IndexRows, ResponseRows, Row, state
from coalition.statements.views.working import MemberResponse

# The loops of statements/index.html before issue 20, as they were.
IN_PROGRESS = Template(
    """{% load i18n coalition %}{% for row in in_progress %}
    <tr><th scope="row"><a href="{% url 'statements:statement' row.statement.slug %}">{{ row.statement.title }}</a>{% if row.statement.fast_track %} <span class="status">{% trans "fast track" %}</span>{% endif %}</th>
      <td>{{ row.statement.get_kind_display }}{% if row.statement.about_country %} ({{ row.statement.about_country.name }}){% endif %}</td>
      <td>{{ row.state }}</td>
      <td>{% if row.freeze %}{% show_time row.freeze.deadline row.freeze.deadline_time_zone %}{% else %}—{% endif %}</td></tr>
  {% endfor %}"""  # noqa: E501
)
PUBLISHED = Template(
    """{% load i18n coalition %}{% for row in published %}
    <tr><th scope="row"><a href="{% url 'statements:statement' row.statement.slug %}">{{ row.statement.title }}</a></th>
      <td>{{ row.statement.get_kind_display }}{% if row.statement.about_country %} ({{ row.statement.about_country.name }}){% endif %}</td>
      <td>{% show_time row.statement.published_at %}</td></tr>
  {% endfor %}"""  # noqa: E501
)
RESPONSES = Template(
    """{% load i18n coalition %}{% for row in rows %}
    <tr><th scope="row">{% name_if_visible row.organisation %}</th>
      {% if row.response %}
      <td class="response-{{ row.response.kind }}">{% if row.response.kind == "signed" and row.response.reservation %}{% trans "Signed with a reservation" %}{% else %}{{ row.response.get_kind_display }}{% endif %}{% if row.response.late %} ({% trans "joined after publication" %}){% endif %}</td>
      <td>{% if row.response.reservation %}{{ row.response.reservation|linebreaksbr }}{% elif row.response.reason %}{{ row.response.reason|linebreaksbr }}{% endif %}</td>
      <td>{% name_if_visible row.response.person %}</td>
      <td>{% show_time row.response.at %}</td>
      {% else %}
      <td class="response-none">{% trans "No response yet" %}</td><td></td><td></td><td></td>
      {% endif %}</tr>
  {% endfor %}"""  # noqa: E501
)
NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.UTC)


def _rows() -> list[Row]:
    hostile = Statement(
        pk=7,
        slug="budget-review",
        kind=Statement.Kind.COUNTRY_SPECIFIC,
        document=Document(title='Budget <review> & "planning"'),
        about_country=Country(name="Côte d'Ivoire & <Co>"),
        fast_track=True,
    )
    silent = Freeze(
        number=2,
        mode=Freeze.Mode.SILENCE,
        deadline=dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # the clocks go back in Europe that night
        deadline_time_zone="Europe/London",
    )
    draft = Statement(pk=8, slug="a-draft", kind=Statement.Kind.JOINT, document=Document(title="A draft"))
    published = Statement(
        pk=9,
        slug="published",
        kind=Statement.Kind.CHAIR,
        document=Document(title="Published"),
        published_at=dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC),
    )
    closed = Freeze(number=1, outcome=Freeze.Outcome.CLOSED, deadline=NOW, deadline_time_zone="Africa/Accra")
    return [
        Row(hostile, silent, state(hostile, silent, NOW)),
        Row(draft, None, state(draft, None, NOW)),
        Row(published, closed, state(published, closed, NOW)),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("viewer_tz", ["Africa/Accra", "Europe/London", "America/Santiago"])
def test_rows_are_what_the_template_wrote(language: str, viewer_tz: str) -> None:
    with translation.override(language):
        rows = _rows()
        context = Context({"in_progress": rows, "published": rows, "viewer_tz": viewer_tz})
        render = IndexRows(viewer_tz)
        assert render.in_progress(rows) == IN_PROGRESS.render(context)
        assert render.published(rows) == PUBLISHED.render(context)


def _responses() -> list[MemberResponse]:
    public = Organisation(pk=3, name='Ministry <of> "Foreign" & Co', classification=Classification.PUBLIC)
    hidden = Organisation(pk=4, name="A restricted member", classification=Classification.RESTRICTED)
    plain = Organisation(pk=5, name="Ministry of Digital Affairs", classification=Classification.PUBLIC)
    person = Person(pk=6, full_name="Ana <b>Silva</b>", classification=Classification.PUBLIC)
    at = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    signed = Response(kind=Response.Kind.SIGNED, reservation="On para 2:\n<script>x</script>", person=person, at=at)
    objected = Response(kind=Response.Kind.OBJECTED, reason="Too weak & late", person=person, at=at, late=True)
    return [
        MemberResponse(public, signed),
        MemberResponse(hidden, None),
        MemberResponse(plain, objected),
        MemberResponse(public, Response(kind=Response.Kind.WITHDRAWN, person=person, at=at)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.OBSERVER])
def test_response_rows_are_what_the_template_wrote(make_user: Any, language: str, role: Role) -> None:
    user = make_user(role)
    rows = _responses()
    with translation.override(language):
        context = Context({"request": SimpleNamespace(user=user), "rows": rows, "viewer_tz": "Europe/London"})
        assert ResponseRows(user, "Europe/London").rows(rows) == RESPONSES.render(context)
