"""The programme page's activity rows, written in Python (views/rows.py, issue 20), are the HTML the template's loop
wrote: same markup, same escaping, dates, labels, and a lead named only where the viewer may see it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import BodyFactory, government
from coalition.programme import queries
from coalition.programme.models import ProgressUpdate, Status
from coalition.programme.tests.test_tree import ON, Build
from coalition.programme.views.rows import RowRenderer

# The loop of programme/tree.html before issue 20, as it was.
LOOP = Template(
    """{% load i18n coalition %}{% for activity in objective.children %}
      <tr>
        <td><a href="{% url 'programme:activity' programme.year activity.code %}"><strong>{{ activity.code }}</strong></a> {{ activity.title|truncatewords:22 }}{% if activity.carried_from_id %} <span class="small">({% trans "carried over" %})</span>{% endif %}</td>
        <td><span class="status status-{{ activity.status }}">{{ activity.get_status_display }}</span>{% if activity.status_reason %}<br><span class="small">{{ activity.status_reason }}</span>{% endif %}</td>
        <td>{% name_if_visible activity.lead %}</td>
        <td>{{ activity.target_on|date:"j M Y"|default:"—" }}{% if activity.is_overdue_now %} <strong class="warn">{% trans "overdue" %}</strong>{% endif %}</td>
        <td>{{ activity.last_update_on|date:"j M Y"|default:_("none") }}{% if activity.update_count %} <span class="small">({{ activity.update_count }})</span>{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501
)


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK, Role.SUPPORT_UNIT])
def test_rows_are_what_the_template_wrote(make_user, role):
    build = Build()
    hidden = BodyFactory.create(slug="hidden", name="Members <body>", classification=Classification.MEMBERS)
    first = build.activity(
        "1A.1",
        Status.BLOCKED,
        status_reason='Waiting for "funds" & <staff>',
        lead_organisation=government("GH"),
        target_on=dt.date(2023, 3, 1),  # overdue on ON
    )
    first.title = " ".join(f"word{n} & <b>" for n in range(30))  # cut at 22 words
    first.save(update_fields=["title"])
    earlier = build.activity("1A.2", Status.DONE, lead_body=hidden, target_on=None)
    later = build.activity("1A.3", Status.IN_PROGRESS, carried_from=earlier)
    user = make_user(role)
    author = make_user(Role.SUPPORT_UNIT)
    for day in (2, 9):
        ProgressUpdate.objects.create(
            activity=later,
            narrative="Progress.",
            reported_on=dt.date(2023, 5, day),
            author=author,
            classification="public",
        )
    request = RequestFactory().get("/")
    request.user = user
    for language in ("en", "fr"):
        with translation.override(language):
            tree = queries.tree(user, build.programme, on=ON)
            renderer = RowRenderer(user, build.programme)
            objectives = [objective for goal in tree.goals for objective in goal.children]
            assert sum(len(objective.children) for objective in objectives) >= 2
            for objective in objectives:
                context = Context({"objective": objective, "programme": build.programme, "request": request})
                assert _squeezed(renderer.rows(objective.children)) == _squeezed(LOOP.render(context))
