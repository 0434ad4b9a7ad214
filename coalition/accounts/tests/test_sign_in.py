"""Signing in for real: password, then a TOTP code, through allauth's pages; rate limits; password rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from coalition.accounts.models import UserSession
from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from conftest import PASSWORD

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"
FAILED_LOGINS_ALLOWED = 5  # ACCOUNT_RATE_LIMITS["login_failed_here"], per address and account


def enter_password(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def is_signed_in(client: Client) -> bool:
    return client.get("/").wsgi_request.user.is_authenticated


def test_a_correct_password_leads_to_the_second_factor(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    response = enter_password(Client(), user.email)
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR


def test_a_correct_password_alone_does_not_sign_in(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    enter_password(client, user.email)
    assert not is_signed_in(client)


def test_password_then_a_current_totp_code_signs_in(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    enter_password(client, user.email)

    response = client.post(SECOND_FACTOR, {"code": fresh_totp_code(user.totp_secret)})

    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


def test_signing_in_is_recorded_with_the_address_it_came_from(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    enter_password(client, user.email)
    client.post(SECOND_FACTOR, {"code": fresh_totp_code(user.totp_secret)})

    event = AuditEvent.objects.get(action="auth.signed_in", actor_id=user.pk)
    assert event.ip == "127.0.0.1"
    assert UserSession.objects.get(session_key=client.session.session_key).user == user


def test_a_wrong_totp_code_is_refused(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    enter_password(client, user.email)
    wrong = f"{(int(fresh_totp_code(user.totp_secret)) + 1) % 1_000_000:06d}"

    response = client.post(SECOND_FACTOR, {"code": wrong})

    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert not is_signed_in(client)


def test_a_totp_code_cannot_be_used_twice(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    code = fresh_totp_code(user.totp_secret)
    first, second = Client(), Client()
    enter_password(first, user.email)
    first.post(SECOND_FACTOR, {"code": code})
    assert is_signed_in(first)

    enter_password(second, user.email)
    response = second.post(SECOND_FACTOR, {"code": code})

    assert b"Incorrect code" in response.content
    assert not is_signed_in(second)


def test_a_wrong_password_is_refused(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    response = enter_password(Client(), user.email, "not-the-right-passphrase")
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_a_failed_sign_in_is_recorded_without_the_password(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    enter_password(Client(), user.email, "not-the-right-passphrase")
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.data == {"email": user.email}
    assert "not-the-right-passphrase" not in str(event.data)


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    known = enter_password(Client(), user.email, "not-the-right-passphrase")
    unknown = enter_password(Client(), "nobody-at-all@example.org", "not-the-right-passphrase")
    assert known.context["form"].errors == unknown.context["form"].errors


def test_failed_sign_ins_beyond_the_rate_limit_are_refused_even_with_the_right_password(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    for _ in range(FAILED_LOGINS_ALLOWED):
        assert b"Too many" not in enter_password(client, user.email, "not-the-right-passphrase").content

    response = enter_password(client, user.email)

    assert response.status_code == 429 or b"Too many failed login attempts" in response.content
    assert response.status_code != 302


@pytest.mark.django_db
def test_the_admin_login_redirects_to_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_credentials_posted_to_the_admin_login_sign_nobody_in(make_user):
    user = make_user(Role.SUPPORT_UNIT)
    client = Client()

    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not is_signed_in(client)


def test_the_admin_route_to_sign_in_is_rate_limited_too(make_user):
    user = make_user(Role.SUPPORT_UNIT)
    client = Client()
    for _ in range(FAILED_LOGINS_ALLOWED):
        enter_password(client, user.email, "not-the-right-passphrase")

    sign_in_page = client.get("/admin/login/")["Location"]
    response = client.post(sign_in_page, {"login": user.email, "password": PASSWORD})

    assert response.status_code != 302
    assert b"Too many failed login attempts" in response.content


def test_an_account_without_mfa_is_sent_to_set_it_up_after_signing_in(make_user):
    user = make_user(Role.MEMBER_OFFICIAL, mfa=False)
    client = Client()

    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD}, follow=True)

    assert (reverse("mfa_activate_totp"), 302) in response.redirect_chain
    assert client.get("/members/")["Location"] == reverse("mfa_activate_totp")


def test_a_disabled_account_cannot_sign_in(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    user.is_active = False
    user.save(update_fields=["is_active"])
    client = Client()

    response = enter_password(client, user.email)

    assert response.get("Location") != SECOND_FACTOR
    assert not is_signed_in(client)


def test_a_password_shorter_than_twelve_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("Tr0ub4dor&3")
    assert "password_too_short" in [error.code for error in refused.value.error_list]


def test_a_common_password_is_refused_even_when_long_enough():
    with pytest.raises(ValidationError) as refused:
        validate_password("qwerty123456")
    assert "password_too_common" in [error.code for error in refused.value.error_list]


def test_a_long_uncommon_passphrase_is_accepted():
    validate_password(PASSWORD)
