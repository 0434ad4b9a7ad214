"""Sessions: tracked at sign-in, ended by their owner or the Support Unit, and cut off when idle or too old."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coalition.accounts import services
from coalition.accounts.middleware import BACKGROUND_HEADER, SEEN_GRANULARITY_SECONDS
from coalition.accounts.models import UserSession
from coalition.core.errors import AccessDenied
from coalition.core.models import AuditEvent
from coalition.core.policy import Role


def browser_of(user) -> Client:
    """Another browser in which `user` is signed in."""
    browser = Client()
    browser.force_login(user)
    return browser


def session_of(browser: Client) -> UserSession:
    return UserSession.objects.get(session_key=browser.session.session_key)


def is_signed_in(browser: Client) -> bool:
    return browser.get("/").wsgi_request.user.is_authenticated


def set_session_times(browser: Client, *, signed_in_ago: float = 0, seen_ago: float = 0) -> None:
    session = browser.session
    now = time.time()
    session["coalition_auth_at"] = now - signed_in_ago
    session["coalition_seen_at"] = now - seen_ago
    session.save()


def test_signing_in_tracks_the_session_for_its_owner(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    browser = browser_of(user)
    row = session_of(browser)
    assert row.user == user
    assert row.ended_at is None


def test_a_session_idle_beyond_the_limit_is_signed_out(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)

    response = browser.get("/accounts/me/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/me/"
    assert not is_signed_in(browser)


def test_the_sign_in_page_says_why_an_idle_session_ended(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)

    response = browser.get("/accounts/me/", follow=True)

    assert b"signed out after a period of inactivity" in response.content


def test_an_idle_sign_out_ends_the_tracked_session_and_is_recorded(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    browser = browser_of(user)
    row = session_of(browser)
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)

    browser.get("/accounts/me/")

    row.refresh_from_db()
    assert row.ended_at is not None
    assert AuditEvent.objects.filter(action="auth.signed_out", actor_id=user.pk).exists()


def test_an_active_session_older_than_the_absolute_limit_is_signed_out(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, signed_in_ago=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS + 5, seen_ago=10)

    response = browser.get("/accounts/me/", follow=True)

    assert response.redirect_chain[0] == ("/accounts/login/?next=/accounts/me/", 302)
    assert b"maximum length" in response.content
    assert not is_signed_in(browser)


def test_a_session_used_within_the_idle_limit_continues(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)

    assert browser.get("/accounts/me/").status_code == 200


def test_a_page_asking_again_by_itself_does_not_hold_the_session_open(make_user):
    """Review of issue 17: a waiting import page asks again every few seconds for ten minutes; counted as activity,
    it kept an unattended session alive past the idle limit (and the page's own warning then disagreed)."""
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)
    seen = browser.session["coalition_seen_at"]

    assert browser.get("/accounts/me/", headers={"X-Coalition-Background": "1"}).status_code == 200

    assert browser.session["coalition_seen_at"] == seen
    browser.get("/accounts/me/")  # the person, at work again
    assert browser.session["coalition_seen_at"] > seen
    script = Path(settings.BASE_DIR, "coalition/core/static/core/check_again.js").read_text()
    assert f'"{BACKGROUND_HEADER}": "1"' in script  # what the waiting pages' script sends


def test_using_a_session_moves_its_last_seen_time(make_user):
    """Kept in the session, not in the sessions table: a GET request writes no row of ours (issue 19)."""
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    row = session_of(browser)
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)
    before = services.last_seen(row)

    browser.get("/accounts/me/")

    assert services.last_seen(row) > before
    assert time.time() - browser.session["coalition_seen_at"] < 60
    assert UserSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at  # the row itself is untouched


def _session_writes(browser: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    return sum(1 for query in queries if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_the_last_use_is_written_to_the_session_at_most_once_a_minute(make_user):
    """Issue 20, page cost: a page view within `SEEN_GRANULARITY_SECONDS` of the recorded last use writes nothing
    (no session save); the first one after it writes the session once. So the recorded time trails the real last use
    by under a minute, and the idle limit ends a session between IDLE - 60 s and IDLE after the person's last page."""
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=SEEN_GRANULARITY_SECONDS - 5)
    seen = browser.session["coalition_seen_at"]

    assert _session_writes(browser, "/accounts/me/") == 0
    assert browser.session["coalition_seen_at"] == seen

    set_session_times(browser, seen_ago=SEEN_GRANULARITY_SECONDS + 1)
    assert _session_writes(browser, "/accounts/me/") == 1
    assert time.time() - browser.session["coalition_seen_at"] < 5


def test_the_idle_limit_counts_from_the_recorded_use_not_from_unrecorded_page_views(make_user):
    """The bound, the other way: page views that did not move the recorded time (under a minute after it) do not
    extend the session either, so it never outlives the idle limit counted from its recorded last use."""
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=SEEN_GRANULARITY_SECONDS - 5)
    assert browser.get("/accounts/me/").status_code == 200  # not recorded: within the minute
    seen = browser.session["coalition_seen_at"]
    session = browser.session
    session["coalition_seen_at"] = seen - settings.SESSION_IDLE_TIMEOUT_SECONDS  # the idle limit has passed since
    session.save()

    assert browser.get("/accounts/me/").status_code == 302
    assert not is_signed_in(browser)


