"""Security notices go out through the task worker, and only for changes that committed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from coalition.accounts import services
from coalition.core.policy import Role


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
