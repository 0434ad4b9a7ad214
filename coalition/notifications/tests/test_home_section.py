"""The home's "Unread notifications" section: the latest unread notifications the person may still see, newest
first, at most five, each linking where the person acts; read ones and those about a record reclassified since are
left out, and the home page shows the section."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coalition.core import policy
from coalition.core.policy import Classification
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service, workplace
from coalition.notifications.tests.helpers import NOTED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def _noted(user, name):
    [notification] = service.notify(kind=NOTED, subject=PersonFactory(full_name=name), recipients=[user], reason="why")
    return notification


def test_the_newest_five_unread_that_the_person_may_still_see(advisory):
    made = [_noted(advisory, f"Person {n}") for n in range(7)]
    service.mark_read(user=advisory, notification_id=made[6].pk)
    PersonFactory._meta.model.objects.filter(pk=made[5].subject_id).update(classification=Classification.MEMBERS)
    items = workplace.unread(advisory, policy.actor_for(advisory), timezone.now())
    assert [item.text for item in items] == [f"Person {n} was noted" for n in (4, 3, 2, 1, 0)]
    assert items[0].path == f"/people/?person={made[4].subject_id}" and items[0].detail == "why"


def test_the_home_shows_the_section_with_its_links(advisory):
    notification = _noted(advisory, "Ada Example")
    page = client_for(advisory).get("/")
    assert "Unread notifications" in text_of(page)
    assert f'href="/people/?person={notification.subject_id}"' in page.content.decode()
    service.mark_all_read(user=advisory)
    assert "Ada Example" not in text_of(client_for(advisory).get("/"))
