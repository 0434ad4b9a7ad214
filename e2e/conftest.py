"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

Every test gets the demo coalition as freshly loaded (the live server needs committed rows, so the database is
transactional and emptied after each test; the demo is loaded once per process and restored from its snapshot before
each test) and a fresh browser context, so no cookie or session leaks between tests.
Signing in always goes through the real allauth pages: password, then the TOTP stage.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOTP_PERIOD = 30
# A code typed in the last moments of its 30-second window may reach the server in the next one (no tolerance).
TOTP_SAFETY_SECONDS = 2.0


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("COALITION_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in this thread, so Django would refuse the ORM calls that
    # fixtures and tests make between page actions. They are ordinary synchronous calls: allow them, but only while
    # the browser lives, so the variable never leaks into other tests or the subprocesses they start.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def demo(live_server: Any, transactional_db: Any) -> dict[str, Any]:
    """The demo coalition; its logins keyed by name: support, chair, focal, official, observer, advisory, guest.

    Loaded for real once per test process and put back from its snapshot before every other journey."""
    from coalition.demo.tests.snapshot import demo_coalition

    return {login.email.split("@")[0]: login for login in demo_coalition()}


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    made = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    made.set_default_timeout(10_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext, demo: dict[str, Any]) -> Page:
    """A blank tab on the live server, with the demo coalition loaded."""
    return context.new_page()


def totp_code(secret: str) -> str:
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < TOTP_SAFETY_SECONDS:
        time.sleep(left + 0.05)
    return f"{hotp_value(secret, int(time.time()) // TOTP_PERIOD):06d}"


def _signed_in(page: Page, login: Any, live_server: Any) -> Page:
    """Through the password form and the TOTP stage, back on home."""
    from coalition.demo.loader import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.locator("input[name='login']").fill(login.email)
    page.locator("input[name='password']").fill(DEMO_PASSWORD)
    page.locator("input[name='password']").press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name='code']").fill(totp_code(login.totp_secret))
    page.locator("input[name='code']").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def sign_in(page: Page, demo: dict[str, Any], live_server: Any) -> Callable[[str], Page]:
    """sign_in("support") → the page, signed in through the password form and the TOTP stage, back on home."""
    return lambda name: _signed_in(page, demo[name], live_server)


@pytest.fixture
def second_browser(browser: Browser, live_server: Any, demo: dict[str, Any]) -> Iterator[Callable[[str], Page]]:
    """second_browser("chair") → a page in a browser of its own, signed in as that demo login, so that several people
    are signed in at once (signing one account in twice within a 30-second TOTP window is refused as a replay)."""
    contexts = []

    def signed_in(name: str) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return _signed_in(context.new_page(), demo[name], live_server)

    yield signed_in
    for context in contexts:
        context.close()


@pytest.fixture
def kenya_page(demo: dict[str, Any]) -> str:
    """The Government of Kenya's page: coalition-level network POCs and one members-only official."""
    from coalition.directory.models import Organisation

    kenya = Organisation.objects.get(country__code="KE", kind=Organisation.Kind.GOVERNMENT)
    return f"/organisations/{kenya.pk}/"


@pytest.fixture
def civil_society_page(demo: dict[str, Any]) -> str:
    """A civil-society organisation's page: the Advisory Network member is affiliated with it."""
    from coalition.directory.models import Organisation

    return f"/organisations/{Organisation.objects.get(short_name='EDRC').pk}/"
