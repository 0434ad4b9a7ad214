"""What the meeting page's cheaper reads write is what the plain ones wrote (issue 20): the owner selects built from
two columns, and the previous and next meetings of a long series found without reading all of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms

from coalition.core import policy
from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import PersonFactory, PositionFactory, government
from coalition.meetings import queries
from coalition.meetings.forms import ActionForm, AgendaItemForm
from coalition.meetings.models import Meeting, MeetingSeries
from coalition.meetings.tests.factories import create_series

pytestmark = pytest.mark.django_db


def _series(support: Any, count: int) -> list[Meeting]:
    series = create_series(
        by=support,
        title="Weekly",
        first_on=dt.date(2026, 1, 5),
        count=count,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone="Europe/Amsterdam",
    )
    return list(series.meetings.order_by("starts_at"))


def test_the_owner_selects_write_what_the_model_choices_wrote(support: Any) -> None:
    [meeting] = _series(support, 1)
    PositionFactory(person=PersonFactory(full_name='Ana <b>"Ortiz"</b> & co'), organisation=government("KE"))
    PositionFactory(person=PersonFactory(full_name="Zoë Ångström"), organisation=government("KE"))
    for form in (
        AgendaItemForm(user=support, meeting=meeting),
        ActionForm(user=support, meeting=meeting, items=[]),
        AgendaItemForm({"owner": str(support.person_id)}, user=support, meeting=meeting),
    ):
        field = form.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        fast = str(form["owner"])
        field.iterator = forms.models.ModelChoiceIterator
        field.queryset = field.queryset  # the widget's choices again, from model instances
        assert fast == str(form["owner"])
        assert fast.count("<option") > 2


@pytest.mark.parametrize("index", [0, 1, 3, 4])
def test_the_neighbours_are_the_meetings_either_side(support: Any, index: int) -> None:
    meetings = _series(support, 5)
    meetings[2].state = Meeting.State.CANCELLED  # a cancelled meeting is no one's neighbour
    meetings[2].save()
    shown = [m for m in meetings if m.state != Meeting.State.CANCELLED]
    at = shown.index(meetings[index])
    page = queries.meeting_page(support, meetings[index])
    assert page.previous == (shown[at - 1] if at > 0 else None)
    assert page.following == (shown[at + 1] if at + 1 < len(shown) else None)


def test_a_neighbour_the_reader_may_not_see_is_not_named(support: Any, make_user: Any) -> None:
    meetings = _series(support, 3)
    for meeting in meetings[1:]:
        meeting.classification = Classification.PUBLIC
        meeting.save()
    reader = make_user(Role.OBSERVER)
    assert not policy.is_visible(reader, meetings[0])
    page = queries.meeting_page(reader, meetings[1])
    assert page.previous is None and page.following == meetings[2]
