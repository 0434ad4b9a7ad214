"""The Program of Action in a browser: a member's update travels to the Support Unit, the tree, the annual report,
and stays out of sight of those its classification excludes; the programme pages pass axe-core and fit a phone."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.pages import violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
PHONE_WIDTH = 360
OVERFLOW_TOLERANCE = 2  # sub-pixel rounding
YEAR = dt.datetime.now(dt.UTC).year  # the demo carries the 2023 programme over into this year's (UTC, as the app)
TREE = f"/programme/{YEAR}/"
ACTIVITY = f"/programme/{YEAR}/activities/1B.2/"
REPORT = f"/programme/{YEAR}/report/"
REPORT_PDF = f"/programme/{YEAR}/report.pdf"
NARRATIVE = "Ghana convened the Accra dialogue on network shutdowns with three missions."


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def shown(on: dt.date) -> str:
    """A date as the programme pages show it ("j M Y")."""
    return f"{on.day} {on.strftime('%b')} {on.year}"


def tree_row(page: Page, code: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=code, exact=True))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


def pdf_text(page: Page, path: str = REPORT_PDF) -> str:
    """The report PDF, downloaded with the page's session, as whitespace-normalised text."""
    from pypdf import PdfReader

    response = page.request.get(path)
    assert response.status == 200, f"{path}: {response.status}"
    assert response.headers["content-type"].startswith("application/pdf")
    reader = PdfReader(io.BytesIO(response.body()))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def activity_section(text: str, code: str) -> str:
    """An activity's part of the report's text: from its code to the next activity's ("1B.2 … 1B.3 …")."""
    found = re.search(rf"(?:^| ){re.escape(code)} (.*?)(?= \d[A-Z]\.\d+ |$)", text)
    assert found, f"{code} is not in the report"
    return found.group(1)


# --- The journey ------------------------------------------------------------------------------------------------


def post_members_only_update(page: Page, reported_on: dt.date) -> None:
    page.goto(ACTIVITY)
    form = page.get_by_role("form", name="Post an update")
    form.get_by_label("What happened").fill(NARRATIVE)
    form.get_by_label("Date", exact=True).fill(reported_on.isoformat())
    form.get_by_label("Who may read this update").select_option("members")
    form.get_by_label("On behalf of").select_option(label="Government of Ghana")
    form.get_by_label("Propose a status change").select_option("in_progress")
    form.get_by_role("button", name="Post update").click()
    expect(page.locator(".messages")).to_contain_text("Update posted.")


def test_a_members_update_is_confirmed_by_the_support_unit_and_reaches_the_report_but_not_the_advisory_network(
    sign_in: SignIn,
) -> None:
    reported_on = today() - dt.timedelta(days=1)

    # A member official of Ghana, which leads 1B.2, reports progress for members only and proposes "in progress".
    page = sign_in("official")
    post_members_only_update(page, reported_on)
    entry = page.locator("ol.timeline li").filter(has_text=NARRATIVE)
    expect(entry).to_contain_text("for Government of Ghana")
    expect(page.locator("#proposals")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm")).to_have_count(0)  # members propose, managers decide
    sign_out(page)

    # The Support Unit sees the update's date on the tree and on the activity, and confirms the proposal.
    page = sign_in("support")
    page.goto(TREE)
    row = tree_row(page, "1B.2")
    expect(row.get_by_role("cell").nth(4)).to_contain_text(shown(reported_on))
    expect(row.get_by_role("cell").nth(1)).to_have_text("Not started")
    row.get_by_role("link", name="1B.2", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(ACTIVITY) + "$"))
    entry = page.locator("ol.timeline li").filter(has_text=NARRATIVE)
    expect(entry).to_contain_text(shown(reported_on))
    expect(entry).to_contain_text("Members")
    proposal = page.locator("ul.cards li").filter(has_text="In progress")
    expect(proposal).to_contain_text("Kwame Mockdata")
    before = pdf_text(page)
    proposal.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("Status change confirmed.")
    expect(page.locator("dl.facts")).to_contain_text("In progress")
    expect(page.locator("#proposals")).to_have_count(0)
    expect(page.locator("#history + ol")).to_contain_text("Not started → In progress")

    # The tree shows the new status, and the annual report carries the narrative and the new status.
    page.goto(TREE)
    expect(tree_row(page, "1B.2").get_by_role("cell").nth(1)).to_have_text("In progress")
    assert "Status: Not started" in activity_section(before, "1B.2")
    assert NARRATIVE in activity_section(before, "1B.2")  # the report reads what the Support Unit may see
    after = activity_section(pdf_text(page), "1B.2")
    assert "Status: In progress" in after
    assert NARRATIVE in after
    assert shown(reported_on) in after
    sign_out(page)

    # The Advisory Network sees the new status, but neither the activity page nor the report shows the narrative.
    page = sign_in("advisory")
    page.goto(ACTIVITY)
    expect(page.locator("dl.facts")).to_contain_text("In progress")
    expect(page.locator("ol.timeline")).to_contain_text("Quarterly call held")  # the coalition-wide update
    expect(page.locator("main")).not_to_contain_text(NARRATIVE)
    page.goto(TREE)
    expect(tree_row(page, "1B.2").get_by_role("cell").nth(1)).to_have_text("In progress")
    expect(tree_row(page, "1B.2").get_by_role("cell").nth(4)).not_to_contain_text(shown(reported_on))
    seen_by_advisory = pdf_text(page)
    assert "Status: In progress" in activity_section(seen_by_advisory, "1B.2")
    assert "Quarterly call held with our missions" in activity_section(seen_by_advisory, "1B.2")
    assert NARRATIVE not in seen_by_advisory


