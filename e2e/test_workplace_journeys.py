"""The workplace in a browser (issue 19): an alert raised by a signal import reaches a member's focal point on their
home, in the notification centre and by email within one scheduler cycle; switched to the digest, the next alert
arrives only in the digest; the Advisory Network hears nothing of members-only alerts and situations. Last, the
header's search box by keyboard alone.

The Support Unit imports Access Now STOP sheets through the import page, in the 2020+ layout of the real sheets
(`shutdowns/accessnow-stop/stop_2021_data.csv` in the shared reference data), each with one nationwide shutdown that
began yesterday and is ongoing: a single-source alert for review. The scheduler runs one cycle as
`manage.py run_scheduler --once` would (tasks run in place under the test settings); the live server runs in this
process, so its emails are in `django.core.mail.outbox`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.pages import demo_user, message

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]

# The header of Access Now's 2020 and 2021 STOP sheets, as published.
STOP_2021_COLUMNS = [
    "start_date_type",
    "start_date",
    "country",
    "geo_scope",
    "area_name",
    "shutdown_type",
    "affected_network",
    "shutdown_extent",
    "ordered_by",
    "decision_maker",
    "actual_cause",
    "actual_cause_details",
    "info_source",
    "info_source_link",
    "shutdown_status",
    "end_date",
    "Duration",
    "gov_justification",
    "gov_just_details",
    "gov_ack",
    "legal_just",
    "legal_method",
    "gov_ack_source",
    "gov_ack_quote",
    "facebook_affected",
    "twitter_affected",
    "whatsapp_affected",
    "instagram_affected",
    "telegram_affected",
    "other_affected",
    "sms_affected",
    "phonecall_affected",
    "telcos_involved",
    "telco_ack",
    "telco_ack_source",
    "telco_ack_quote",
    "election",
    "violence",
    "hr_abuse_reported",
    "users_targeted",
    "users_target_detail",
    "users_notified",
    "econ_impact",
    "event",
    "an_link",
]


def began() -> dt.date:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date()


def stop_sheet(country: str) -> bytes:
    """A STOP sheet with one nationwide, full-network shutdown in `country`, begun yesterday and ongoing."""
    row = dict.fromkeys(STOP_2021_COLUMNS, "")
    row.update(
        start_date_type="Actual",
        start_date=began().isoformat(),
        country=country,
        geo_scope="It affected locations in more than one state, province, or region",
        area_name="Nationwide",
        shutdown_type="Shutdown",
        affected_network="Broadband, Mobile",
        shutdown_extent="Full network",
        ordered_by="Executive government",
        actual_cause="Protests",
        info_source="News media article",
        info_source_link="https://example.org/news/shutdown (browser journey)",
        shutdown_status="Ongoing",
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STOP_2021_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


def import_sheet(support: Page, country: str) -> None:
    """The Support Unit imports the sheet through the import page; the worker reads it and raises the alert."""
    support.goto("/response/signals/import/")
    support.get_by_label("File", exact=True).set_input_files(
        {"name": f"stop_{country.lower()}_journey.csv", "mimeType": "text/csv", "buffer": stop_sheet(country)}
    )
    support.get_by_label("Source").select_option("stop")
    support.get_by_label("Dataset year (STOP sheets)").fill(str(began().year))
    support.get_by_role("button", name="Import", exact=True).click()
    expect(support.get_by_role("heading", name="What the file brought", level=2)).to_be_visible()
    expect(support.locator("main")).to_contain_text("1 new")


def scheduler_cycle() -> None:
    call_command("run_scheduler", "--once", stdout=io.StringIO())


def sent_to(user: Any) -> list[Any]:
    return [email for email in mail.outbox if user.email in email.to]


def alert_on(country: str) -> Any:
    from coalition.response.models import Alert

    return Alert.objects.get(country__name=country, status=Alert.Status.OPEN)


def unread_in_header(page: Page) -> Any:
    return page.get_by_role("banner").get_by_role("link", name="Notifications (")


@pytest.fixture
def ingest_folder(tmp_path: Path, settings: Any) -> Path:
    """The scheduler's ingestion reads an empty folder of its own: the imports here come through the page."""
    settings.RESPONSE_INGEST_DIR = str(tmp_path)
    return tmp_path


