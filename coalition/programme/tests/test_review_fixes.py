"""Leaks and crashes found in review, each pinned by a test."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.core.errors import InvalidInput
from coalition.core.policy import Role
from coalition.directory.tests.factories import OrganisationFactory
from coalition.programme import services
from coalition.programme.models import Activity, Programme, StatusProposal
from coalition.programme.services import WITHHELD_REASON, load_programme

SECRET = "Blocked because minister X vetoed it"


@pytest.fixture
def programme(db) -> Programme:
    return load_programme()


def test_a_members_only_reason_never_becomes_a_public_activitys_status_reason(programme, make_user, client):
    official, support = make_user(Role.MEMBER_OFFICIAL), make_user(Role.SUPPORT_UNIT)
    activity = Activity.objects.get(objective__goal__programme=programme, code="1B.2")
    services.post_update(
        activity=activity,
        by=official,
        narrative="Quarterly call.",
        classification="members",
        proposed_status="blocked",
        reason=SECRET,
        reported_on=dt.date(2023, 5, 1),
    )
    services.confirm_proposal(proposal=StatusProposal.objects.get(), by=support)
    activity.refresh_from_db()
    assert activity.status == "blocked"
    assert activity.status_reason == WITHHELD_REASON
    for url in [
        "/programme/2023/activities/1B.2/",
        "/programme/2023/",
        "/api/v1/activities/?programme=2023",
        "/programme/2023/export.csv",
        "/programme/2023/export.json",
    ]:
        assert SECRET.encode() not in client.get(url).content, url


def test_a_reason_as_open_as_the_activity_is_kept(programme, make_user):
    official, support = make_user(Role.MEMBER_OFFICIAL), make_user(Role.SUPPORT_UNIT)
    activity = Activity.objects.get(objective__goal__programme=programme, code="1B.2")
    services.post_update(
        activity=activity,
        by=official,
        narrative="Quarterly call.",
        classification="public",
        proposed_status="blocked",
        reason="Waiting for the toolkit.",
        reported_on=dt.date(2023, 5, 1),
    )
    services.confirm_proposal(proposal=StatusProposal.objects.get(), by=support)
    activity.refresh_from_db()
    assert activity.status_reason == "Waiting for the toolkit."


def test_hidden_contributors_are_not_named_on_the_activity_page(programme, client):
    activity = Activity.objects.get(objective__goal__programme=programme, code="1A.3")
    activity.contributing_organisations.add(OrganisationFactory.create(name="Quiet Partner", classification="members"))
    activity.contributing_organisations.add(OrganisationFactory.create(name="Open Partner", classification="public"))
    page = client.get("/programme/2023/activities/1A.3/").content
    assert b"Open Partner" in page
    assert b"Quiet Partner" not in page


def test_a_programme_is_carried_over_once(programme, make_user, signed_in_client):
    support = make_user(Role.SUPPORT_UNIT)
    services.start_next_programme(previous=programme, year=2024, by=support)
    with pytest.raises(InvalidInput, match="already been carried over"):
        services.start_next_programme(previous=programme, year=2025, by=support)
    response = signed_in_client(Role.SUPPORT_UNIT).post("/programme/2023/carry-over/", {"year": "2026"})
    assert response.status_code == 302
    assert not Programme.objects.filter(year=2026).exists()


@pytest.mark.parametrize("url", ["/networks/?on=9999-12-31", "/chairs/?on=9999-12-31", "/members/?on=9999-12-31"])
def test_dates_beyond_reason_are_refused_not_crashed(signed_in_client, url):
    assert signed_in_client(Role.MEMBER_OFFICIAL).get(url).status_code == 400


def test_the_audit_filter_refuses_dates_beyond_reason(signed_in_client):
    assert signed_in_client(Role.SUPPORT_UNIT).get("/audit/", {"until": "9999-12-31"}).status_code == 400


def test_thematic_goals_and_open_milestones_carry_over_and_show_on_the_tree(programme, make_user, client):
    from coalition.programme.models import Milestone, ThematicGoal

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
