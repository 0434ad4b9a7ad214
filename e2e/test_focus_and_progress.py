"""What axe-core does not check (issue 17, item 7): a keyboard user sees where the focus is — on the blue header as on
the page, in a date field as in any other — and a screen reader hears a progress bar's value once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

NON_TEXT_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11
YEAR = dt.datetime.now(dt.UTC).year
TREE = f"/programme/{YEAR}/"

# The focused element's outline colour, and the colour behind it: the nearest ancestor with an opaque background.
FOCUS_COLOURS = """
(element) => {
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/)) {
    behind = behind.parentElement;
  }
  return {
    outline: style.outlineColor,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
  };
}
"""


def rgb(css: str) -> tuple[float, float, float]:
    red, green, blue = (float(part) for part in re.findall(r"[\d.]+", css)[:3])
    return red, green, blue


def luminance(colour: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(rgb(first)), luminance(rgb(second))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_focus_ring_on_the_header_stands_out_from_the_header(page: Page) -> None:
    page.goto("/")
    for selector in (".site-header .brand", ".site-header nav a", ".site-header .account a"):
        tab_to(page, selector)
        colours = page.evaluate(FOCUS_COLOURS, page.locator(":focus").element_handle())
        assert colours["outlineStyle"] != "none" and colours["outlineWidth"] >= 2, (selector, colours)
        ratio = contrast(colours["outline"], colours["behind"])
        assert ratio >= NON_TEXT_CONTRAST, (
            f"{selector}: focus ring {colours['outline']} on {colours['behind']}: {ratio:.2f}:1"
        )


def test_the_skip_link_focus_ring_stands_out_from_the_header_it_covers(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    colours = page.evaluate(FOCUS_COLOURS, page.locator(".skip-link").element_handle())
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert contrast(colours["outline"], header) >= NON_TEXT_CONTRAST, colours


def test_the_focus_ring_on_the_page_stands_out_from_the_page(page: Page) -> None:
    page.goto("/members/")
    tab_to(page, "main a")
    colours = page.evaluate(FOCUS_COLOURS, page.locator(":focus").element_handle())
    assert contrast(colours["outline"], colours["behind"]) >= NON_TEXT_CONTRAST, colours


def test_the_date_field_on_the_members_page_shows_where_the_focus_is(page: Page) -> None:
    page.goto("/members/")
    tab_to(page, "input[type=date]")
    colours = page.evaluate(FOCUS_COLOURS, page.locator("input[type=date]").element_handle())
    assert colours["outlineStyle"] != "none", colours
    assert colours["outlineWidth"] >= 2, colours
    assert contrast(colours["outline"], colours["behind"]) >= NON_TEXT_CONTRAST, colours


def test_a_progress_bar_tells_its_value_once(page: Page) -> None:
    page.goto(TREE)
    first = page.locator("main p").filter(has_text="Overall progress").first
    snapshot = first.aria_snapshot()
    bar = page.get_by_role("progressbar").first
    value = bar.get_attribute("value")
    assert value is not None
    per_cent = str(round(float(value) * 100 / float(bar.get_attribute("max") or 1)))
    # One progress bar with its value, and no second reading of the same number as text.
    assert snapshot.count("progressbar") == 1, snapshot
    assert len(re.findall(rf"\b{per_cent}\b", snapshot.replace("progressbar", ""))) <= 1, snapshot
    assert bar.get_attribute("aria-label")