def test_an_expired_session_on_the_api_gets_a_json_401(make_user):
    browser = browser_of(make_user(Role.MEMBER_OFFICIAL))
    set_session_times(browser, seen_ago=settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)

    response = browser.get("/api/v1/people/")

    assert response.status_code == 401
    assert "inactivity" in response.json()["detail"]


def test_a_person_ends_another_of_their_sessions(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    here, lost_laptop = browser_of(user), browser_of(user)

    response = here.post(f"/accounts/me/sessions/{session_of(lost_laptop).pk}/end/")

    assert response.status_code == 302
    assert not is_signed_in(lost_laptop)
    assert is_signed_in(here)


def test_ending_a_session_is_recorded_in_the_ledger(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    here, lost_laptop = browser_of(user), browser_of(user)
    row = session_of(lost_laptop)

    here.post(f"/accounts/me/sessions/{row.pk}/end/")

    row.refresh_from_db()
    assert row.ended_at is not None
    assert AuditEvent.objects.filter(action="auth.session_ended", actor_id=user.pk).exists()


def test_a_person_cannot_end_someone_elses_session_over_http(make_user):
    someone = browser_of(make_user(Role.MEMBER_OFFICIAL))
    intruder = browser_of(make_user(Role.MEMBER_OFFICIAL))

    response = intruder.post(f"/accounts/me/sessions/{session_of(someone).pk}/end/")

    assert response.status_code == 404
    assert is_signed_in(someone)


def test_ending_someone_elses_session_is_refused_to_all_but_the_support_unit(make_user):
    someone = browser_of(make_user(Role.MEMBER_OFFICIAL))
    with pytest.raises(AccessDenied):
        services.end_session(session=session_of(someone), by=make_user(Role.MEMBER_OFFICIAL))
    assert is_signed_in(someone)


def test_the_support_unit_may_end_anyones_session(make_user):
    someone = browser_of(make_user(Role.MEMBER_OFFICIAL))
    services.end_session(session=session_of(someone), by=make_user(Role.SUPPORT_UNIT))
    assert not is_signed_in(someone)


def test_ending_other_sessions_keeps_the_current_one(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    here, phone, laptop = browser_of(user), browser_of(user), browser_of(user)

    response = here.post("/accounts/me/sessions/end-others/", follow=True)

    assert b"2 other sessions ended" in response.content
    assert (is_signed_in(here), is_signed_in(phone), is_signed_in(laptop)) == (True, False, False)


def test_ending_all_of_another_accounts_sessions_needs_the_support_unit(make_user):
    someone = make_user(Role.MEMBER_OFFICIAL)
    browser = browser_of(someone)
    with pytest.raises(AccessDenied):
        services.end_all_sessions(user=someone, by=make_user(Role.FOCAL_POINT))
    assert is_signed_in(browser)


def test_the_support_unit_ends_all_of_an_accounts_sessions(make_user):
    someone = make_user(Role.MEMBER_OFFICIAL)
    browsers = [browser_of(someone), browser_of(someone)]

    ended = services.end_all_sessions(user=someone, by=make_user(Role.SUPPORT_UNIT))

    assert ended == 2
    assert not any(is_signed_in(browser) for browser in browsers)


def test_signing_out_ends_the_tracked_session_and_is_recorded(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    browser = browser_of(user)
    row = session_of(browser)

    browser.post("/accounts/logout/")

    row.refresh_from_db()
    assert row.ended_at is not None
    assert AuditEvent.objects.filter(action="auth.signed_out", actor_id=user.pk).exists()


def test_the_account_page_lists_only_the_owners_open_sessions(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    here, other = browser_of(user), browser_of(user)
    browser_of(make_user(Role.MEMBER_OFFICIAL))
    services.end_session(session=session_of(other), by=user)

    response = here.get("/accounts/me/")

    assert [s.pk for s, _seen in response.context["sessions"]] == [session_of(here).pk]
