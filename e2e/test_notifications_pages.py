"""The notification centre, the preferences page and the unsubscribe page in a browser (issue 19): axe-core finds no
violation on each, with notifications listed, a choice refused on its field, and the one-click confirmation; and
the centre's buttons work by keyboard alone, without JavaScript's help."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.pages import demo_user, violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]


@pytest.fixture
def noted(demo: dict) -> Iterator[None]:
    """Two notifications for the demo's member official, of the tests' own kind (the live server runs in this
    process, so the kinds registered here are its kinds)."""
    from coalition.directory.tests.factories import PersonFactory
    from coalition.notifications import service
    from coalition.notifications.tests.helpers import NOTED, registered_test_kinds

    with registered_test_kinds():
        official = demo_user("official")
        for name in ("Ada Example", "Grace Example"):
            service.notify(
                kind=NOTED, subject=PersonFactory(full_name=name), recipients=[official], reason="For a test."
            )
        yield


@pytest.mark.usefixtures("noted")
def test_the_centre_has_no_axe_violations_and_its_buttons_work_by_keyboard(sign_in: SignIn) -> None:
    page = sign_in("official")
    expect(page.get_by_role("link", name="Notifications (2)")).to_be_visible()
    page.goto("/notifications/")
    assert violations_on(page) == ""
    page.get_by_role("button", name=re.compile(r"^Mark read\W+Grace Example was noted$")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Marked read.")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications (1)")).to_be_visible()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("link", name="Notifications (0)")).to_be_visible()
    assert violations_on(page) == ""


@pytest.mark.usefixtures("noted")
def test_the_preferences_page_has_no_axe_violations_and_saves(sign_in: SignIn) -> None:
    page = sign_in("focal")
    page.goto("/notifications/preferences/")
    assert violations_on(page) == ""
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    assert violations_on(page) == ""


@pytest.mark.usefixtures("noted")
def test_the_unsubscribe_page_has_no_axe_violations(page: Page) -> None:
    from coalition.notifications import unsubscribe
    from coalition.notifications.tests.helpers import NOTED

    page.goto(f"/notifications/unsubscribe/{unsubscribe.make_token(demo_user('official'), NOTED)}/")
    assert violations_on(page) == ""
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You will no longer receive “A person is noted”")).to_be_visible()
    assert violations_on(page) == ""
    page.goto("/notifications/unsubscribe/forged/")
    expect(page.get_by_role("alert")).to_contain_text("not valid; nothing was changed")
    assert violations_on(page) == ""
