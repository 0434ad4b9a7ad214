"""The home (issue 19, My work) in a browser: each demo role reads its own sections, the Support Unit and the Chair
the coalition queue as well, and axe-core finds no violation on any of them nor on the public home."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from e2e.pages import violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]


ROLES = [("focal", False), ("official", False), ("support", True), ("chair", True)]


@pytest.mark.parametrize(("login", "queue"), ROLES)
def test_my_work_has_no_axe_violations(sign_in: SignIn, login: str, queue: bool) -> None:
    page = sign_in(login)
    page.goto("/")
    assert page.get_by_role("heading", name="My work", level=1).count() == 1
    assert page.get_by_role("heading", name="Statements your member must answer").count() == 1
    assert (page.get_by_role("heading", name="Coalition queue").count() == 1) is queue
    assert page.get_by_role("link", name="Preview your weekly digest").count() == 1
    assert violations_on(page) == ""


def test_the_public_home_has_no_axe_violations(page: Page) -> None:
    page.goto("/")
    assert page.get_by_role("heading", name="Latest statements").count() == 1
    assert page.get_by_role("heading", name="Upcoming public events").count() == 1
    assert page.get_by_role("heading", name="My work").count() == 0
    assert violations_on(page) == ""


def test_a_long_sections_see_all_pages_have_no_axe_violations(sign_in: SignIn) -> None:
    """The Support Unit's queue names more members without a focal point than the home shows: "See all" leads to the
    section's own pages, where every one is listed."""
    page = sign_in("support")
    page.goto("/")
    section = page.get_by_role("region", name="Members with no focal point")
    assert section.get_by_role("listitem").count() == 5
    assert violations_on(page) == ""
    section.get_by_role("link", name="See all").click()
    assert page.get_by_role("heading", name="Members with no focal point", level=1).count() == 1
    assert page.get_by_role("listitem").filter(has_text="has no focal point").count() > 5
    assert violations_on(page) == ""
