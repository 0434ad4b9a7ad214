"""Rapid response in a browser (issue 7): the Support Unit opens the situation room from the main navigation, finds the
open alert on Ethiopia that the demo's three monitoring sources raised, and opens a situation from it; the room shows
the brief, the playbook and the timeline from the first signal. Two members pledge, each through its own official in a
browser of their own (Estonia's focal point, Ghana's desk officer). The Support Unit drafts the country statement on
the fast track from the room and finds it linked, then closes the situation with an after-action review; the room and
the metrics page show the time from the first signal to the opening and to the first pledge.

Then what must be refused: the Advisory Network neither lists nor opens the members-only situation; closing without a
review and pledging the same action twice come back with their message at the field. Last, the pages pass axe-core.

Expected durations are computed here from the stored instants, the way the pages format them (`duration`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.pages import axe_each, demo_user, fact, member, message, status_of

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
COUNTRY = "Ethiopia"
SITUATION = "Ethiopia: network disruption"
SOURCES = "IODA, Access Now #KeepItOn STOP"  # the demo's OONI platform block is another kind of event
STATEMENT_TITLE = "Joint statement on the network disruption in Ethiopia (browser journey)"
STATEMENT_TEXT = (
    "The coalition is concerned by reports of a network disruption in the Amhara region (fictitious).\n\n"
    "We call on the authorities to restore full access to the internet without delay."
)
REVIEW = "Three sources agreed within the hour; the pledges came in quickly. Next time: brief the embassies earlier."
ESTONIA_PLEDGE = "Estonia's embassy joins the démarche with the other members present (journey)."
GHANA_PLEDGE = "Ghana raises the disruption privately with the authorities (journey)."


# --- Helpers ----------------------------------------------------------------------------------------------------


def tool(name: str) -> Any:
    from coalition.response.models import Tool

    return Tool.objects.get(name=name)


def open_rapid_response(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rapid response").click()
    expect(page.get_by_role("heading", name="Rapid response", level=1)).to_be_visible()


def pledge_row(page: Page, code: str) -> Locator:
    return page.locator("#pledges ~ .table-wrap tr").filter(
        has=page.get_by_role("rowheader", name=str(member(code).name), exact=True)
    )


def situation_from_the_alert() -> Any:
    """The demo's open alert on Ethiopia made a situation by the Support Unit (through the service)."""
    from coalition.response import services
    from coalition.response.models import Alert

    alert = Alert.objects.get(country__code="ET", status=Alert.Status.OPEN)
    return services.open_situation(by=demo_user("support"), country=alert.country, alert=alert)


def pledged(situation: Any, login: str, code: str, action: str, description: str) -> Any:
    from coalition.response import services

    return services.pledge(
        situation, by=demo_user(login), organisation=member(code), tool=tool(action), description=description
    )


def durations(situation: Any) -> tuple[str, str]:
    """The situation's time from the first signal to its opening and to its first pledge, as the pages show them."""
    from coalition.response.queries import metrics_of
    from coalition.response.views import duration

    situation.refresh_from_db()
    shown = metrics_of(situation.opened_by, situation)
    return duration(shown.to_opened), duration(shown.to_first_pledge)


# --- The journey ------------------------------------------------------------------------------------------------


