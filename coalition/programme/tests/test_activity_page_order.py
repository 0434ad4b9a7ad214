"""An activity page reads as its visitors use it (issue 17, item 6): the updates come first, and whoever may post
one finds the form after them, through a link at the top of the section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from coalition.accounts.models import User
from coalition.core.policy import Classification, Role
from coalition.programme.models import Activity, Goal, Objective, Programme, ProgressUpdate

pytestmark = pytest.mark.django_db

PAGE = "/programme/2023/activities/1B.2/"


@pytest.fixture
def activity(db: Any) -> Activity:
    programme = Programme.objects.create(
        title="Program of Action 2023", year=2023, starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31)
    )
    goal = Goal.objects.create(programme=programme, number=1, title="Promote internet freedom")
    objective = Objective.objects.create(goal=goal, code="1B", title="Coordinate the networks")
    made = Activity.objects.create(objective=objective, number=2, code="1B.2", title="Hold quarterly calls")
    author = User.objects.create_user(email="author@example.org", password="x" * 20)
    ProgressUpdate.objects.create(
        activity=made,
        narrative="Public call summary published.",
        reported_on=dt.date(2023, 3, 14),
        author=author,
        classification=Classification.PUBLIC,
    )
    return made


def test_the_updates_come_before_the_form_to_post_one(
    activity: Activity, signed_in_client: Callable[..., Client]
) -> None:
    body = signed_in_client(Role.SUPPORT_UNIT).get(PAGE).content.decode()
    form = body.index('<h3 id="post-update">')
    assert body.index("Public call summary published.") < form
    assert body.index('<a href="#post-update">') < body.index('<ol class="timeline">')


def test_a_visitor_who_cannot_post_gets_neither_the_form_nor_its_link(activity: Activity, client: Client) -> None:
    body = client.get(PAGE).content.decode()
    assert "Public call summary published." in body
    assert "#post-update" not in body and 'id="post-update"' not in body
