"""The platform search from the header, by keyboard, without JavaScript needed: results grouped by kind with counts,
bad input answered on the page, and no axe-core violation on either (issue 19)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.pages import violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]


def test_a_focal_point_searches_from_the_header_by_keyboard(sign_in: SignIn) -> None:
    page = sign_in("focal")
    page.get_by_label("Search", exact=True).focus()
    page.keyboard.type("freedom")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=freedom")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    groups = page.locator("main section h2")
    assert groups.count() >= 2  # several kinds hold the word: each its own heading with its count
    expect(groups.first).to_contain_text("(")
    assert violations_on(page) == ""


def test_engine_syntax_and_a_long_query_are_explained_without_an_error(page: Page) -> None:
    response = page.goto("/search/?q=" + "%22internet%22+NEAR(shutdown)+OR+*+" + "x" * 3_000)
    assert response is not None and response.status == 200
    notice = page.locator("#search-notice")
    expect(notice).to_contain_text("Searched for: internet shutdown")
    expect(notice).to_contain_text("the text after the first 200 characters")
    expect(notice).to_contain_text("the operators NEAR, OR")
    assert violations_on(page) == ""