def test_an_imported_alert_reaches_a_focal_point_at_once_then_only_in_the_digest_and_never_the_advisory_network(
    sign_in: SignIn, second_browser: SignIn, ingest_folder: Path
) -> None:
    from coalition.notifications import service

    focal_user, advisory_user = demo_user("focal"), demo_user("advisory")
    unread_before = service.unread_count(focal_user)

    # The Support Unit imports a STOP sheet: an alert on Cuba; then one scheduler cycle.
    support = sign_in("support")
    import_sheet(support, "Cuba")
    scheduler_cycle()
    cuba = alert_on("Cuba")
    subject = "Alert: network disruption in Cuba"

    # Estonia's focal point: on the home, in the header's count, in the centre, and by email with the alert's link.
    focal = second_browser("focal")
    unread = focal.get_by_role("region", name="Unread notifications")
    expect(unread.get_by_role("link", name=subject)).to_have_attribute("href", f"/response/alerts/{cuba.pk}/")
    expect(unread_in_header(focal)).to_have_text(f"Notifications ({unread_before + 1})")
    unread_in_header(focal).click()
    item = focal.locator("li.notification").filter(has_text=subject)
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading", level=2)).to_have_text(f"Unread {subject}")
    expect(item).to_contain_text("Alerts go to the focal points of every member government")
    emails = [email for email in sent_to(focal_user) if email.subject == f"[Coalition] {subject}"]
    assert len(emails) == 1, [(email.to, email.subject) for email in mail.outbox]
    assert settings.SITE_URL + f"/response/alerts/{cuba.pk}/" in emails[0].body

    # They switch alerts to the digest.
    focal.get_by_role("link", name="Choose what you receive and how").click()
    alerts = focal.get_by_role("group", name="An alert is raised")
    expect(alerts.get_by_label("By email at once")).to_be_checked()
    alerts.get_by_label("In the weekly digest").check()
    focal.get_by_role("button", name="Save").click()
    message(focal).to_be_visible()
    expect(focal.get_by_role("group", name="An alert is raised").get_by_label("In the weekly digest")).to_be_checked()

    # The next alert (Sudan) reaches them only in the digest: no email in the next cycle.
    emailed_before = len(sent_to(focal_user))
    import_sheet(support, "Sudan")
    scheduler_cycle()
    sudan = alert_on("Sudan")
    assert len(sent_to(focal_user)) == emailed_before, [email.subject for email in sent_to(focal_user)]
    assert any(email.subject == "[Coalition] Alert: network disruption in Sudan" for email in mail.outbox)  # others
    focal.goto("/programme/digest/")
    digest_link = focal.locator("main").get_by_role("link", name="Alert: network disruption in Sudan")
    expect(digest_link).to_have_attribute("href", re.compile(f"/response/alerts/{sudan.pk}/$"))
    focal.goto("/notifications/")
    expect(focal.locator("li.notification").filter(has_text="Alert: network disruption in Sudan")).to_have_count(1)

    # The Support Unit opens a members-only situation from the Cuba alert; the Advisory Network hears of none of it.
    from coalition.response import services

    situation = services.open_situation(by=demo_user("support"), country=cuba.country, alert=cuba)
    assert situation.classification == "members"
    scheduler_cycle()
    advisory = second_browser("advisory")
    for shown in ("Cuba", "Sudan", situation.title):
        expect(advisory.locator("main")).not_to_contain_text(shown)
    expect(advisory.get_by_role("region", name="Unread notifications").get_by_role("link")).to_have_count(0)
    advisory.goto("/notifications/")
    for shown in ("Cuba", "Sudan", situation.title):
        expect(advisory.locator("main")).not_to_contain_text(shown)
    from coalition.notifications.models import Notification

    about = ("Cuba", "Sudan", situation.title)
    assert not [
        email.subject for email in sent_to(advisory_user) if any(w in email.subject + email.body for w in about)
    ]
    assert not Notification.objects.filter(recipient=advisory_user, kind__startswith="response.").exists()


# --- Search by keyboard -----------------------------------------------------------------------------------------


def test_the_header_search_is_reached_from_the_skip_link_by_tab_and_its_results_by_tab(sign_in: SignIn) -> None:
    page = sign_in("focal")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to")).to_be_focused()
    box = page.get_by_role("banner").get_by_label("Search", exact=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if box.evaluate("element => element === document.activeElement"):
            break
    expect(box).to_be_focused()
    page.keyboard.type("freedom")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=freedom")
    first = page.locator("main section a").first
    expect(first).to_be_visible()
    target = first.get_attribute("href")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('main section') !== null"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == target, (focused, target)
