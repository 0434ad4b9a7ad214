"""`service.latest_unread`, the home's "Unread notifications": the newest unread ones `visible_notifications` shows,
with the policy's subqueries built only for the subject types of the person's hint, whatever the hint says."""

from __future__ import annotations

import pytest

from coalition.core.policy import Classification
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service
from coalition.notifications.tests.helpers import NOTED, OBLIGED, visible_to_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds", "no_hints")]


def _full(user, limit: int) -> list[int]:
    rows = service.visible_notifications(user).filter(read_at__isnull=True).order_by("-created_at", "-pk")
    return [row.pk for row in rows[:limit]]


def _latest(user, limit: int) -> list[int]:
    return [row.pk for row in service.latest_unread(user, limit=limit)]


def test_with_a_hint_no_policy_subquery_is_built_for_other_types(official, monkeypatch, django_assert_num_queries):
    service.notify(kind=OBLIGED, recipients=[official], reason="x")
    assert service.unread_count(official) == 1  # the hint: no subject type
    calls = visible_to_calls(monkeypatch)
    with django_assert_num_queries(1):
        assert len(service.latest_unread(official, limit=5)) == 1
    assert calls == []


@pytest.mark.parametrize("hint", [None, frozenset()])
def test_the_rows_are_those_of_the_full_filter_whatever_the_hint(official, advisory, hint):
    hidden = PersonFactory.create(classification=Classification.MEMBERS)
    shown = PersonFactory.create(classification=Classification.COALITION)
    service.notify(kind=NOTED, subject=shown, recipients=[official, advisory], reason="a")
    service.notify(kind=NOTED, subject=hidden, recipients=[official, advisory], reason="b")
    service.notify(kind=OBLIGED, recipients=[official, advisory], reason="c")
    for user in (official, advisory):
        if hint is not None:
            service._UNREAD_TYPES[service._hint_key(user)] = hint  # learnt before the subjects' type arrived
        for limit in (1, 2, 3, 5):
            assert _latest(user, limit) == _full(user, limit), (user, limit)
        service.unread_count(user)  # now the hint names the type
        for limit in (1, 2, 3, 5):
            assert _latest(user, limit) == _full(user, limit), (user, limit)
    assert len(_latest(advisory, 5)) == 2
    assert len(_latest(official, 5)) == 3


def test_nobody_signed_in_gets_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert service.latest_unread(AnonymousUser(), limit=5) == []
