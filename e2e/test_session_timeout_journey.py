"""Work typed before a session's idle limit is not lost (issue 17, item 3): the page warns before the limit with a
button to stay signed in, keeps what is typed in the browser tab, and after signing in again the person is back on
the page with their text in the form."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from e2e.conftest import TOTP_PERIOD, totp_code
from e2e.test_content_security_policy import RECORD_CSP_VIOLATIONS

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
YEAR = dt.datetime.now(dt.UTC).year
ACTIVITY = f"/programme/{YEAR}/activities/1B.2/"  # Ghana leads it: its member official may post an update
NARRATIVE = "Ghana hosted the regional consultation on network shutdowns; twelve governments took part."


def session_of(page: Page) -> Any:
    """The server's copy of the browser's session."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])


def leave_idle(page: Page) -> None:
    """As if the person had gone to lunch: the server last saw the session beyond the idle limit."""
    session = session_of(page)
    session["coalition_seen_at"] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()


def sign_in_again(page: Page, login: Any, signed_in_at: float) -> None:
    """The sign-in page the server answered with: password, then a code of a later TOTP period than the first
    sign-in's (a code is accepted once)."""
    from coalition.demo.loader import DEMO_PASSWORD

    page.locator("input[name='login']").fill(login.email)
    page.locator("input[name='password']").fill(DEMO_PASSWORD)
    page.locator("input[name='password']").press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    next_period = (int(signed_in_at) // TOTP_PERIOD + 1) * TOTP_PERIOD
    time.sleep(max(0.0, next_period - time.time() + 0.1))
    page.locator("input[name='code']").fill(totp_code(login.totp_secret))
    page.locator("input[name='code']").press("Enter")


def test_text_typed_before_the_idle_limit_is_back_on_its_page_after_signing_in_again(
    sign_in: SignIn, demo: dict[str, Any], live_server: Any
) -> None:
    page = sign_in("official")
    signed_in_at = time.time()
    page.goto(ACTIVITY)
    form = page.get_by_role("form", name="Post an update")
    form.get_by_label("What happened").fill(NARRATIVE)
    reported_on = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    form.get_by_label("Date", exact=True).fill(reported_on)

    leave_idle(page)
    form.get_by_role("button", name="Post update").click()

    # The server signed the person out; the sign-in page will bring them back to the activity, not to the address
    # the form posted to (which only takes POST and used to answer 405 with an empty page).
    page.wait_for_url("**/accounts/login/**")
    expect(page.locator(".messages")).to_contain_text("signed out after a period of inactivity")
    assert parse_qs(urlsplit(page.url).query)["next"] == [ACTIVITY]

    sign_in_again(page, demo["official"], signed_in_at)

    page.wait_for_url(f"{live_server.url}{ACTIVITY}")
    form = page.get_by_role("form", name="Post an update")
    expect(form.get_by_label("What happened")).to_have_value(NARRATIVE)
    expect(form.get_by_label("Date", exact=True)).to_have_value(reported_on)
    expect(page.get_by_role("status").filter(has_text="not yet sent is back in the form")).to_be_visible()
    # Only what was typed into the form was kept, and only in this tab: no password, no code.
    from coalition.demo.loader import DEMO_PASSWORD

    kept = page.evaluate("JSON.stringify(sessionStorage)")
    assert NARRATIVE in kept
    assert DEMO_PASSWORD not in kept and "official@" not in kept
    assert page.evaluate("JSON.stringify(localStorage)").find(NARRATIVE) == -1

    # Sent now, it is posted; the draft is gone, and the form is empty when the page is shown again.
    form.get_by_role("button", name="Post update").click()
    expect(page.locator(".messages")).to_contain_text("Update posted.")
    expect(page.locator("ol.timeline li").filter(has_text=NARRATIVE)).to_have_count(1)
    page.reload()
    expect(page.get_by_role("form", name="Post an update").get_by_label("What happened")).to_have_value("")
    assert NARRATIVE not in page.evaluate("JSON.stringify(sessionStorage)")


def test_a_draft_left_on_a_page_is_there_when_the_page_is_shown_again(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.goto(ACTIVITY)
    page.get_by_role("form", name="Post an update").get_by_label("What happened").fill(NARRATIVE)

    page.goto("/members/")
    page.goto(ACTIVITY)

    expect(page.get_by_role("form", name="Post an update").get_by_label("What happened")).to_have_value(NARRATIVE)


def test_the_page_warns_before_the_idle_limit_and_staying_signed_in_starts_it_again(sign_in: SignIn) -> None:
    page = sign_in("official")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.clock.install()
    page.goto(ACTIVITY)
    alert = page.locator("#session-warning")
    expect(alert).to_be_hidden()
    seen_before = session_of(page)["coalition_seen_at"]
    textarea = page.get_by_role("form", name="Post an update").get_by_label("What happened")
    textarea.fill("Half a sentence")

    # A few minutes before the limit the warning comes, with its button; the person keeps typing meanwhile.
    page.clock.fast_forward((settings.SESSION_IDLE_TIMEOUT_SECONDS - settings.SESSION_WARNING_SECONDS + 5) * 1000)
    expect(page.get_by_role("alert")).to_contain_text("You will be signed out at")
    expect(alert.locator("time")).not_to_be_empty()
    alert.get_by_role("button", name="Stay signed in").click()

    expect(alert).to_contain_text("You are still signed in.")
    assert session_of(page)["coalition_seen_at"] > seen_before
    expect(textarea).to_be_focused()  # back where the person was typing
    expect(textarea).to_have_value("Half a sentence")
    assert page.url.endswith(ACTIVITY)

    # The limit counts again from the button: the warning comes back only a full idle period later.
    page.clock.fast_forward(10_000)
    expect(alert).to_be_hidden()
    page.clock.fast_forward(settings.SESSION_IDLE_TIMEOUT_SECONDS * 1000)
    expect(alert).to_contain_text("You have been signed out")
    # The scripts are our own files, within the strict Content-Security-Policy.
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []


def test_someone_else_signing_in_next_in_the_same_tab_never_sees_the_draft(
    sign_in: SignIn, demo: dict[str, Any], live_server: Any
) -> None:
    page = sign_in("official")
    page.goto(ACTIVITY)
    page.get_by_role("form", name="Post an update").get_by_label("What happened").fill(NARRATIVE)
    leave_idle(page)
    page.get_by_role("form", name="Post an update").get_by_role("button", name="Post update").click()
    page.wait_for_url("**/accounts/login/**")
    assert NARRATIVE in page.evaluate("JSON.stringify(sessionStorage)")  # kept for its owner, in case they return

    # A colleague at the same computer signs in with their own account, and goes to the same page.
    sign_in_again(page, demo["focal"], signed_in_at=0)

    page.wait_for_url(f"{live_server.url}{ACTIVITY}")
    assert NARRATIVE not in page.evaluate("JSON.stringify(sessionStorage)")
    expect(page.get_by_text("not yet sent is back in the form")).to_have_count(0)
    expect(page.locator("textarea").filter(has_text=NARRATIVE)).to_have_count(0)


def test_signing_out_forgets_every_draft(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.goto(ACTIVITY)
    page.get_by_role("form", name="Post an update").get_by_label("What happened").fill(NARRATIVE)
    assert NARRATIVE in page.evaluate("JSON.stringify(sessionStorage)")

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    assert NARRATIVE not in page.evaluate("JSON.stringify(sessionStorage)")


def test_a_form_refused_for_its_expired_token_keeps_the_text_for_the_reload_its_page_asks_for(
    sign_in: SignIn, live_server: Any
) -> None:
    """The session expired, the person signed in again in another tab (which renews the form's token), then sent
    the form left open here: the platform's "This form has expired" page says to go back and reload. The text typed
    must be there after the reload; it used to be dropped by the reloaded page as if the server had taken it."""
    page = sign_in("official")
    page.goto(ACTIVITY)
    form = page.get_by_role("form", name="Post an update")
    form.get_by_label("What happened").fill(NARRATIVE)
    # The token renewed elsewhere: this form still carries one the server no longer accepts.
    form.locator("input[name='csrfmiddlewaretoken']").evaluate("field => { field.value = 'x'.repeat(64); }")

    form.get_by_role("button", name="Post update").click()

    expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    assert NARRATIVE in page.evaluate("JSON.stringify(sessionStorage)")
    page.go_back()
    page.wait_for_url(f"{live_server.url}{ACTIVITY}")
    page.reload()

    form = page.get_by_role("form", name="Post an update")
    expect(form.get_by_label("What happened")).to_have_value(NARRATIVE)
    expect(page.get_by_role("status").filter(has_text="not yet sent is back in the form")).to_be_visible()
    # Sent with the fresh token, the update is posted and only then is the draft forgotten.
    form.get_by_role("button", name="Post update").click()
    expect(page.locator(".messages")).to_contain_text("Update posted.")
    assert NARRATIVE not in page.evaluate("JSON.stringify(sessionStorage)")


def test_a_form_answered_with_the_platforms_error_page_keeps_the_text_for_a_signed_in_person(
    sign_in: SignIn, live_server: Any
) -> None:
    """A 4xx answered to a form (here the address it posts to is gone: 404) is a page for a signed-in person, yet the
    form was not taken: its draft is kept, and back on the page after a reload the text is there."""
    page = sign_in("official")
    page.goto(ACTIVITY)
    form = page.get_by_role("form", name="Post an update")
    form.get_by_label("What happened").fill(NARRATIVE)
    page.route(f"**{ACTIVITY}updates/", lambda route: route.continue_(url=f"{live_server.url}/no-such-page/"))

    form.get_by_role("button", name="Post update").click()

    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.unroute_all()
    page.go_back()
    page.wait_for_url(f"{live_server.url}{ACTIVITY}")
    page.reload()
    expect(page.get_by_role("form", name="Post an update").get_by_label("What happened")).to_have_value(NARRATIVE)