def test_an_update_with_a_future_date_shows_the_error_and_posts_nothing(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.goto(ACTIVITY)
    form = page.get_by_role("form", name="Post an update")
    form.get_by_label("What happened").fill(NARRATIVE)
    form.get_by_label("Date", exact=True).fill((today() + dt.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="Post update").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text("Date: An update reports what has happened")
    expect(page.locator("ol.timeline")).not_to_contain_text(NARRATIVE)
    assert violations_on(page) == ""


# --- Accessibility and small screens ----------------------------------------------------------------------------


def test_programme_tree_has_no_axe_violations_for_anonymous_visitors(page: Page) -> None:
    response = page.goto(TREE)
    assert response is not None and response.status == 200
    expect(tree_row(page, "1B.2")).to_be_visible()
    assert violations_on(page) == ""


def test_programme_tree_with_the_carry_over_form_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("support")
    page.goto(TREE)
    expect(page.get_by_role("form", name="Start the next chair's programme")).to_be_visible()
    assert violations_on(page) == ""


def test_programme_tree_filter_error_state_has_no_axe_violations(page: Page) -> None:
    response = page.goto(f"{TREE}?stale_days=0")
    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("No update for (days)")
    assert violations_on(page) == ""


def test_activity_page_with_the_member_forms_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.goto(ACTIVITY)
    expect(page.get_by_role("form", name="Post an update")).to_be_visible()
    expect(page.get_by_role("form", name="Link a record as evidence")).to_be_visible()
    assert violations_on(page) == ""


def test_activity_page_with_a_pending_proposal_seen_by_the_support_unit_has_no_axe_violations(
    sign_in: SignIn,
) -> None:
    page = sign_in("official")
    post_members_only_update(page, today())
    sign_out(page)
    page = sign_in("support")
    page.goto(ACTIVITY)
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()
    expect(page.get_by_role("heading", name="Change the status")).to_be_visible()
    assert violations_on(page) == ""


def test_annual_report_page_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("support")
    response = page.goto(REPORT)
    assert response is not None and response.status == 200
    assert violations_on(page) == ""


@pytest.mark.parametrize("login", [None, "support"], ids=["anonymous", "support"])
def test_programme_tree_does_not_scroll_sideways_on_a_phone(page: Page, sign_in: SignIn, login: str | None) -> None:
    if login:
        sign_in(login)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto(TREE)
    expect(tree_row(page, "1B.2")).to_be_attached()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + OVERFLOW_TOLERANCE


def test_activity_page_does_not_scroll_sideways_on_a_phone(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto(ACTIVITY)
    expect(page.get_by_role("form", name="Post an update")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + OVERFLOW_TOLERANCE