def open_the_situation(support: Page) -> Any:
    """From the alert on the rapid-response page to a situation room with its brief, playbook and first signal."""
    from coalition.response.models import Situation

    open_rapid_response(support)
    alert_row = support.locator("#alerts ~ .table-wrap tr").filter(
        has=support.get_by_role("rowheader", name=COUNTRY, exact=True)
    )
    expect(alert_row).to_contain_text(SOURCES)
    expect(alert_row.get_by_role("link", name="Open a situation")).to_be_visible()
    alert_row.get_by_role("link", name=COUNTRY, exact=True).click()

    expect(support.get_by_role("heading", name=f"Alert: {COUNTRY}", level=1)).to_be_visible()
    expect(fact(support, "Status")).to_have_text("Open")
    expect(fact(support, "Sources that agree")).to_have_text(SOURCES)
    signals = support.get_by_role("region", name="The signals behind this alert").locator("tbody tr")
    expect(signals).to_have_count(2)
    for source in ("Access Now #KeepItOn STOP", "IODA"):
        expect(signals.filter(has_text=source)).to_have_count(1)
    expect(support.get_by_label("Title", exact=True)).to_have_value(SITUATION)
    expect(support.get_by_label("What is happening")).to_have_value(re.compile(f"^Signals from {SOURCES} since "))
    support.get_by_role("button", name="Open the situation").click()

    message(support).to_contain_text("Situation opened. The playbook is ready; members can pledge.")
    expect(support.get_by_role("heading", name=SITUATION, level=1)).to_be_visible()
    expect(fact(support, "Country")).to_have_text(COUNTRY)
    expect(fact(support, "Status")).to_have_text("Open")
    expect(support.get_by_role("heading", name="Brief", level=2)).to_be_visible()
    brief_signals = support.get_by_role("region", name="The signals behind this situation").locator("tbody tr")
    expect(brief_signals).to_have_count(3)
    playbook = support.get_by_role("region", name="Playbook").locator("tbody tr")
    expect(playbook.filter(has=support.get_by_role("rowheader", name="Joint démarche"))).to_have_count(1)
    expect(playbook.filter(has=support.get_by_role("rowheader", name="Joint public statement"))).to_have_count(1)
    timeline = support.locator("ol.timeline > li")
    expect(timeline.first).to_contain_text(f"First signal ({SOURCES})")
    expect(timeline.nth(1)).to_contain_text("Situation opened")
    return Situation.objects.get(title=SITUATION)


def pledge_for_own_member(page: Page, path: str, code: str, action: str, description: str) -> None:
    """A member's official pledges from the room: the form offers only their own member, already chosen."""
    page.goto(path)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Pledge", exact=True))
    name = str(member(code).name)
    expect(form.get_by_label("Member", exact=True).locator("option")).to_have_text([name])
    expect(form.get_by_label("Member", exact=True)).to_have_value(str(member(code).pk))
    form.get_by_label("Action from the toolkit").select_option(label=action)
    form.get_by_label("What the member commits").fill(description)
    form.get_by_role("button", name="Pledge", exact=True).click()
    message(page).to_contain_text("Pledge recorded.")
    expect(pledge_row(page, code)).to_contain_text(action)


