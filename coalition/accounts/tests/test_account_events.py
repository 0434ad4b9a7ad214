"""Account events (issue 16, item 9): failed second factors, throttled attempts, password changes and resets are
recorded in the ledger without secrets, and the person is told by email of a password change or reset, of a wrong
code after their password, and of a new second factor."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from coalition.accounts.tests.test_mfa import activate_totp
from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from conftest import PASSWORD

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"
NEW_PASSWORD = "a-different-and-long-passphrase"
ADDRESS = "192.0.2.44"


def wrong_code(user) -> str:
    return f"{(int(fresh_totp_code(user.totp_secret)) + 1) % 1_000_000:06d}"


def notices_to(user) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [user.email]]


def test_a_wrong_second_factor_is_recorded_without_the_code(make_user, django_capture_on_commit_callbacks):
    user = make_user(Role.FOCAL_POINT)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    code = wrong_code(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SECOND_FACTOR, {"code": code})

    event = AuditEvent.objects.get(action="auth.second_factor_failed")
    assert (event.subject_id, event.ip) == (str(user.pk), ADDRESS)
    assert event.data == {"type": "totp", "reauthentication": False}
    assert code not in str(event.data)


def test_a_wrong_second_factor_tells_the_person_that_their_password_is_known(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user(Role.FOCAL_POINT)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SECOND_FACTOR, {"code": wrong_code(user)})
        client.post(SECOND_FACTOR, {"code": wrong_code(user)})

    assert notices_to(user) == ["[Coalition] A wrong second-factor code was entered for your account"]
    assert "correct password" in mail.outbox[0].body


def test_a_second_factor_refused_by_a_limit_is_recorded(make_user):
    user = make_user(Role.FOCAL_POINT)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    for _ in range(5):
        client.post(SECOND_FACTOR, {"code": wrong_code(user)})

    client.post(SECOND_FACTOR, {"code": fresh_totp_code(user.totp_secret)})

    event = AuditEvent.objects.get(action="auth.sign_in_throttled")
    assert event.data == {"email": user.email, "stage": "second_factor", "limit": "address_and_account"}
    assert event.ip == ADDRESS


def test_changing_the_password_is_recorded_and_told_to_the_person(signed_in_client, django_capture_on_commit_callbacks):
    client = signed_in_client(Role.MEMBER_OFFICIAL)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert (event.actor_id, event.subject_id, event.data) == (client.user.pk, str(client.user.pk), {})
    assert notices_to(client.user) == ["[Coalition] Your password was changed"]
    assert NEW_PASSWORD not in mail.outbox[0].body


def test_resetting_the_password_is_recorded_and_told_to_the_person(make_user, django_capture_on_commit_callbacks):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"/accounts/password/reset/key/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    set_password_page = client.get(link.group(0))["Location"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(set_password_page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="auth.password_reset")
    assert (event.subject_id, event.ip, event.data) == (str(user.pk), ADDRESS, {})
    assert notices_to(user) == ["[Coalition] Your password was reset"]


def test_a_new_second_factor_is_told_to_the_person(signed_in_client, django_capture_on_commit_callbacks):
    client = signed_in_client(Role.MEMBER_OFFICIAL, mfa=False)

    with django_capture_on_commit_callbacks(execute=True):
        activate_totp(client)

    assert "[Coalition] A new second factor was added to your account" in notices_to(client.user)
