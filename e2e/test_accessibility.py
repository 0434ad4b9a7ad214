"""axe-core finds no violation on the directory's pages and, on a 375 px phone, on the pages people use most (issue 17,
item 6); a phone-width screen never scrolls sideways, and the Sign button is within the first screens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from coalition.directory import views
from e2e.pages import axe_each, violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
PHONE_WIDTH = 360
OVERFLOW_TOLERANCE = 2  # sub-pixel rounding


@pytest.mark.parametrize("path", ["/", "/members/", "/people/", "/bodies/", "/chairs/", "/accounts/login/"])
def test_public_page_has_no_axe_violations(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert violations_on(page) == ""


def test_a_paged_members_list_has_no_axe_violations(page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the load test's ~800 governments the list is paged (issue 20); the demo's ~40 are, at ten a page."""
    monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 10)  # the live server runs in this process
    page.goto("/members/?status=all")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
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


def test_people_directory_seen_by_the_support_unit_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("support")
    page.goto("/people/?page=2")
    assert page.locator("tr[id^=person-]").count() > 0 and page.get_by_text("Email:").count() > 0
    assert violations_on(page) == ""


def test_people_directory_filter_error_state_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("official")
    response = page.goto("/people/?role=emperor&network=nowhere")
    assert response is not None and response.status == 400
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


# --- The pages people use most, on a 375 px phone (issue 17, item 6) ---------------------------------------------

PHONE_375 = 375
SIGN_BUTTON_WITHIN = 1500  # px from the top of the page: the first screen or two of a phone
MYANMAR_DRAFT = "Statement on the network disruption in Myanmar (demo draft)"


def _open_for_signature() -> str:
    """The demo's draft statement, frozen by the Chair for sign-on (the demo has no round open to Estonia's focal
    point): the path of its page, which lists every member's answer, some forty rows."""
    import datetime as dt

    from django.utils import timezone

    from coalition.statements import services
    from coalition.statements.models import Statement
    from e2e.pages import demo_user

    statement = Statement.objects.get(document__title=MYANMAR_DRAFT)
    services.freeze(
        statement=statement,
        by=demo_user("chair"),
        deadline=timezone.now() + dt.timedelta(hours=2),
        deadline_time_zone="America/Santiago",
        mode="silence",
    )
    return f"/statements/{statement.slug}/"


def _rotation_series() -> str:
    from coalition.meetings.models import MeetingSeries

    return f"/meetings/series/{MeetingSeries.objects.get(title='Strategy and Coordination').pk}/"


def _activity() -> str:
    """An activity of this year's programme (UTC, as the app): the demo carries 2023's over into it."""
    import datetime as dt

    return f"/programme/{dt.datetime.now(dt.UTC).year}/activities/1B.2/"


def _visit(page: Page, path: str) -> Callable[[], None]:
    def visit() -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, path

    return visit


def test_a_focal_point_on_a_phone_finds_the_sign_button_on_the_first_screens(sign_in: SignIn) -> None:
    path = _open_for_signature()
    page = sign_in("focal")
    page.set_viewport_size({"width": PHONE_375, "height": 812})
    page.goto(path)
    assert page.locator("table.responses tbody tr").count() >= 30
    sign = page.get_by_role("button", name="Sign", exact=True)
    box = sign.bounding_box()
    assert box is not None
    top = box["y"] + page.evaluate("window.scrollY")
    assert top < SIGN_BUTTON_WITHIN, f"the Sign button is {top:.0f} px down the page"


def test_a_focal_points_most_used_pages_have_no_axe_violations_on_a_phone(sign_in: SignIn) -> None:
    path = _open_for_signature()
    page = sign_in("focal")
    page.set_viewport_size({"width": PHONE_375, "height": 812})
    visits = [
        ("signing page", _visit(page, path)),
        ("activity page with the update form", _visit(page, _activity())),
        ("account page with the time-zone select", _visit(page, "/accounts/me/")),
    ]
    assert axe_each(page, visits) == {}