def test_an_alert_becomes_a_situation_where_two_members_pledge_a_statement_is_fast_tracked_and_a_review_closes_it(
    sign_in: SignIn, second_browser: SignIn
) -> None:
    support = sign_in("support")
    situation = open_the_situation(support)
    path = f"/response/situations/{situation.pk}/"
    assert support.url.endswith(path)

    # Two members pledge, each for itself, each in a browser of its own.
    estonia = second_browser("focal")
    pledge_for_own_member(estonia, path, "EE", "Joint démarche", ESTONIA_PLEDGE)
    ghana = second_browser("official")
    pledge_for_own_member(ghana, path, "GH", "Private diplomatic engagement", GHANA_PLEDGE)
    expect(pledge_row(ghana, "EE")).to_contain_text(ESTONIA_PLEDGE)  # each sees the other's pledge

    support.reload()
    expect(support.locator("#pledges + p")).to_have_text("2 pledges")
    for code, action, description in [
        ("EE", "Joint démarche", ESTONIA_PLEDGE),
        ("GH", "Private diplomatic engagement", GHANA_PLEDGE),
    ]:
        row = pledge_row(support, code)
        expect(row).to_contain_text(action)
        expect(row).to_contain_text(description)
    timeline = support.locator("ol.timeline")
    expect(timeline).to_contain_text(f"{member('EE').name} pledged: Joint démarche")
    expect(timeline).to_contain_text(f"{member('GH').name} pledged: Private diplomatic engagement")

    # The Support Unit drafts the country statement on the fast track; the room links it.
    form = support.locator("form").filter(has=support.get_by_role("button", name="Draft on the fast track"))
    expect(form.get_by_label("Title of the statement")).to_have_value(f"Joint statement on {COUNTRY}")
    form.get_by_label("Title of the statement").fill(STATEMENT_TITLE)
    form.get_by_label("Text", exact=True).fill(STATEMENT_TEXT)
    form.get_by_role("button", name="Draft on the fast track").click()
    message(support).to_contain_text("Statement drafted on the fast track: freeze it now under silence procedure.")
    expect(support.get_by_role("heading", name=STATEMENT_TITLE, level=1)).to_be_visible()
    situation.refresh_from_db()
    assert situation.statement is not None
    statement_path = f"/statements/{situation.statement.slug}/"
    assert support.url.split("#")[0].endswith(statement_path)

    support.goto(path)
    link = support.locator("#statement + p").get_by_role("link", name=STATEMENT_TITLE)
    expect(link).to_have_attribute("href", statement_path)
    expect(support.locator("#statement + p")).to_contain_text("Drafting and sign-on")
    expect(support.locator("ol.timeline")).to_contain_text("Country statement drafted on the fast track")
    expect(support.get_by_role("button", name="Draft on the fast track")).to_have_count(0)

    # The Support Unit closes the situation with its after-action review.
    support.get_by_label("After-action review").fill(REVIEW)
    support.get_by_role("button", name="Close with this review").click()
    message(support).to_contain_text("Situation closed with its after-action review.")
    expect(fact(support, "Status")).to_contain_text("Closed (")
    expect(support.get_by_role("heading", name="After-action review", level=2)).to_be_visible()
    expect(support.locator("#review + p")).to_have_text(REVIEW)
    expect(support.get_by_role("button", name="Close with this review")).to_have_count(0)
    expect(support.get_by_role("button", name="Pledge", exact=True)).to_have_count(0)
    expect(support.locator("ol.timeline > li").last).to_contain_text("Situation closed with an after-action review")

    # The metrics: in the room, and on the metrics page.
    to_opened, to_first_pledge = durations(situation)
    # Counted from the demo's first signal (7 h 20 min before the demo was loaded), not from the alert: at least
    # that long, plus however long ago the demo was loaded in this test process.
    assert situation.first_signal_at == situation.alert.first_signal_at
    hours, minutes = map(int, re.fullmatch(r"(\d+) h (\d+) min", to_opened).groups())  # type: ignore[union-attr]
    assert hours * 60 + minutes >= 7 * 60 + 20, to_opened
    metrics = support.locator("#metrics + dl.facts")
    expect(metrics.locator("dt:text-is('First signal to situation opened') + dd")).to_have_text(to_opened)
    expect(metrics.locator("dt:text-is('To the first pledge') + dd")).to_have_text(to_first_pledge)

    open_rapid_response(support)
    closed = support.get_by_role("region", name="Closed situations")
    expect(closed.get_by_role("link", name=SITUATION)).to_be_visible()
    cells = closed.locator("tbody tr").filter(has=support.get_by_role("link", name=SITUATION)).locator("td")
    expect(cells.nth(0)).to_have_text(COUNTRY)
    expect(cells.nth(2)).to_have_text("2")  # its pledges
    expect(cells.nth(3)).to_have_text("Drafting and sign-on")
    support.locator("main").get_by_role("link", name="Metrics", exact=True).click()
    expect(support.get_by_role("heading", name="Rapid-response metrics", level=1)).to_be_visible()
    row = (
        support.get_by_role("region", name="Per situation")
        .locator("tbody tr")
        .filter(has=support.get_by_role("rowheader", name=SITUATION))
    )
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text(to_opened)
    expect(cells.nth(2)).to_have_text(to_first_pledge)
    expect(cells.nth(3)).to_have_text("—")  # the statement is not published yet
    year = support.get_by_role("region", name="Medians per year").locator("tbody tr").first
    expect(year.locator("td").nth(0)).to_have_text("1")
    expect(year.locator("td").nth(1)).to_have_text(to_opened)
    expect(year.locator("td").nth(2)).to_have_text(to_first_pledge)


# --- What must be refused ---------------------------------------------------------------------------------------


def test_the_advisory_network_neither_lists_nor_opens_a_members_only_situation(sign_in: SignIn) -> None:
    situation = situation_from_the_alert()
    assert situation.classification == "members"
    advisory = sign_in("advisory")
    open_rapid_response(advisory)
    main = advisory.locator("main")
    expect(main).not_to_contain_text(SITUATION)
    expect(advisory.get_by_role("link", name=SITUATION)).to_have_count(0)
    expect(advisory.locator("#open-situations + p")).to_have_text("None.")
    assert status_of(advisory, f"/response/situations/{situation.pk}/") == 404
    expect(advisory.locator("main")).not_to_contain_text(SITUATION)
    advisory.goto("/response/metrics/")
    expect(advisory.locator("main")).not_to_contain_text(SITUATION)


