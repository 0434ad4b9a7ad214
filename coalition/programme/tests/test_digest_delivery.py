"""The weekly digest is sent by the notification service's mailer (one Delivery per digest) and carries the
notifications a person chose to receive in the digest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail

from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import service
from coalition.notifications.models import Delivery, Urgency
from coalition.notifications.tests.helpers import NOTED, registered_test_kinds
from coalition.programme.tasks import DIGEST_KIND, send_staleness_digests
from coalition.programme.tests.test_digest import html_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kinds() -> Iterator[None]:
    with registered_test_kinds():
        yield


def test_a_digest_mode_notification_is_in_the_digest_sent_as_one_delivery(make_user, worker):
    official, other = make_user(Role.MEMBER_OFFICIAL), make_user(Role.MEMBER_OFFICIAL)
    noted = PersonFactory.create(full_name="Ada Quietly")
    with worker():
        service.notify(kind=NOTED, subject=noted, recipients=[official], reason="For the test.", urgency=Urgency.NORMAL)
    assert mail.outbox == []  # a normal notification waits for the digest

    with worker():
        send_staleness_digests.enqueue()

    [message] = [m for m in mail.outbox if m.to == [official.email]]
    assert message.subject.startswith("[Coalition] ") and not message.subject.startswith("[Coalition] [Coalition]")
    assert "Notifications" in message.body and "Ada Quietly was noted" in message.body
    assert "Ada Quietly was noted" in html_of(message)
    assert not any("Ada Quietly" in m.body for m in mail.outbox if m.to == [other.email])
    delivery = Delivery.objects.get(recipient=official, kind=DIGEST_KIND)
    assert (delivery.status, delivery.to, delivery.notification) == (Delivery.Status.SENT, official.email, None)
    assert delivery.message_id == message.extra_headers["Message-ID"]
    assert Delivery.objects.filter(kind=DIGEST_KIND).count() == len(mail.outbox)


def test_a_notification_about_a_record_reclassified_since_is_left_out_of_the_digest(make_user, worker):
    advisory = make_user(Role.ADVISORY_NETWORK)
    shown, hidden = PersonFactory.create(full_name="Ada Shown"), PersonFactory.create(full_name="Ada Hidden")
    with worker():
        for noted in (shown, hidden):
            service.notify(
                kind=NOTED, subject=noted, recipients=[advisory], reason="For the test.", urgency=Urgency.NORMAL
            )
    hidden.classification = Classification.MEMBERS  # after it was noted, before the digest is sent
    hidden.save(update_fields=["classification"])

    with worker():
        send_staleness_digests.enqueue()

    [message] = [m for m in mail.outbox if m.to == [advisory.email]]
    assert "Ada Shown was noted" in message.body
    assert "Ada Hidden" not in message.body and "Ada Hidden" not in html_of(message)
