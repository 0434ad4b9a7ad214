"""The Support Unit disables an account (a stolen device, a departure): every session ends at once."""

from __future__ import annotations

import pytest
from django.test import Client

from coalition.accounts import services
from coalition.accounts.models import User
from coalition.core import policy
from coalition.core.errors import InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role


@pytest.fixture
def target(make_user) -> User:
    return make_user(Role.FOCAL_POINT, email="stolen-laptop@example.org")


def browser_of(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def is_signed_in(browser: Client) -> bool:
    return browser.get("/").wsgi_request.user.is_authenticated


def disable_url(user: User) -> str:
    return f"/support/accounts/{user.pk}/disable/"


def test_disabling_an_account_signs_out_every_browser_it_is_signed_in_on(signed_in_client, target):
    laptop, phone = browser_of(target), browser_of(target)
    support = signed_in_client(Role.SUPPORT_UNIT)

    response = support.post(disable_url(target), {"reason": "Laptop stolen in transit"})

    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_a_disabled_account_is_marked_with_its_reason(signed_in_client, target):
    support = signed_in_client(Role.SUPPORT_UNIT)
    support.post(disable_url(target), {"reason": "Laptop stolen in transit"})
    target.refresh_from_db()
    assert not target.is_active
    assert target.disabled_at is not None
    assert target.disabled_reason == "Laptop stolen in transit"


def test_disabling_is_recorded_in_the_ledger_with_the_reason(signed_in_client, target):
    browser_of(target)
    support = signed_in_client(Role.SUPPORT_UNIT)

    support.post(disable_url(target), {"reason": "Laptop stolen in transit"})

    event = AuditEvent.objects.get(action="auth.account_disabled")
    assert (event.actor_id, event.subject_id) == (support.user.pk, str(target.pk))
    assert event.data == {"reason": "Laptop stolen in transit", "sessions": 1}


def test_a_disabled_account_has_no_roles(make_user, target):
    services.disable_account(user=target, by=make_user(Role.SUPPORT_UNIT), reason="Left the ministry")
    target.refresh_from_db()
    assert policy.actor_for(target).roles == {Role.ANONYMOUS}


def test_someone_outside_the_support_unit_gets_403_and_nothing_changes(signed_in_client, target):
    laptop = browser_of(target)
    official = signed_in_client(Role.MEMBER_OFFICIAL)

    response = official.post(disable_url(target), {"reason": "I dislike them"})

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active
    assert is_signed_in(laptop)
    assert not AuditEvent.objects.filter(action="auth.account_disabled").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_gives_400_naming_the_field_and_nothing_changes(signed_in_client, target, reason):
    laptop = browser_of(target)
    support = signed_in_client(Role.SUPPORT_UNIT)

    response = support.post(disable_url(target), {"reason": reason})

    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert b"Reason: This field is required." in response.content
    target.refresh_from_db()
    assert target.is_active
    assert is_signed_in(laptop)
    assert not AuditEvent.objects.filter(action="auth.account_disabled").exists()


def test_the_service_refuses_an_empty_reason_naming_the_field(make_user, target):
    with pytest.raises(InvalidInput) as refused:
        services.disable_account(user=target, by=make_user(Role.SUPPORT_UNIT), reason="  ")
    assert refused.value.field == "reason"
    target.refresh_from_db()
    assert target.is_active


def test_the_support_unit_cannot_disable_its_own_account(signed_in_client):
    support = signed_in_client(Role.SUPPORT_UNIT)

    response = support.post(disable_url(support.user), {"reason": "Testing"})

    assert response.status_code == 400
    assert b"You cannot disable your own account." in response.content
    support.user.refresh_from_db()
    assert support.user.is_active


def test_disabling_an_unknown_account_is_404(signed_in_client):
    support = signed_in_client(Role.SUPPORT_UNIT)
    assert support.post("/support/accounts/999999/disable/", {"reason": "Typo"}).status_code == 404


def test_enabling_a_disabled_account_restores_it_and_is_recorded(make_user, target):
    support = make_user(Role.SUPPORT_UNIT)
    services.disable_account(user=target, by=support, reason="Left the ministry")

    services.enable_account(user=target, by=support)

    target.refresh_from_db()
    assert (target.is_active, target.disabled_at, target.disabled_reason) == (True, None, "")
    assert AuditEvent.objects.filter(action="auth.account_enabled", subject_id=str(target.pk)).exists()


def test_sessions_ended_by_disabling_do_not_come_back_when_the_account_is_enabled(make_user, target):
    laptop = browser_of(target)
    support = make_user(Role.SUPPORT_UNIT)
    services.disable_account(user=target, by=support, reason="Laptop stolen in transit")

    services.enable_account(user=target, by=support)

    assert not is_signed_in(laptop)
    assert not target.sessions.filter(ended_at__isnull=True).exists()
