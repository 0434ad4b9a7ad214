"""The statements' home sections (issue 19, My work): the rounds a person's member has not answered, the Support
Unit's and the Chair's rounds closing this week, and the latest published statements on the public home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import workplace
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Role
from coalition.documents import services as documents
from coalition.meetings.tests.factories import focal_point
from coalition.statements.models import Statement
from coalition.statements.tests.test_reminders import World

pytestmark = pytest.mark.django_db


def items(user: Any, key: str, scope: str = workplace.PERSONAL) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), scope)}
    return sections[key].items if key in sections else []


@pytest.fixture
def world(make_user: Any) -> World:
    return World(make_user)


def test_a_focal_point_sees_the_round_their_member_has_not_answered_with_its_deadline(world: World) -> None:
    [item] = items(world.nl_focal.account, "statements.rounds")
    assert item.text.startswith(f"{world.nl.name}: “On civic space” (text 1, sign-on)")
    assert item.deadline == world.freeze.deadline
    assert item.deadline_zone == "Europe/Tallinn"
    assert item.path == f"/statements/{world.statement.slug}/#respond"
    assert "Nobody at" in item.detail


def test_the_round_goes_once_the_member_has_answered(world: World) -> None:
    world.sign(world.nl_focal, world.nl)
    assert items(world.nl_focal.account, "statements.rounds") == []
    assert len(items(world.jp_focal.account, "statements.rounds")) == 1


def test_an_official_sees_the_round_and_who_at_their_member_commented(world: World) -> None:
    document = world.statement.document
    documents.add_comment(
        document=document,
        by=world.jp_official.account,
        paragraph=1,
        text="Capital prefers 'urges'.",
        visibility=documents.Visibility.MEMBERS,
        version=world.freeze.version,
        on_behalf_of=world.jp,
    )
    [item] = items(world.jp_official.account, "statements.rounds")
    assert world.jp_official.full_name in item.detail
    assert "Only its focal points may respond." in item.detail
    [for_focal] = items(world.jp_focal.account, "statements.rounds")
    assert world.jp_official.full_name in for_focal.detail
    assert "Only its focal points" not in for_focal.detail


def test_no_round_for_someone_whose_organisation_was_not_asked(world: World, make_user: Any) -> None:
    for role in (Role.ADVISORY_NETWORK, Role.OBSERVER, Role.SUPPORT_UNIT):
        assert items(make_user(role), "statements.rounds") == []


def test_no_round_of_a_statement_the_person_may_not_read(world: World) -> None:
    audience = Audience.objects.create(name="Japan only")
    AudienceMember.objects.create(audience=audience, principal=f"org:{world.jp.pk}")
    Statement.objects.filter(pk=world.statement.pk).update(classification="restricted", audience=audience)
    assert items(world.nl_focal.account, "statements.rounds") == []
    assert len(items(world.jp_focal.account, "statements.rounds")) == 1


def test_rounds_closing_this_week_are_in_the_queue_of_the_support_unit_and_the_chair(
    world: World, make_user: Any
) -> None:
    [item] = items(world.manager, "statements.closing", workplace.COALITION)
    assert item.deadline == world.freeze.deadline
    assert "0 member(s) have responded" in item.detail
    world.sign(world.nl_focal, world.nl)
    [item] = items(make_user(Role.CHAIR), "statements.closing", workplace.COALITION)
    assert "1 member(s) have responded" in item.detail
    assert items(world.nl_focal.account, "statements.closing", workplace.COALITION) == []


def test_a_round_closing_after_this_week_is_not_in_the_queue(make_user: Any) -> None:
    world = World(make_user, hours=24 * 10)
    assert items(world.manager, "statements.closing", workplace.COALITION) == []


def test_the_public_home_lists_published_statements_only(world: World) -> None:
    assert items(AnonymousUser(), "statements.published", workplace.PUBLIC) == []
    Statement.objects.filter(pk=world.statement.pk).update(
        classification="public", published_at=timezone.now() - dt.timedelta(hours=1), published_freeze=world.freeze
    )
    [item] = items(AnonymousUser(), "statements.published", workplace.PUBLIC)
    assert item.text == "On civic space"
    assert item.path == f"/statements/{world.statement.slug}/"


def test_an_embargoed_statement_is_not_on_the_public_home_yet(world: World) -> None:
    Statement.objects.filter(pk=world.statement.pk).update(
        classification="public", published_at=timezone.now() + dt.timedelta(hours=2), published_freeze=world.freeze
    )
    assert items(AnonymousUser(), "statements.published", workplace.PUBLIC) == []


def test_a_second_member_of_the_person_is_listed_separately(world: World) -> None:
    from coalition.directory.models import Position

    Position.objects.create(
        person=world.nl_focal, organisation=world.jp, kind=Position.Kind.FOCAL_POINT, starts_on=dt.date(2020, 1, 1)
    )
    found = items(world.nl_focal.account, "statements.rounds")
    assert sorted(i.text.split(":")[0] for i in found) == sorted([world.nl.name, world.jp.name])


def test_focal_point_factory_is_reused(world: World) -> None:
    other = focal_point(world.nl)
    assert len(items(other.account, "statements.rounds")) == 1
