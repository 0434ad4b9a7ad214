"""What the browser journeys read off a page the same way: axe-core reports, times as `show_time` renders them,
and the flash messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect


def violations_on(page: Page) -> str:
    """axe-core's readable report of the violations on the page, or '' when there are none."""
    results = Axe().run(page)
    return results.generate_report() if results.response["violations"] else ""


def axe_each(page: Page, visits: Sequence[tuple[str, Callable[[], object]]]) -> dict[str, str]:
    """Run each visit, then axe-core on the page it leaves: the violations by page, only where there are some."""
    found = {}
    for name, visit in visits:
        visit()
        report = violations_on(page)
        if report:
            found[name] = report
    return found


def on_clock(moment: dt.datetime, zone: str) -> str:
    """A moment on a zone's clock as the pages show it ("8 Dec 2026, 10:00")."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y, %H:%M}"


def shown_time(moment: dt.datetime, viewer: str, host: str) -> str:
    """The whole of a `show_time`: the viewer's time and zone, then the host's with a warning where they differ."""
    text = f"{on_clock(moment, viewer)} {viewer}"
    if host != viewer:
        text += f" ({on_clock(moment, host)} {host} — differs from your zone)"
    return text


def message(page: Page) -> Any:
    return expect(page.locator(".messages"))


def member(code: str) -> Any:
    """The government of a country, a member of the coalition in the demo."""
    from coalition.directory.models import Organisation

    return Organisation.objects.get(country__code=code, kind=Organisation.Kind.GOVERNMENT)


def demo_user(name: str) -> Any:
    """The demo account `name@…` (support, chair, focal, official, …; focal-de for Germany's focal point)."""
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN

    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def fact(page: Page, term: str) -> Any:
    """The <dd> after a <dt> of the page's first facts list that has it."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").first


def status_of(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status