def test_the_support_units_most_used_pages_have_no_axe_violations_on_a_phone(sign_in: SignIn) -> None:
    page = sign_in("support")
    page.set_viewport_size({"width": PHONE_375, "height": 812})
    visits = [
        ("rotation page", _visit(page, _rotation_series())),
        ("audit page", _visit(page, "/audit/")),
        ("audit page 2", _visit(page, "/audit/?page=2")),
        ("members page", _visit(page, "/members/")),
        ("activity page", _visit(page, _activity())),
        ("new series, with the host's time-zone select", _visit(page, "/meetings/series/new/")),
    ]
    assert axe_each(page, visits) == {}


def test_the_public_members_page_has_no_axe_violations_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": PHONE_375, "height": 812})
    page.goto("/members/")
    assert violations_on(page) == ""


def test_the_time_zone_search_narrows_the_select_and_keeps_it_accessible(sign_in: SignIn) -> None:
    page = sign_in("official")
    page.set_viewport_size({"width": PHONE_375, "height": 812})
    page.goto("/accounts/me/")
    search = page.get_by_label("Search the time zones")
    search.fill("asmara")
    zones = page.get_by_label("Your time zone")
    shown = zones.locator("option:not([hidden])")
    values = shown.evaluate_all("options => options.map(o => o.value)")
    assert "Africa/Asmara" in values and "Europe/Paris" not in values
    assert len(values) <= 2  # Asmara, and the zone saved now, which stays in view
    zones.select_option("Africa/Asmara")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Your time zone")).to_have_value("Africa/Asmara")
    assert violations_on(page) == ""


# --- The workplace: home, notifications, search (issue 19) ------------------------------------------------------


def _situation_for_the_members() -> None:
    """The demo's open alert on Ethiopia made a situation: every member's focal point is asked for a pledge (a
    notification, and an item of their home)."""
    from coalition.response import services
    from coalition.response.models import Alert
    from e2e.pages import demo_user

    alert = Alert.objects.get(country__code="ET", status=Alert.Status.OPEN)
    services.open_situation(by=demo_user("support"), country=alert.country, alert=alert)


def test_the_workplace_pages_of_a_focal_point_have_no_axe_violations(sign_in: SignIn) -> None:
    from coalition.notifications import unsubscribe
    from coalition.response.notices import ALERT_RAISED
    from e2e.pages import demo_user

    _situation_for_the_members()
    page = sign_in("focal")
    token = unsubscribe.make_token(demo_user("focal"), ALERT_RAISED)

    def home() -> None:
        _visit(page, "/")()
        expect(page.get_by_role("region", name="Unread notifications").get_by_role("link").first).to_be_visible()

    def centre() -> None:
        _visit(page, "/notifications/")()
        expect(page.locator("li.notification.unread").first).to_be_visible()

    def search_results() -> None:
        _visit(page, "/search/?q=freedom")()
        expect(page.locator("main section h2").first).to_be_visible()

    def search_refused() -> None:
        _visit(page, "/search/?q=" + "x" * 10_000)()
        expect(page.locator("#search-notice")).to_be_visible()

    def unsubscribe_done() -> None:
        page.get_by_role("button", name="Unsubscribe").click()
        expect(page.get_by_role("status")).to_contain_text("You will no longer receive")

    visits = [
        ("home with items", home),
        ("notification centre", centre),
        ("preferences", _visit(page, "/notifications/preferences/")),
        ("search with results", search_results),
        ("search with a bad query", search_refused),
        ("unsubscribe confirmation", _visit(page, f"/notifications/unsubscribe/{token}/")),
        ("unsubscribed", unsubscribe_done),
    ]
    found = axe_each(page, visits)
    assert not found, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())


def test_the_support_units_home_with_the_coalition_queue_has_no_axe_violations(sign_in: SignIn) -> None:
    page = sign_in("support")
    expect(page.get_by_role("heading", name="Coalition queue", level=2)).to_be_visible()
    assert violations_on(page) == ""
