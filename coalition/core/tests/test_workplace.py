"""The home page's registry (`coalition.core.workplace`): scopes, order and who sees the coalition queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import policy, workplace
from coalition.core.policy import Role


@pytest.fixture
def scratch_sections() -> Iterator[list[str]]:
    keys: list[str] = []
    yield keys
    for key in keys:
        workplace.unregister_section(key)


def _collect(text: str) -> workplace.Collect:
    def collect(user: object, actor: policy.Actor, now: dt.datetime) -> list[workplace.Item]:
        return [workplace.Item(text=text, path="/x/")]

    return collect


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="scope"):
        workplace.register_section("t.bad", "T", "E", _collect("x"), scope="everyone")


def test_sections_come_in_order_and_registration_order_breaks_ties(scratch_sections: list[str]) -> None:
    for key, order in (("t.b", 5), ("t.a", 1), ("t.c", 5)):
        workplace.register_section(key, key, "empty", _collect(key), scope=workplace.PUBLIC, order=order)
        scratch_sections.append(key)
    keys = [s.key for s in workplace.registered(workplace.PUBLIC) if s.key.startswith("t.")]
    assert keys == ["t.a", "t.b", "t.c"]


@pytest.mark.django_db  # the apps' own public sections are registered too, and read
def test_anonymous_sees_only_public_sections(scratch_sections: list[str]) -> None:
    workplace.register_section("t.pub", "Pub", "none", _collect("p"), scope=workplace.PUBLIC)
    workplace.register_section("t.queue", "Queue", "none", _collect("q"), scope=workplace.COALITION)
    scratch_sections.extend(["t.pub", "t.queue"])
    anonymous = AnonymousUser()
    assert workplace.scopes_for(anonymous) == [workplace.PUBLIC]
    assert workplace.sections_for(anonymous, timezone.now(), workplace.COALITION) == []
    public = {s.key: s for s in workplace.sections_for(anonymous, timezone.now(), workplace.PUBLIC)}
    assert [i.text for i in public["t.pub"].items] == ["p"]


@pytest.mark.parametrize(
    ("roles", "queue"),
    [
        ({Role.SUPPORT_UNIT}, True),
        ({Role.CHAIR}, True),
        ({Role.FOCAL_POINT}, False),
        ({Role.OBSERVER}, False),
    ],
)
def test_coalition_queue_only_for_support_unit_and_chair(roles: set[Role], queue: bool) -> None:
    actor = policy.Actor(user=object(), roles=frozenset(roles))
    assert (workplace.COALITION in workplace.scopes_for(actor)) is queue
    assert workplace.PERSONAL in workplace.scopes_for(actor)
