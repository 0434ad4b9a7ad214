"""The weekly digest's "notifications" section: digest-mode notifications of the last seven days, still visible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coalition.core import digest
from coalition.core.policy import Classification
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import sections, service
from coalition.notifications.models import Mode, Notification
from coalition.notifications.tests.helpers import NOTED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def _noted(user, name):
    [notification] = service.notify(kind=NOTED, subject=PersonFactory(full_name=name), recipients=[user], reason="x")
    return notification


def test_the_section_lists_the_weeks_digest_notifications_the_person_may_still_see(advisory):
    service.set_preference(user=advisory, kind=NOTED, delivery=Mode.DIGEST)
    _noted(advisory, "Recent")
    Notification.objects.filter(pk=_noted(advisory, "Old").pk).update(created_at=timezone.now() - dt.timedelta(days=9))
    hidden = _noted(advisory, "Reclassified")
    PersonFactory._meta.model.objects.filter(pk=hidden.subject_id).update(classification=Classification.MEMBERS)
    today = timezone.now().date()
    texts = [reminder.text for reminder in sections.collect(advisory.person, advisory, today)]
    assert texts == ["Recent was noted"]
    assert advisory.person.pk in sections.recipients(today)
    assert "notifications" in digest.registered()


def test_immediate_notifications_are_not_repeated_in_the_digest(official):
    _noted(official, "Urgent")  # the kind is urgent: emailed at once
    assert sections.collect(official.person, official, timezone.now().date()) == []
