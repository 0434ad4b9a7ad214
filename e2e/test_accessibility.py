"""axe-core finds no violation on the directory's pages, and a phone-width screen never scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from e2e.pages import violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
PHONE_WIDTH = 360
OVERFLOW_TOLERANCE = 2  # sub-pixel rounding


@pytest.mark.parametrize("path", ["/", "/members/", "/bodies/", "/chairs/", "/accounts/login/"])
def test_public_page_has_no_axe_violations(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert violations_on(page) == ""


def test_member_filter_error_state_has_no_axe_violations(page: Page) -> None:
    page.goto("/members/?joined=1900")
    assert violations_on(page) == ""


def test_organisation_page_seen_by_the_support_unit_has_no_axe_violations(sign_in: SignIn, kenya_page: str) -> None:
    page = sign_in("support")
    page.goto(kenya_page)
    assert violations_on(page) == ""


def test_networks_page_with_the_coverage_matrix_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.goto("/networks/")
    assert page.locator("#coverage").count() == 1
    assert violations_on(page) == ""


def test_audit_ledger_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("support")
    page.goto("/audit/")
    assert violations_on(page) == ""


def test_members_page_does_not_scroll_sideways_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto("/members/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + OVERFLOW_TOLERANCE
