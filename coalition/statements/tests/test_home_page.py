"""The home page (issue 19, My work) as each kind of visitor reads it: a person's own sections with what needs them,
deadlines in their own time zone, empty sections saying what will appear there, the coalition queue for the Support
Unit and the Chair alone, the public home for an anonymous visitor, and nothing written by reading it."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from coalition.core import wallclock
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.meetings.models import Meeting
from coalition.meetings.tests.test_reminders import invited
from coalition.statements.models import Statement
from coalition.statements.tests.test_reminders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Any) -> World:
    return World(make_user)


def home(user: Any) -> str:
    if user is not None and not Authenticator.objects.filter(user=user).exists():  # as after a real sign-in
        TOTP.activate(user, generate_totp_secret())
    response = client_for(user).get("/")
    assert response.status_code == 200
    return html.unescape(text_of(response))


def test_a_focal_point_sees_the_round_with_its_deadline_in_their_own_time_zone(world: World) -> None:
    page = home(world.jp_focal.account)
    assert "My work" in page
    assert "Statements your member must answer" in page
    assert "“On civic space” (text 1, sign-on)" in page
    tokyo = timezone.localtime(world.freeze.deadline, zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{wallclock.clock_with_offset(tokyo, date_format(tokyo, 'j M Y, H:i'))} Asia/Tokyo" in page
    amsterdam = timezone.localtime(world.freeze.deadline, zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert f"{date_format(amsterdam, 'j M Y, H:i')} Europe/Amsterdam" in home(world.nl_focal.account)


def test_the_round_is_not_on_the_home_of_someone_it_does_not_concern(world: World, make_user: Any) -> None:
    page = home(make_user(Role.ADVISORY_NETWORK))
    assert "On civic space" not in page
    assert "Sign-on rounds and silence procedures your member has not answered yet will appear here" in page


def test_empty_sections_say_what_will_appear_there(make_user: Any) -> None:
    page = home(make_user(Role.FOCAL_POINT))
    for empty in (
        "Sign-on rounds and silence procedures your member has not answered yet will appear here",
        "Invitations to meetings in the next three weeks that you have not answered will appear here.",
        "Open action items assigned to you in meeting minutes will appear here",
        "Open rapid-response situations your member has not pledged to yet will appear here",
        "Documents in consultation or member review that you may comment on will appear here.",
        "Unfinished activities of the running Program of Action that your body or member leads will appear here",
    ):
        assert empty in page
    assert re.search(r"\b[01] things? waits? for you", page)  # at most the member's quarterly call, once due
    assert "Preview your weekly digest" in page


@pytest.mark.parametrize(("role", "queue"), [(Role.SUPPORT_UNIT, True), (Role.CHAIR, True), (Role.FOCAL_POINT, False)])
def test_the_coalition_queue_is_for_the_support_unit_and_the_chair(
    world: World, make_user: Any, role: Role, queue: bool
) -> None:
    page = home(make_user(role))
    assert ("Coalition queue" in page) is queue
    assert ("Rounds closing this week" in page) is queue
    assert ("Signal imports with errors" in page) is queue


def test_the_public_home_shows_only_public_records(world: World, make_user: Any) -> None:
    support = world.manager
    public_meeting = invited(support, title="Open forum", classification=Classification.PUBLIC)
    invited(support, title="Members only huddle", classification=Classification.MEMBERS)
    page = home(None)
    assert "My work" not in page and "Coalition queue" not in page
    assert "Latest statements" in page and "Upcoming public events" in page
    assert "The Program of Action at a glance" in page
    assert "Open forum" in page
    assert "Members only huddle" not in page
    assert "On civic space" not in page  # not published
    assert "The coalition's statements will appear here once they are published." in page
    Statement.objects.filter(pk=world.statement.pk).update(
        classification="public", published_at=timezone.now() - dt.timedelta(hours=1), published_freeze=world.freeze
    )
    assert "On civic space" in home(None)
    assert Meeting.objects.get(pk=public_meeting.pk).title == "Open forum"


def test_reading_the_home_writes_nothing(world: World, make_user: Any) -> None:
    for user in (world.jp_focal.account, world.manager, make_user(Role.CHAIR), None):
        home(user)
        client = client_for(user)
        client.get("/")  # the session's first request records when it was seen
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        writes = [q["sql"] for q in captured if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
        assert writes == []
