"""What an activity's page, the tree, the API and the exports withhold from a viewer: a status reason more closed
than the activity, contributors the viewer may not see."""

from __future__ import annotations

import datetime as dt

import pytest

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
