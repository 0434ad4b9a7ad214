"""The programme's home sections (issue 19, My work): the unfinished activities of the running programme that a
person answers for, the longest quiet first, and the programme at a glance on the public home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import workplace
from coalition.core.models import Audience
from coalition.core.policy import Classification, Role
from coalition.directory.queries import today
from coalition.meetings.tests.factories import activity
from coalition.programme.models import Activity, ProgressUpdate, Status

pytestmark = pytest.mark.django_db


def items(user: Any, key: str, scope: str = workplace.PERSONAL) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), scope)}
    return sections[key].items


def led(code: str, organisation_id: int, **fields: Any) -> Activity:
    found = activity(code, year=today().year)
    Activity.objects.filter(pk=found.pk).update(lead_organisation_id=organisation_id, **fields)
    return Activity.objects.get(pk=found.pk)


def updated(found: Activity, by: Any, days_ago: int) -> None:
    ProgressUpdate.objects.create(
        activity=found, narrative="Progress.", reported_on=today() - dt.timedelta(days=days_ago), author=by
    )


def test_the_activities_a_focal_point_leads_come_quiet_first(make_user: Any) -> None:
    focal, official = make_user(Role.FOCAL_POINT), make_user(Role.MEMBER_OFFICIAL)
    member = focal.person.positions.get().organisation_id
    recent, quiet, never = led("1A.1", member), led("1A.2", member), led("1A.3", member)
    led("1A.4", member, status=Status.DONE)
    updated(recent, focal, 2)
    updated(quiet, focal, 90)
    found = items(focal, "programme.activities")
    assert [item.subject for item in found] == [never, quiet, recent]
    assert found[0].detail == "No update yet."
    assert found[1].detail.startswith("Last update 90 days ago. Quiet")
    assert found[2].path == f"/programme/{today().year}/activities/1A.1/"
    assert items(official, "programme.activities") == []  # officials answer for no activity; focal points do


def test_an_activity_the_lead_may_not_see_is_not_listed(make_user: Any) -> None:
    focal = make_user(Role.FOCAL_POINT)
    member = focal.person.positions.get().organisation_id
    hidden = led("1A.2", member)
    Activity.objects.filter(pk=hidden.pk).update(
        classification=Classification.RESTRICTED, audience=Audience.objects.create(name="Nobody")
    )
    assert items(focal, "programme.activities") == []


def test_the_public_home_shows_the_programme_at_a_glance_with_public_activities_only(make_user: Any) -> None:
    led("1A.1", make_user(Role.FOCAL_POINT).person.positions.get().organisation_id, status=Status.DONE)
    activity("1A.2", year=today().year)
    hidden = activity("2B.1", year=today().year)
    Activity.objects.filter(pk=hidden.pk).update(classification=Classification.MEMBERS)
    found = items(AnonymousUser(), "programme.glance", workplace.PUBLIC)
    assert [item.text for item in found] == [f"Program of Action {today().year} — goal 1: Goal 1"]
    assert found[0].detail == "1 of 2 activities done."
    assert found[0].path == f"/programme/{today().year}/"
    assert workplace.sections_for(make_user(Role.SUPPORT_UNIT), timezone.now(), workplace.PUBLIC) == []


def test_past_the_first_few_the_activities_led_are_a_see_all_away(make_user: Any) -> None:
    from coalition.core.tests.clients import client_for

    focal = make_user(Role.FOCAL_POINT)
    member = focal.person.positions.get().organisation_id
    codes = [f"1A.{n}" for n in range(1, workplace.SHOWN + 3)]
    for code in codes:
        led(code, member)
    (section,) = [
        s for s in workplace.sections_for(focal, timezone.now(), workplace.PERSONAL) if s.key == "programme.activities"
    ]
    assert [item.subject.code for item in section.items] == codes[: workplace.SHOWN]
    assert (section.total, section.more) == (len(codes), True)
    home = client_for(focal).get("/").content.decode()
    assert 'href="/work/programme.activities/">See all' in home
    listed = client_for(focal).get("/work/programme.activities/").content.decode()
    assert all(f"/programme/{today().year}/activities/{code}/" in listed for code in codes)
