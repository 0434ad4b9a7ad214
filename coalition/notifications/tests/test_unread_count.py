"""`service.unread_count`, the header's "Notifications (N)" on every page: one query, with the policy's subqueries
built only for the subject types the person's unread notifications have, and never a count the policy would not give."""

from __future__ import annotations

import pytest

from coalition.core.policy import Classification
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service
from coalition.notifications.models import Notification
from coalition.notifications.tests.helpers import NOTED, OBLIGED, visible_to_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds", "no_hints")]


def test_with_nothing_unread_the_count_builds_no_policy_subquery(official, monkeypatch, django_assert_num_queries):
    assert service.unread_count(official) == 0  # the first count in this process: every subquery, as before
    calls = visible_to_calls(monkeypatch)
    with django_assert_num_queries(1):
        assert service.unread_count(official) == 0
    assert calls == []


def test_a_notification_of_a_new_subject_type_is_counted_at_once(official, django_assert_num_queries):
    assert service.unread_count(official) == 0
    service.notify(kind=OBLIGED, recipients=[official], reason="x")
    with django_assert_num_queries(1):  # no subject: no type to learn
        assert service.unread_count(official) == 1
    service.notify(kind=NOTED, subject=PersonFactory.create(), recipients=[official], reason="x")
    with django_assert_num_queries(2):  # a type the hint lacked: counted again, once
        assert service.unread_count(official) == 2
    with django_assert_num_queries(1):
        assert service.unread_count(official) == 2


def test_a_subject_reclassified_away_is_not_counted_whatever_the_hint(official, advisory):
    subject = PersonFactory.create(classification=Classification.COALITION)
    service.notify(kind=NOTED, subject=subject, recipients=[official, advisory], reason="x")
    assert service.unread_count(advisory) == 1  # the hint now names the person's type
    subject.classification = Classification.MEMBERS
    subject.save()
    assert service.unread_count(advisory) == 0
    assert service.unread_count(official) == 1
    assert service.unread_count(advisory) == service.visible_notifications(advisory).filter(read_at=None).count()


def test_a_hint_naming_no_type_still_counts_every_visible_unread_notification(official):
    service.notify(kind=NOTED, subject=PersonFactory.create(), recipients=[official], reason="x")
    service.notify(kind=OBLIGED, recipients=[official], reason="y")
    service._UNREAD_TYPES[service._hint_key(official)] = frozenset()  # as if learnt before they arrived
    assert service.unread_count(official) == 2
    Notification.objects.filter(recipient=official, kind=OBLIGED).update(read_at="2026-01-01T00:00:00Z")
    assert service.unread_count(official) == 1