def test_closing_without_a_review_and_pledging_the_same_action_twice_are_refused_at_the_field(
    sign_in: SignIn, second_browser: SignIn
) -> None:
    from coalition.response.models import Pledge, Situation

    situation = situation_from_the_alert()
    pledged(situation, "focal", "EE", "Joint démarche", ESTONIA_PLEDGE)
    path = f"/response/situations/{situation.pk}/"

    # Closing without a review: the field says what is missing, the situation stays open.
    support = sign_in("support")
    support.goto(path)
    with support.expect_response(lambda r: r.request.method == "POST") as posted:
        support.get_by_role("button", name="Close with this review").click()
    assert posted.value.status == 400
    problem = "Write the after-action review: what worked, what did not, what to change."
    expect(support.get_by_role("alert")).to_contain_text(f"After-action review: {problem}")
    expect(support.locator("#id_close_review_error")).to_have_text(problem)
    expect(fact(support, "Status")).to_have_text("Open")
    situation.refresh_from_db()
    assert situation.status == Situation.Status.OPEN and situation.review == ""

    # Estonia pledges the démarche again: the message names the pledge it already has.
    estonia = second_browser("focal")
    estonia.goto(path)
    form = estonia.locator("form").filter(has=estonia.get_by_role("button", name="Pledge", exact=True))
    form.get_by_label("Member", exact=True).select_option(label=str(member("EE").name))
    form.get_by_label("Action from the toolkit").select_option(label="Joint démarche")
    form.get_by_label("What the member commits").fill("The same démarche once more.")
    with estonia.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Pledge", exact=True).click()
    assert posted.value.status == 400
    duplicate = f"{member('EE').name} has already pledged “Joint démarche” here (pledged); update that pledge instead."
    expect(estonia.get_by_role("alert")).to_contain_text(f"Action from the toolkit: {duplicate}")
    expect(estonia.locator("#id_pledge_tool_error")).to_have_text(duplicate)
    assert list(Pledge.objects.filter(situation=situation).values_list("description", flat=True)) == [ESTONIA_PLEDGE]


# --- Accessibility ----------------------------------------------------------------------------------------------


def go(page: Page, path: str, heading: str) -> Callable[[], None]:
    def visit() -> None:
        assert status_of(page, path) == 200, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return visit


def test_the_rapid_response_pages_have_no_axe_violations(sign_in: SignIn) -> None:
    from coalition.directory.models import Country
    from coalition.response import services
    from coalition.response.models import Alert

    support_user = demo_user("support")
    alert = Alert.objects.get(country__code="ET", status=Alert.Status.OPEN)
    # A closed situation with its review, elsewhere, beside the open alert.
    earlier = services.open_situation(
        by=support_user, country=Country.objects.get(code="BY"), summary="Mobile data cut (fictitious)."
    )
    pledged(earlier, "official", "GH", "Joint public statement", GHANA_PLEDGE)
    services.close(earlier, by=support_user, review=REVIEW)

    support = sign_in("support")
    found = axe_each(
        support,
        [
            ("rapid response with the alert", go(support, "/response/", "Rapid response")),
            ("alert", go(support, f"/response/alerts/{alert.pk}/", f"Alert: {COUNTRY}")),
            ("open a situation from the alert", go(support, f"/response/situations/new/?alert={alert.pk}", "Open a")),
            ("signals", go(support, "/response/signals/", "Signals")),
            ("import", go(support, "/response/signals/import/", "Import signals")),
            ("toolkit", go(support, "/response/toolkit/", "Toolkit")),
            ("toolkit action", go(support, f"/response/toolkit/{tool('Joint public statement').pk}/", "Joint public")),
            ("closed situation", go(support, f"/response/situations/{earlier.pk}/", earlier.title)),
        ],
    )

    situation = situation_from_the_alert()
    pledged(situation, "focal", "EE", "Joint démarche", ESTONIA_PLEDGE)
    pledged(situation, "official", "GH", "Private diplomatic engagement", GHANA_PLEDGE)
    services.fast_track_statement(situation, by=support_user, title=STATEMENT_TITLE, text=STATEMENT_TEXT)

    def close_refused() -> None:
        support.goto(f"/response/situations/{situation.pk}/")
        support.get_by_role("button", name="Close with this review").click()
        expect(support.get_by_role("alert")).to_contain_text("Write the after-action review")

    found |= axe_each(
        support,
        [
            ("situation room with pledges", go(support, f"/response/situations/{situation.pk}/", SITUATION)),
            ("situation room, closing refused", close_refused),
            ("metrics", go(support, "/response/metrics/", "Rapid-response metrics")),
        ],
    )
    assert not found, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
