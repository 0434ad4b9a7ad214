"""`service.notify`: who is told, how, and that nobody is told about what they may not see."""

from __future__ import annotations

import pytest
from django.core import mail

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import kinds, service
from coalition.notifications.models import Delivery, Mode, Notification, Preference
from coalition.notifications.tests.helpers import NOTED, OBLIGED, SECURITY, TEST_KINDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def test_registering_a_kind_twice_is_refused():
    with pytest.raises(kinds.AlreadyRegistered):
        kinds.register(TEST_KINDS[0])
    assert kinds.get(NOTED) is TEST_KINDS[0]
    assert NOTED in kinds.registered()


def test_an_unknown_kind_is_refused():
    with pytest.raises(LookupError):
        service.notify(kind="tests.nothing", subject=None, recipients=[], reason="x")


def test_a_subject_of_another_model_is_refused(official):
    with pytest.raises(TypeError):
        service.notify(kind=NOTED, subject=official, recipients=[official], reason="x")


def test_nobody_is_told_about_a_record_they_may_not_see(official, advisory):
    members_only = PersonFactory(classification=Classification.MEMBERS)
    written = service.notify(kind=NOTED, subject=members_only, recipients=[official, advisory], reason="Because.")
    assert [n.recipient for n in written] == [official]
    assert not Notification.objects.filter(recipient=advisory).exists()


def test_inactive_and_service_accounts_are_told_nothing(official, make_user):
    robot = User.objects.create_user(email="robot@example.org", password=None, is_service_account=True)
    gone = make_user(None)
    gone.is_active = False
    gone.save()
    subject = PersonFactory()
    written = service.notify(kind=NOTED, subject=subject, recipients=[official, robot, gone], reason="Because.")
    assert [n.recipient for n in written] == [official]


def test_an_urgent_notification_is_emailed_after_the_commit(official, worker):
    subject = PersonFactory(full_name="Ada Example", classification=Classification.MEMBERS)
    with worker():
        service.notify(kind=NOTED, subject=subject, recipients=[official], reason="You follow Ada.")
        assert mail.outbox == []  # nothing leaves before the caller's transaction commits
    [email] = mail.outbox
    assert email.to == [official.email]
    assert email.subject == "[Coalition] Ada Example was noted"
    assert "You follow Ada." in email.body
    assert "http://testserver" not in email.body and "/people/?person=" in email.body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert delivery.message_id == email.extra_headers["Message-ID"]


def test_the_same_key_tells_a_person_once(official):
    subject = PersonFactory()
    assert service.notify(kind=NOTED, subject=subject, recipients=[official], reason="x", key="2026-12")
    assert service.notify(kind=NOTED, subject=subject, recipients=[official], reason="x", key="2026-12") == []
    assert service.notify(kind=NOTED, subject=subject, recipients=[official], reason="x", key="2027-01")
    assert service.notify(kind=SECURITY, recipients=[official], reason="x") and not service.notify(
        kind=SECURITY, recipients=[official], reason="x"
    )
    assert Notification.objects.count() == 3


def test_a_record_reclassified_before_sending_is_dropped_and_hidden(official, advisory, worker):
    subject = PersonFactory.create(classification=Classification.COALITION)
    with worker():
        service.notify(kind=NOTED, subject=subject, recipients=[official, advisory], reason="x")
        subject.classification = Classification.MEMBERS  # reclassified between queueing and sending
        subject.save()
    assert [email.to for email in mail.outbox] == [[official.email]]
    assert Delivery.objects.get(recipient=advisory).status == Delivery.Status.DROPPED
    assert not service.visible_notifications(advisory).exists()
    assert service.unread_count(advisory) == 0
    assert service.unread_count(official) == 1


def test_a_digest_choice_writes_the_notification_but_sends_no_email(official, worker):
    service.set_preference(user=official, kind=NOTED, delivery=Mode.DIGEST)
    with worker():
        [written] = service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x")
    assert written.mode == Mode.DIGEST and mail.outbox == [] and not Delivery.objects.exists()


def test_a_kind_switched_off_tells_nothing(official, worker):
    service.set_preference(user=official, kind=NOTED, delivery=Mode.OFF)
    with worker():
        assert service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x") == []
    assert mail.outbox == []


def test_a_normal_kind_goes_to_the_digest_unless_the_call_says_urgent(official):
    [normal] = service.notify(kind=OBLIGED, recipients=[official], reason="x", key="a")
    [urgent] = service.notify(kind=OBLIGED, recipients=[official], reason="x", key="b", urgency="urgent")
    assert (normal.mode, urgent.mode) == (Mode.DIGEST, Mode.IMMEDIATE)
    assert service.effective_delivery(official, OBLIGED) == Mode.DIGEST


def test_security_notices_are_always_immediate(official, worker):
    Preference.objects.create(user=official, kind=SECURITY, mode=Mode.OFF)  # however it got there
    assert service.effective_delivery(official, SECURITY) == Mode.IMMEDIATE
    with worker():
        service.notify(kind=SECURITY, recipients=[official], reason="Your password changed.")
    [email] = mail.outbox
    assert "List-Unsubscribe" not in email.extra_headers
