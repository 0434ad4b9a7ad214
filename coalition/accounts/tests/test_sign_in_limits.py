"""Targeted lockout (issue 16, item 3): failures are limited per address and per (address, account), never per account
alone, so wrong passwords or codes typed elsewhere never keep the real person out; the person hears of them."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from conftest import PASSWORD

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/2fa/authenticate/"
WRONG = "not-the-right-passphrase"
PER_ADDRESS_AND_ACCOUNT = 5  # ACCOUNT_RATE_LIMITS["login_failed_here"]
PER_ADDRESS = 20  # ACCOUNT_RATE_LIMITS["login_failed"]
HOME = "192.0.2.10"  # the person's own address
ATTACKER = "203.0.113.66"


def enter_password(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def sign_in(client: Client, user) -> bool:
    enter_password(client, user.email)
    client.post(SECOND_FACTOR, {"code": fresh_totp_code(user.totp_secret)})
    return client.get("/").wsgi_request.user.is_authenticated


def wrong_code(user) -> str:
    return f"{(int(fresh_totp_code(user.totp_secret)) + 1) % 1_000_000:06d}"


def test_wrong_passwords_from_another_address_do_not_lock_out_the_right_password_and_code(make_user):
    user = make_user(Role.FOCAL_POINT)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(PER_ADDRESS_AND_ACCOUNT + 2):
        enter_password(attacker, user.email, WRONG)

    assert sign_in(Client(REMOTE_ADDR=HOME), user)


def test_wrong_passwords_spread_over_many_addresses_do_not_lock_out_the_person(make_user):
    user = make_user(Role.FOCAL_POINT)
    for n in range(3 * PER_ADDRESS_AND_ACCOUNT):
        enter_password(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), user.email, WRONG)

    assert sign_in(Client(REMOTE_ADDR=HOME), user)


def test_the_address_that_failed_is_refused_even_with_the_right_password(make_user):
    user = make_user(Role.FOCAL_POINT)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(PER_ADDRESS_AND_ACCOUNT):
        enter_password(attacker, user.email, WRONG)

    response = enter_password(attacker, user.email)

    assert response.status_code != 302
    assert b"Too many failed login attempts" in response.content


def test_one_address_failing_across_many_accounts_is_refused_for_every_account(make_user):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(PER_ADDRESS):
        enter_password(attacker, f"guess-{n}@example.org", WRONG)
    someone = make_user(Role.MEMBER_OFFICIAL)

    response = enter_password(attacker, someone.email)

    assert b"Too many failed login attempts" in response.content
    assert enter_password(Client(REMOTE_ADDR=HOME), someone.email).status_code == 302


def test_wrong_codes_from_another_address_do_not_lock_the_persons_second_factor(make_user):
    # Whoever holds the password but not the phone cannot keep its owner out either.
    user = make_user(Role.FOCAL_POINT)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    enter_password(attacker, user.email)
    for _ in range(PER_ADDRESS_AND_ACCOUNT):
        attacker.post(SECOND_FACTOR, {"code": wrong_code(user)})

    refused = attacker.post(SECOND_FACTOR, {"code": fresh_totp_code(user.totp_secret)})

    assert b"Too many failed login attempts" in refused.content
    assert sign_in(Client(REMOTE_ADDR=HOME), user)


def test_the_person_is_told_once_of_repeated_failures_from_anywhere(make_user, django_capture_on_commit_callbacks):
    user = make_user(Role.FOCAL_POINT)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2 * PER_ADDRESS_AND_ACCOUNT):
            enter_password(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), user.email, WRONG)

    notices = [m for m in mail.outbox if "failed sign-ins" in m.subject]
    assert [m.to for m in notices] == [[user.email]]
    assert "not locked" in notices[0].body
    assert WRONG not in notices[0].body


def test_an_attempt_refused_by_a_limit_is_recorded_without_the_password(make_user):
    user = make_user(Role.FOCAL_POINT)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(PER_ADDRESS_AND_ACCOUNT):
        enter_password(attacker, user.email, WRONG)

    enter_password(attacker, user.email)

    event = AuditEvent.objects.get(action="auth.sign_in_throttled")
    assert (event.subject_id, event.ip) == (str(user.pk), ATTACKER)
    assert event.data == {"email": user.email, "stage": "password", "limit": "address_and_account"}
    assert PASSWORD not in str(event.data)
