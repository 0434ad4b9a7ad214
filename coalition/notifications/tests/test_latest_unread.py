"""`service.latest_unread`, the home's "Unread notifications": the newest unread ones `visible_notifications` shows,
with the policy's subqueries built only for the subject types of the person's hint, whatever the hint says."""

from __future__ import annotations

import pytest

from coalition.core import policy
from coalition.core.policy import Classification
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service
from coalition.notifications.tests.helpers import NOTED, OBLIGED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


@pytest.fixture(autouse=True)
def _no_hints():
    service._UNREAD_TYPES.clear()
    yield
    service._UNREAD_TYPES.clear()


def _full(user, limit: int) -> list[int]:
    rows = service.visible_notifications(user).filter(read_at__isnull=True).order_by("-created_at", "-pk")
    return [row.pk for row in rows[:limit]]


def _latest(user, limit: int) -> list[int]:
    return [row.pk for row in service.latest_unread(user, limit=limit)]


def test_with_a_hint_no_policy_subquery_is_built_for_other_types(official, monkeypatch, django_assert_num_queries):
    service.notify(kind=OBLIGED, recipients=[official], reason="x")
    assert service.unread_count(official) == 1  # the hint: no subject type
    calls: list[object] = []
    real = policy.visible_to

    def counted(user, model):
        calls.append(model)
        return real(user, model)

    monkeypatch.setattr(service.policy, "visible_to", counted)
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
            service._UNREAD_TYPES[(user.pk, user.last_login)] = hint  # learnt before the subjects' type arrived
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
