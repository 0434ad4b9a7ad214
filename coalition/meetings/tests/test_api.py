"""The meetings API: read-only, the same policy as the pages, UTC instants beside the host's zone, and bad query
parameters answered with a 400 naming them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coalition.core.policy import Classification, Role
from coalition.directory.queries import today
from coalition.meetings import services
from coalition.meetings.models import Meeting
from coalition.meetings.tests.factories import government

pytestmark = pytest.mark.django_db

API = "/api/v1"
STARTS = dt.datetime(2027, 1, 12, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def meetings(make_user: Any) -> dict[str, Meeting]:
    support = make_user(Role.SUPPORT_UNIT)
    return {
        classification: services.create_meeting(
            by=support,
            title=f"{classification} meeting",
            starts_at=STARTS + dt.timedelta(days=n),
            host_time_zone="Europe/Amsterdam",
            classification=classification,
        )
        for n, classification in enumerate([Classification.PUBLIC, Classification.COALITION, Classification.MEMBERS])
    }


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (Role.SUPPORT_UNIT, {"public", "coalition", "members"}),
        (Role.MEMBER_OFFICIAL, {"public", "coalition", "members"}),
        (Role.ADVISORY_NETWORK, {"public", "coalition"}),
        (Role.OBSERVER, {"public", "coalition"}),
        (Role.GUEST, {"public"}),
    ],
)
def test_meetings_reach_only_the_readers_their_classification_allows(meetings, signed_in_client, role, seen):
    response = signed_in_client(role).get(f"{API}/meetings/")
    assert response.status_code == 200
    assert {row["classification"] for row in response.json()["results"]} == seen


def test_a_members_meeting_is_not_found_for_the_advisory_network(meetings, signed_in_client):
    hidden = meetings[Classification.MEMBERS]
    assert signed_in_client(Role.ADVISORY_NETWORK).get(f"{API}/meetings/{hidden.pk}/").status_code == 404


def test_anonymous_callers_see_public_meetings_only(meetings, client):
    rows = client.get(f"{API}/meetings/").json()["results"]
    assert [row["title"] for row in rows] == ["public meeting"]


def test_a_meeting_is_a_utc_instant_beside_its_host_zone(meetings, signed_in_client):
    row = signed_in_client(Role.SUPPORT_UNIT).get(f"{API}/meetings/{meetings['public'].pk}/").json()
    assert dt.datetime.fromisoformat(row["starts_at"]) == STARTS
    assert dt.datetime.fromisoformat(row["ends_at"]) == STARTS + dt.timedelta(hours=1)
    assert (row["host_time_zone"], row["sequence"], row["uid"]) == ("Europe/Amsterdam", 0, meetings["public"].uid)


def test_meetings_filter_by_start(meetings, signed_in_client):
    after = (STARTS + dt.timedelta(hours=12)).isoformat()
    rows = signed_in_client(Role.SUPPORT_UNIT).get(f"{API}/meetings/", {"starts_after": after}).json()["results"]
    assert [row["classification"] for row in rows] == ["coalition", "members"]


def test_a_bad_filter_is_a_400_naming_it(meetings, signed_in_client):
    response = signed_in_client(Role.SUPPORT_UNIT).get(f"{API}/meetings/", {"starts_after": "next tuesday"})
    assert response.status_code == 400
    assert "starts_after" in response.json()


def test_quarterly_calls_are_for_member_governments_only(signed_in_client, make_user):
    official = make_user(Role.MEMBER_OFFICIAL)
    services.record_quarterly_call(
        by=official,
        organisation=government("EE"),
        held_on=today() - dt.timedelta(days=3),
        topics="Shutdown monitoring",
    )
    rows = signed_in_client(Role.FOCAL_POINT).get(f"{API}/quarterly-calls/").json()["results"]
    assert [row["topics"] for row in rows] == ["Shutdown monitoring"]
    assert signed_in_client(Role.ADVISORY_NETWORK).get(f"{API}/quarterly-calls/").status_code == 403
