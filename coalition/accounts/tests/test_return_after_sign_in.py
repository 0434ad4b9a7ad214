"""After a session ends, a form sent from a page brings the person back to that page once they sign in again — never
to a GET of the address the form posted to (a 405 with an empty page), never to another site (issue 17, item 3)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client

from coalition.accounts.tests.test_sessions import browser_of, set_session_times
from coalition.accounts.tests.totp import fresh_totp_code
from coalition.accounts.views import SECONDS_LEFT_HEADER
from coalition.core.policy import Role
from conftest import PASSWORD

ACCOUNT_PAGE = "/accounts/me/"
POST_ONLY = "/accounts/me/sessions/end-others/"  # the account page's "End all other sessions" form
KEEP_ALIVE = "/accounts/me/session/keep-alive/"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def next_of(response) -> str:
    """The `next` of a redirect to the sign-in page."""
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/", response["Location"]
    return parse_qs(location.query)["next"][0]


def idle_browser(make_user) -> Client:
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
    return browser


def test_a_form_sent_after_the_idle_limit_returns_to_the_page_it_was_on(make_user):
    browser = idle_browser(make_user)

    response = browser.post(POST_ONLY, HTTP_REFERER=f"http://testserver{ACCOUNT_PAGE}")

    assert next_of(response) == ACCOUNT_PAGE


def test_the_page_it_returns_to_keeps_its_query(make_user):
    browser = idle_browser(make_user)

    response = browser.post(POST_ONLY, HTTP_REFERER="http://testserver/members/?region=Africa&on=2024-01-01")

    assert next_of(response) == "/members/?region=Africa&on=2024-01-01"


def test_a_form_sent_with_no_session_at_all_returns_to_the_page_it_was_on(db):
    response = Client().post(POST_ONLY, HTTP_REFERER=f"http://testserver{ACCOUNT_PAGE}")

    assert next_of(response) == ACCOUNT_PAGE


def test_a_referer_from_another_site_is_never_where_the_person_is_sent(make_user):
    for referer in (
        f"https://evil.example{ACCOUNT_PAGE}",
        "http://testserver//evil.example/",
        "http://testserver/\\evil.example/",
        "javascript:alert(1)",
    ):
        response = idle_browser(make_user).post(POST_ONLY, HTTP_REFERER=referer)

        assert next_of(response) == POST_ONLY, referer


def test_a_page_still_returns_to_itself_after_the_idle_limit(make_user):
    response = idle_browser(make_user).get("/members/?region=Africa")

    assert next_of(response) == "/members/?region=Africa"


def test_a_browser_asking_for_a_post_only_address_is_sent_to_its_page(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))

    response = browser.get(POST_ONLY, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 302
    assert response["Location"] == ACCOUNT_PAGE
    assert b"only receives forms" in browser.get(ACCOUNT_PAGE).content


def test_a_program_asking_for_a_post_only_address_still_hears_405(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))

    assert browser.get(POST_ONLY).status_code == 405
    assert browser.get(POST_ONLY, HTTP_ACCEPT="application/json").status_code == 405


def test_signing_in_again_after_a_form_lost_to_the_idle_limit_lands_on_its_page(make_user):
    """The whole of it over HTTP: the form posted after the limit, password, second factor, and the page again."""
    user = make_user(Role.MEMBER_OFFICIAL)
    browser = browser_of(user)
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
    to_sign_in = browser.post(POST_ONLY, HTTP_REFERER=f"http://testserver{ACCOUNT_PAGE}")

    browser.post(to_sign_in["Location"], {"login": user.email, "password": PASSWORD})
    signed_in = browser.post("/accounts/2fa/authenticate/", {"code": fresh_totp_code(user.totp_secret)})

    assert signed_in.status_code == 302
    assert signed_in["Location"] == ACCOUNT_PAGE
    assert browser.get(signed_in["Location"], HTTP_ACCEPT=BROWSER_ACCEPT).status_code == 200


def test_staying_signed_in_starts_the_idle_limit_again_and_leaves_the_page_as_it_is(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS - 30)

    response = browser.post(KEEP_ALIVE)

    assert response.status_code == 204  # a form sent without the script stays on its page too
    assert int(response[SECONDS_LEFT_HEADER]) == settings.SESSION_IDLE_TIMEOUT_SECONDS
    assert time.time() - browser.session["coalition_seen_at"] < 5


def test_staying_signed_in_after_the_limit_is_too_late(make_user):
    response = idle_browser(make_user).post(KEEP_ALIVE, HTTP_REFERER=f"http://testserver{ACCOUNT_PAGE}")

    assert next_of(response) == ACCOUNT_PAGE


def test_staying_signed_in_is_a_form_not_a_link(make_user):
    assert browser_of(make_user(Role.MEMBER_OFFICIAL)).get(KEEP_ALIVE).status_code == 405


def test_a_page_tells_its_script_how_long_the_session_has_left(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=30)  # under a minute: the request does not move the time last seen

    page = browser.get(ACCOUNT_PAGE).content.decode()

    left = settings.SESSION_IDLE_TIMEOUT_SECONDS - 30
    assert any(f'data-session-seconds-left="{s}"' in page for s in (left, left - 1)), page[:800]
    assert f'data-session-warning-seconds="{settings.SESSION_WARNING_SECONDS}"' in page
    assert "core/session.js" in page


def test_a_page_for_nobody_signed_in_has_no_session_warning(db):
    page = Client().get("/members/").content.decode()

    assert "data-session-seconds-left" not in page
    assert "core/session.js" not in page


def test_drafts_are_marked_with_an_owner_that_differs_between_people_and_names_nobody(make_user):
    first, second = make_user(Role.MEMBER_OFFICIAL), make_user(Role.MEMBER_OFFICIAL)

    marks = [
        re.findall(r'data-drafts-owner="(\w+)"', browser_of(user).get(ACCOUNT_PAGE).content.decode())
        for user in (first, second)
    ]

    assert all(len(found) == 1 for found in marks)
    (mine,), (theirs,) = marks
    assert mine != theirs
    assert str(first.pk) != mine and first.email not in mine
