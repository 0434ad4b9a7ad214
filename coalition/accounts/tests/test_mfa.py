"""Every account needs a second factor: until it has one, it reaches only the pages that set one up."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import override_settings
from django.urls import reverse

from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from conftest import PASSWORD

SET_UP_MFA = reverse("mfa_activate_totp")


def activate_totp(client) -> None:
    """What a person does on the set-up page: confirm their password, scan the secret, type a code."""
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get(SET_UP_MFA)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SET_UP_MFA, {"code": fresh_totp_code(secret)})
    assert response.status_code == 302, response.content


def test_an_account_without_a_second_factor_is_sent_to_set_one_up(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == SET_UP_MFA


def test_the_set_up_redirect_says_why(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    response = client.get("/members/", follow=True)
    assert b"Set up two-factor authentication to continue" in response.content


def test_the_api_answers_an_account_without_a_second_factor_with_json_403(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    response = client.get("/api/v1/people/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_the_two_factor_pages_stay_open_to_an_account_without_a_second_factor(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    assert client.get("/accounts/2fa/").status_code == 200


def test_an_account_without_a_second_factor_can_still_sign_out(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    client.post("/accounts/logout/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_an_account_with_a_second_factor_reaches_its_pages(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    assert client.get("/members/").status_code == 200


@pytest.mark.django_db
def test_anonymous_visitors_are_not_asked_for_a_second_factor(client):
    assert client.get("/members/").status_code == 200


@override_settings(COALITION_MFA_REQUIRED=False)
def test_a_deployment_that_does_not_require_mfa_lets_such_accounts_in(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    assert client.get("/members/").status_code == 200


def test_setting_up_totp_lets_the_account_through(signed_in_client, django_capture_on_commit_callbacks):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    with django_capture_on_commit_callbacks(execute=True):
        activate_totp(client)
    assert Authenticator.objects.filter(user=client.user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/members/").status_code == 200


def test_setting_up_totp_is_recorded_in_the_ledger(signed_in_client, django_capture_on_commit_callbacks):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)
    with django_capture_on_commit_callbacks(execute=True):
        activate_totp(client)
    added = AuditEvent.objects.filter(action="mfa.authenticator_added", actor_id=client.user.pk)
    assert {event.data["type"] for event in added} == {"totp", "recovery_codes"}


def test_removing_totp_is_recorded_and_sends_the_account_back_to_set_up(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    removed = AuditEvent.objects.filter(action="mfa.authenticator_removed", actor_id=client.user.pk)
    assert [event.data["type"] for event in removed] == ["totp"]
    assert client.get("/members/")["Location"] == SET_UP_MFA


def test_changing_mfa_needs_the_password_again(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=client.user, type=Authenticator.Type.TOTP).exists()
