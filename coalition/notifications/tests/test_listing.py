"""`service.listing`, the notification centre's rows and counts: the policy's subqueries built only for the subject
types the person has notifications of, and never a row or a count `visible_notifications` would not give."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coalition.core.policy import Classification
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service, views
from coalition.notifications.models import Notification
from coalition.notifications.tests.helpers import NOTED, OBLIGED, visible_to_calls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds", "no_hints")]

CENTRE = "/notifications/"


def _as_full_filter(user) -> tuple[list[int], int, int]:
    rows = service.visible_notifications(user)
    return [row.pk for row in rows], rows.count(), rows.filter(read_at__isnull=True).count()


def _listed(user) -> tuple[list[int], int, int]:
    found = service.listing(user)
    return [row.pk for row in found.notifications], found.total, found.unread


def test_nobody_told_anything_costs_one_small_query_and_no_policy_subquery(
    official, monkeypatch, django_assert_num_queries
):
    calls = visible_to_calls(monkeypatch)
    with django_assert_num_queries(1):
        assert _listed(official) == ([], 0, 0)
    assert calls == []


def test_only_the_subject_types_the_person_has_are_filtered(official, monkeypatch):
    service.notify(kind=OBLIGED, recipients=[official], reason="x")  # no subject
    calls = visible_to_calls(monkeypatch)
    assert _listed(official)[1:] == (1, 1)
    assert calls == []


def test_the_rows_and_counts_are_those_of_the_full_filter(official, advisory):
    hidden = PersonFactory.create(classification=Classification.MEMBERS)
    shown = PersonFactory.create(classification=Classification.COALITION)
    later = PersonFactory.create(classification=Classification.COALITION)
    for subject in (shown, hidden, later):
        service.notify(kind=NOTED, subject=subject, recipients=[official, advisory], reason="a")
    service.notify(kind=OBLIGED, recipients=[official, advisory], reason="c")
    Notification.objects.filter(subject_id=shown.pk).update(read_at=timezone.now())
    later.classification = Classification.MEMBERS  # reclassified away from the Advisory Network since
    later.save()
    for user in (official, advisory):
        assert _listed(user) == _as_full_filter(user), user
    assert _listed(official)[1:] == (4, 3)
    assert _listed(advisory)[1:] == (2, 1)


def test_the_centre_counts_every_page_and_the_header_its_unread_ones(official, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    people = [PersonFactory.create(full_name=f"Person {n}") for n in range(3)]
    for person in people:
        service.notify(kind=NOTED, subject=person, recipients=[official], reason="x")
    Notification.objects.filter(subject_id=people[0].pk).update(read_at=timezone.now())
    client = client_for(official)
    first, second = text_of(client.get(CENTRE)), text_of(client.get(CENTRE + "?page=2"))
    assert "Person 2 was noted" in first and "Person 1 was noted" in first and "Person 0" not in first
    assert "Person 0 was noted" in second
    assert "Notifications (2)" in first and "Notifications (2)" in second
    assert "Mark all read" in second  # unread ones on another page
