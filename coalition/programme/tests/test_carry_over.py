"""Starting the next programme from this one: once only, with the thematic goals and the open milestones."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.core.errors import InvalidInput
from coalition.core.policy import Role
from coalition.programme import services
from coalition.programme.models import Activity, Milestone, Programme, ThematicGoal
from coalition.programme.services import load_programme


@pytest.fixture
def programme(db) -> Programme:
    return load_programme()


def test_a_programme_is_carried_over_once(programme, make_user, signed_in_client):
    support = make_user(Role.SUPPORT_UNIT)
    services.start_next_programme(previous=programme, year=2024, by=support)
    with pytest.raises(InvalidInput, match="already been carried over"):
        services.start_next_programme(previous=programme, year=2025, by=support)
    response = signed_in_client(Role.SUPPORT_UNIT).post("/programme/2023/carry-over/", {"year": "2026"})
    assert response.status_code == 302
    assert not Programme.objects.filter(year=2026).exists()


def test_thematic_goals_and_open_milestones_carry_over_and_show_on_the_tree(programme, make_user, client):
    support = make_user(Role.SUPPORT_UNIT)
    goal = ThematicGoal.objects.create(title="Countering shutdowns", from_year=2023, to_year=2026)
    activity = Activity.objects.get(objective__goal__programme=programme, code="1B.3")
    activity.thematic_goals.add(goal)
    Milestone.objects.create(activity=activity, title="Procedure agreed", due_on=dt.date(2024, 6, 30))
    Milestone.objects.create(activity=activity, title="Draft circulated", done_on=dt.date(2023, 9, 1))
    services.start_next_programme(previous=programme, year=2024, by=support)
    carried = Activity.objects.get(objective__goal__programme__year=2024, code="1B.3")
    assert list(carried.thematic_goals.all()) == [goal]
    assert list(carried.milestones.values_list("title", flat=True)) == ["Procedure agreed"]
    page = client.get("/programme/2024/").content.decode()
    assert "Countering shutdowns" in page and "1B.3" in page
