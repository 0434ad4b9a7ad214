"""Security notices go out through the task worker, and only for changes that committed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from coalition.accounts import notices, services
from coalition.accounts.tasks import send_security_notice
from coalition.core.policy import Role
from coalition.notifications import service as notification_service
from coalition.notifications.models import Delivery, Mode


@pytest.mark.django_db(transaction=True)
def test_disabling_an_account_emails_its_owner(make_user):
    support, target = make_user(Role.SUPPORT_UNIT), make_user(Role.MEMBER_OFFICIAL)
    services.disable_account(user=target, by=support, reason="Laptop stolen")
    assert [m.to for m in mail.outbox] == [[target.email]]
    assert "disabled" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_a_refused_disable_sends_nothing(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    with pytest.raises(services.InvalidInput):
        services.disable_account(user=make_user(Role.MEMBER_OFFICIAL), by=support, reason="  ")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_database_worker_delivers_a_queued_notice(make_user):
    support, target = make_user(Role.SUPPORT_UNIT), make_user(Role.MEMBER_OFFICIAL)
    services.disable_account(user=target, by=support, reason="Left the ministry")
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.to for m in mail.outbox] == [[target.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_notice_goes_through_the_notification_service_without_an_unsubscribe_link(make_user):
    support, target, bystander = (make_user(r) for r in (Role.SUPPORT_UNIT, Role.MEMBER_OFFICIAL, Role.FOCAL_POINT))
    services.disable_account(user=target, by=support, reason="Laptop stolen")

    [message] = mail.outbox
    assert message.to == [target.email] and message.subject == "[Coalition] Your account was disabled"
    assert "List-Unsubscribe" not in message.extra_headers
    assert "contact the Support Unit" in message.body
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.kind, delivery.status) == (target, notices.SECURITY_NOTICE, "sent")
    assert delivery.message_id == message.extra_headers["Message-ID"]
    assert not Delivery.objects.filter(recipient__in=[support, bystander]).exists()


@pytest.mark.django_db
def test_security_notices_cannot_be_turned_off_or_gathered_into_the_digest(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    for mode in (Mode.OFF, Mode.DIGEST):
        with pytest.raises(services.InvalidInput):
            notification_service.set_preference(user=user, kind=notices.SECURITY_NOTICE, delivery=mode)
    assert notification_service.effective_delivery(user, notices.SECURITY_NOTICE) == Mode.IMMEDIATE


@pytest.mark.django_db
def test_a_service_account_is_sent_no_notice(make_user):
    robot = make_user(None)
    robot.is_service_account = True
    robot.save(update_fields=["is_service_account"])
    assert send_security_notice.call(user_id=robot.pk, subject="x", body="y") is False
    assert mail.outbox == [] and not Delivery.objects.exists()
