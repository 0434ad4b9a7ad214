"""Emailing a person without an account (`service.notify_address`): only kinds that say who may receive it, once per
(kind, subject, address, key), rendered for a stand-in of the person, retried like the rest, and no centre entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from coalition.directory.models import Person
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import kinds, service
from coalition.notifications.models import Delivery, Notification
from coalition.notifications.tests.helpers import NOTED

REFUSING = "coalition.notifications.tests.helpers.RefusingBackend"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]

WELCOMED = "tests.person_welcomed"


def render_welcomed(subject: Any, user: Any) -> kinds.Message:
    return kinds.Message(
        subject=f"Welcome, {user.person.full_name}",
        text=f"{subject.full_name} welcomes you ({user.person.time_zone}).",
        path="/people/",
    )


@pytest.fixture(autouse=True)
def welcomed() -> Iterator[None]:
    """A kind a person without an account may receive while its subject's record is not marked "Gone"."""
    kinds.register(
        kinds.Kind(
            key=WELCOMED,
            label="Welcomed",
            description="For tests.",
            model=Person,
            render=render_welcomed,
            urgent=True,
            addressable=lambda subject, person: subject.full_name != "Gone",
        )
    )
    yield
    kinds.unregister(WELCOMED)


def test_a_person_without_an_account_is_emailed_and_nothing_enters_a_centre(worker):
    host, guest = PersonFactory(full_name="Host"), PersonFactory(full_name="Ana", time_zone="America/Santiago")
    with worker():
        delivery = service.notify_address(
            kind=WELCOMED, subject=host, address="ana@example.org", person=guest, reason="You are our guest."
        )
    assert delivery is not None
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "[Coalition] Welcome, Ana"
    assert "Host welcomes you (America/Santiago)." in message.body
    assert "Why you get this: You are our guest." in message.body
    assert "You have no Coalition account" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.recipient_id) == (Delivery.Status.SENT, 1, None)
    assert Notification.objects.count() == 0


def test_once_per_kind_subject_address_and_key(worker):
    host, guest = PersonFactory(), PersonFactory()
    args: dict[str, Any] = {"kind": WELCOMED, "subject": host, "person": guest, "reason": "x"}
    with worker():
        assert service.notify_address(address="a@example.org", key="0", **args) is not None
        assert service.notify_address(address="a@example.org", key="0", **args) is None
        assert service.notify_address(address="a@example.org", key="1", **args) is not None
        assert service.notify_address(address="b@example.org", key="0", **args) is not None
    assert len(mail.outbox) == 3


def test_a_refused_email_is_retried(worker, settings):
    settings.EMAIL_BACKEND = REFUSING
    with worker():
        service.notify_address(
            kind=WELCOMED, subject=PersonFactory(), address="a@x.org", person=PersonFactory(), reason="x"
        )
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert service.deliver_due() == {"sent": 1}
    assert len(mail.outbox) == 1


def test_the_kinds_rule_is_asked_again_at_sending(worker, settings):
    settings.EMAIL_BACKEND = REFUSING
    host: Any = PersonFactory()
    with worker():
        service.notify_address(kind=WELCOMED, subject=host, address="a@x.org", person=PersonFactory(), reason="x")
    Person.objects.filter(pk=host.pk).update(full_name="Gone")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert service.deliver_due() == {"dropped": 1}
    assert mail.outbox == []


def test_kinds_for_accounts_only_and_people_with_accounts_are_refused(official):
    with pytest.raises(TypeError, match="accounts only"):
        service.notify_address(
            kind=NOTED, subject=PersonFactory(), address="a@x.org", person=PersonFactory(), reason="x"
        )
    with pytest.raises(ValueError, match="has an account"):
        service.notify_address(
            kind=WELCOMED, subject=PersonFactory(), address="a@x.org", person=official.person, reason="x"
        )
    with pytest.raises(ValueError, match="reason"):
        service.notify_address(
            kind=WELCOMED, subject=PersonFactory(), address="a@x.org", person=PersonFactory(), reason=" "
        )
    assert Delivery.objects.count() == 0
