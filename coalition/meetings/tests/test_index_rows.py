"""The meetings index's rows, written in Python (views/rows.py, issue 20), are the HTML the template's loop with the
core tags wrote: same markup, same escaping, same times and zones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from coalition.core.policy import Classification
from coalition.meetings.models import Meeting
from coalition.meetings.views.rows import IndexRows

# The loops of meetings/index.html before issue 20, as they were.
UPCOMING = Template(
    """{% load i18n coalition %}{% for meeting in upcoming %}
    <tr><th scope="row"><a href="{% url 'meetings:meeting' meeting.pk %}">{{ meeting.title }}</a>{% if meeting.is_cancelled %} <strong class="warn">{% trans "cancelled" %}</strong>{% endif %}</th>
      <td>{% show_time meeting.starts_at meeting.host_time_zone %}</td>
      <td>{% if meeting.virtual %}{% trans "Virtual" %}{% else %}{% trans "In person" %}{% endif %}</td>
      <td>{% classification_badge meeting %}</td></tr>
  {% endfor %}"""  # noqa: E501
)
PAST = Template(
    """{% load i18n coalition %}{% for meeting in past %}
    <tr><th scope="row"><a href="{% url 'meetings:meeting' meeting.pk %}">{{ meeting.title }}</a></th>
      <td>{% show_time meeting.starts_at meeting.host_time_zone %}</td>
      <td>{{ meeting.get_minutes_state_display }}</td></tr>
  {% endfor %}"""
)


def _meetings() -> list[Meeting]:
    return [
        Meeting(
            pk=7,
            title='Budget <review> & "planning"',
            starts_at=dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # the clocks go back in Europe that night
            host_time_zone="Europe/London",
            virtual=False,
            state=Meeting.State.CANCELLED,
            minutes_state=Meeting.MinutesState.CIRCULATED,
            classification=Classification.RESTRICTED,
        ),
        Meeting(
            pk=12,
            title="Plenary",
            starts_at=dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC),
            host_time_zone="Africa/Accra",
            virtual=True,
            state=Meeting.State.SCHEDULED,
            minutes_state=Meeting.MinutesState.DRAFT,
            classification=Classification.MEMBERS,
        ),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("viewer_tz", ["Africa/Accra", "Europe/London", "America/Santiago"])
def test_rows_are_what_the_template_wrote(language: str, viewer_tz: str) -> None:
    meetings = _meetings()
    with translation.override(language):
        context = Context({"upcoming": meetings, "past": meetings, "viewer_tz": viewer_tz})
        rows = IndexRows(viewer_tz)
        assert rows.upcoming(meetings) == UPCOMING.render(context)
        assert rows.past(meetings) == PAST.render(context)
