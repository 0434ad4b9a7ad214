"""Donor coordination in a browser (issue 8): Germany takes part in the mechanism and has shared one activity in Kenya
with all participants; the Support Unit has recorded the ECB's euro rate. Ghana's desk officer, whose member does not
take part yet, opens donor coordination from the main navigation and joins (dated today), imports an IATI file of
Ghana's own funding in Kenya for all participants and reads the per-file report, follows the count of overlaps to
review to the candidate pairing it with Germany's record, reads why it was found and marks it "to coordinate"; the
German record's page shows the review and its amount as reported and converted at the rate named. The Support Unit
then finds Ghana among the participants, sees Kenya on the heatmap with the two records' converted amounts, and
opens the gaps, the timeline and the reference pages.

Then what must be refused: a bilateral record is read by the member it names and by no third member taking part,
neither in the list nor at its address. axe-core runs on every donor-coordination page the journeys visit.

Expected amounts are computed here from the budgets in the files and the rate, and shown as the `money` filter
formats them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.pages import demo_user, fact, member, message, status_of, violations_on

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
Found = dict[str, str]  # axe-core's reports by page, only where there are violations

RATE_ON, RATE, RATE_SOURCE = dt.date(2024, 3, 28), Decimal("1.085"), "ECB reference rate"
FREEDOMS = "Fundamental freedoms and shutdowns"  # the topic DAC sector 15160 (human rights) maps to
IMPLEMENTER = "Internews"

GERMAN_ID = "XM-DAC-5-JOURNEY-KE-1"
GERMAN_TITLE = "Protecting human rights defenders online in Kenya (journey)"
GERMAN_TEXT = (
    "Digital security training, legal aid and emergency grants for human rights defenders and journalists targeted "
    "online in Kenya."
)
GERMAN_START, GERMAN_END, GERMAN_BUDGET = "2024-04-01", "2025-12-31", Decimal("1000000")

GHANA_FILE = "ghana-kenya-2024.xml"
AS_DEPLOYED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker, not the tests' tasks at once
GHANA_ID = "XM-DEMO-GH-JOURNEY-KE-1"
GHANA_TITLE = "Human rights defenders online in Kenya (journey)"
GHANA_TEXT = (
    "Digital security training and emergency grants for human rights defenders targeted online in Kenya, with a "
    "helpline run by local partners."
)
GHANA_START, GHANA_END, GHANA_BUDGET = "2024-06-01", "2025-09-30", Decimal("500000")

NOTE = "Germany and Ghana split the counties with Internews before the next tranche (journey)."
GERMANY_SHARED_WITH_ALL = "Documenting internet shutdowns in Ethiopia (demo)"
BILATERAL_TITLE = "Confidential support to Kenyan newsrooms under pressure (journey)"


# --- Helpers ----------------------------------------------------------------------------------------------------


def money(amount: Decimal) -> str:
    from coalition.donors.templatetags.donors import money as shown

    return shown(amount)


def axe(page: Page, name: str, found: Found) -> None:
    """axe-core on the page as it is now; a report is kept, so that the journey goes on and every page is checked."""
    report = violations_on(page)
    if report:
        found[name] = report


def no_violations(found: Found) -> None:
    assert not found, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())


def readable(count: int) -> str:
    """The overview's count of the activities the viewer reads."""
    return f"{count} funding activit{'y' if count == 1 else 'ies'} you can read"


def search_the_activities(page: Page, words: str) -> None:
    page.goto("/donors/activities/")
    expect(page.get_by_role("heading", name="Funding activities", level=1)).to_be_visible()
    page.get_by_role("search").get_by_label("Words").fill(words)
    page.get_by_role("search").get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"/donors/activities/\?q={words}&"))


def open_donor_coordination(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Donor coordination").click()
    expect(page.get_by_role("heading", name="Donor coordination", level=1)).to_be_visible()


def back_to_the_overview(page: Page) -> None:
    """The donor pages' own way back: the first link of their breadcrumb."""
    page.locator("main p.small").get_by_role("link", name="Donor coordination").click()
    expect(page.get_by_role("heading", name="Donor coordination", level=1)).to_be_visible()


def iati_activity(identifier: str, *, reporter: str, title: str, description: str, **dates_and_money: str) -> bytes:
    """An IATI 2.03 file of one activity in Kenya, DAC sector 15160, implemented by Internews, in euros."""
    from coalition.donors.tests.files import funding, iati_file

    return iati_file(
        funding(
            identifier,
            reporter=reporter,
            title=title,
            description=description,
            country="KE",
            sector="15160",
            implementer=IMPLEMENTER,
            currency="EUR",
            **dates_and_money,
        )
    )


def imported_for_germany(*, identifier: str, title: str, description: str, tier: str, **kwargs: Any) -> Any:
    """Germany's activity in Kenya, imported through the service by Germany's focal point in the demo (a member
    reports its own funding); the activity."""
    from coalition.donors import services
    from coalition.donors.models import FundingActivity, ImportBatch

    data = iati_activity(
        identifier,
        reporter="XM-DAC-5",
        title=title,
        description=description,
        start=GERMAN_START,
        end=GERMAN_END,
        budget=str(GERMAN_BUDGET),
    )
    batch = services.import_file(
        data, file_name="germany-kenya.xml", reporter=member("DE"), by=demo_user("focal-de"), tier=tier, **kwargs
    )
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    return FundingActivity.objects.get(reporter=member("DE"), identifier=identifier)


@pytest.fixture
def german_record(demo: dict[str, Any]) -> Any:
    """Germany, taking part in the demo, has shared one activity in Kenya with all participants; the Support Unit has
    recorded a euro rate of the week before it starts, which converts it (and Ghana's, which starts later)."""
    from coalition.core.policy import Tier
    from coalition.donors import services

    assert services.takes_part(member("DE"))
    services.add_rate(by=demo_user("support"), currency="EUR", on=RATE_ON, rate=RATE, source=RATE_SOURCE)
    return imported_for_germany(identifier=GERMAN_ID, title=GERMAN_TITLE, description=GERMAN_TEXT, tier=Tier.MECHANISM)


# --- The journey ------------------------------------------------------------------------------------------------


def join(page: Page, found: Found) -> dt.date:
    """Ghana's official opts in from the overview; the day it takes part from."""
    from django.utils import timezone

    from coalition.donors import queries
    from coalition.donors.models import Participation

    open_donor_coordination(page)
    ghana = page.locator("#taking-part + ul > li")
    expect(ghana).to_contain_text("Government of Ghana does not take part")
    # Before: only its own records and public ones (the demo's British record in Ghana is public).
    before = queries.activities(demo_user("official")).count()
    expect(page.get_by_role("link", name=readable(before))).to_be_visible()
    axe(page, "overview, before joining", found)

    page.get_by_role("button", name="Join for Government of Ghana").click()
    message(page).to_contain_text("Government of Ghana takes part in donor coordination from today.")
    joined = Participation.objects.get(organisation=member("GH"), left_on__isnull=True).joined_on
    assert joined == timezone.localdate()
    expect(ghana).to_contain_text(f"Government of Ghana takes part since {joined:%Y-%m-%d}.")
    expect(ghana.get_by_role("button", name="Leave for Government of Ghana")).to_be_visible()
    after = queries.activities(demo_user("official")).count()  # and now what the other participants share
    assert after > before
    expect(page.get_by_role("link", name=readable(after))).to_be_visible()
    axe(page, "overview, taking part", found)
    return joined


def import_the_file(page: Page, path: Path, found: Found) -> None:
    """From the overview to the import form, the file shared with all participants; as for a file too large to
    import while its uploader waits, the page follows the task worker's import until the per-file report is there."""
    from django.core.management import call_command
    from django.test import override_settings

    page.locator("main").get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", name="Import funding", level=1)).to_be_visible()
    expect(page.locator("main form")).to_contain_text("Reported by Government of Ghana.")
    axe(page, "import", found)

    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_label("All participants in the mechanism").check()
    with override_settings(TASKS=AS_DEPLOYED):
        page.get_by_role("button", name="Import", exact=True).click()
        message(page).to_contain_text("The file is being imported: this page shows how far it has got.")
        expect(page.get_by_role("heading", name=f"Import of {GHANA_FILE}", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="Waiting for the task worker", level=2)).to_be_visible()
        expect(page.get_by_label("Waiting for the task worker to begin")).to_be_visible()  # the progress bar
        expect(page.locator("main")).not_to_contain_text("0 errors")
        axe(page, "import waiting for the worker", found)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)  # the import, then detection

    # The page asks again by itself and shows the report once the worker is done ("Check again" without JavaScript).
    expect(page.locator("main")).to_contain_text("Accepted: every activity in the file was imported.", timeout=20_000)
    expect(page.get_by_role("heading", name=f"Import of {GHANA_FILE}", level=1)).to_be_visible()
    expect(fact(page, "Member")).to_have_text("Government of Ghana")
    expect(fact(page, "Format")).to_contain_text("version 2.03")
    expect(fact(page, "Activities in the file")).to_have_text("1")
    expect(fact(page, "New")).to_have_text("1")
    expect(fact(page, "Updated")).to_have_text("0")
    expect(fact(page, "Unchanged")).to_have_text("0")
    expect(page.get_by_role("heading", name="0 errors", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_have_count(0)
    axe(page, "import report", found)


def candidate_with_germany(page: Page) -> Locator:
    return page.locator("ol.results > li").filter(has=page.get_by_role("link", name=GERMAN_TITLE, exact=True))


def review_the_overlap(page: Page, found: Found) -> Any:
    """From the overview's count to the candidate with Germany's record: its reasons, then "to coordinate"."""
    from coalition.donors.models import Overlap

    # Detection ran on the worker after the import committed (`import_the_file`).
    back_to_the_overview(page)
    page.get_by_role("link", name="1 possible overlap to review").click()
    expect(page.get_by_role("heading", name="Possible overlaps", level=1)).to_be_visible()
    candidate = candidate_with_germany(page)
    expect(candidate).to_have_count(1)
    expect(candidate.get_by_role("link", name=GHANA_TITLE, exact=True)).to_be_visible()
    expect(candidate).to_contain_text(f"{GERMAN_TITLE} — Government of Germany {GERMAN_ID}")
    expect(candidate).to_contain_text(f"{GHANA_TITLE} — Government of Ghana {GHANA_ID}")
    reasons = candidate.locator("p:has-text('Why:') + ul > li")
    expect(reasons).to_have_count(4)
    expect(reasons.nth(0)).to_contain_text(f"Both fund {FREEDOMS} in Kenya.")
    expect(reasons.nth(1)).to_contain_text(
        f"Their periods overlap from {GHANA_START} to {GHANA_END} (about 16 months), 100% of the shorter one."
    )
    expect(reasons.nth(2)).to_contain_text("The same implementer: internews.")
    expect(reasons.nth(3)).to_contain_text(re.compile(r"Similar descriptions \(\d+% alike\), sharing “"))
    expect(candidate).not_to_contain_text("likely duplicate")
    expect(candidate).to_contain_text("Review: Not reviewed")
    axe(page, "overlaps to review", found)

    candidate.get_by_label("To coordinate").check()
    candidate.get_by_label("Note").fill(NOTE)
    candidate.get_by_role("button", name="Save the review").click()

    message(page).to_contain_text("Overlap marked “To coordinate”.")
    saved = Overlap.objects.get(review=Overlap.Review.TO_COORDINATE)
    assert page.url.endswith(f"/donors/overlaps/?review=open#overlap-{saved.pk}")  # back to the queue it came from
    expect(candidate).to_have_count(0)  # reviewed, so no longer among those to review
    page.get_by_label("Review").select_option(label="To coordinate")
    page.get_by_role("button", name="Show").click()
    candidate = candidate_with_germany(page)
    expect(candidate).to_contain_text(f"Review: To coordinate — {NOTE}")
    expect(candidate.get_by_label("To coordinate")).to_be_checked()
    assert {saved.first.identifier, saved.second.identifier} == {GERMAN_ID, GHANA_ID}
    assert (saved.note, saved.reviewed_by) == (NOTE, demo_user("official"))
    axe(page, "overlaps, reviewed", found)
    return saved


def read_the_german_record(page: Page, found: Found) -> None:
    """Germany's record from the candidate: its amount as reported and converted at the rate named, and the review."""
    candidate_with_germany(page).get_by_role("link", name=GERMAN_TITLE, exact=True).click()
    expect(page.get_by_role("heading", name=GERMAN_TITLE, level=1)).to_be_visible()
    expect(fact(page, "Reported by")).to_have_text("Government of Germany")
    expect(fact(page, "Shared with")).to_have_text("All participants in the mechanism")
    converted = GERMAN_BUDGET * RATE
    expect(fact(page, "Total")).to_have_text(
        f"≈ USD {money(converted)} (counting the budgets: EUR {money(GERMAN_BUDGET)} as reported)"
    )
    budget = (
        page.get_by_role("region", name="Funding lines")
        .locator("tr")
        .filter(has=page.get_by_role("rowheader", name="Budget"))
    )
    expect(budget).to_contain_text(
        f"≈ USD {money(converted)} at 1 EUR = {RATE} USD, {RATE_SOURCE}, {RATE_ON.isoformat()}"
    )
    overlap = page.locator("#overlaps + ul > li")
    expect(overlap).to_have_count(1)
    expect(overlap.get_by_role("link", name=GHANA_TITLE, exact=True)).to_be_visible()
    expect(overlap).to_contain_text("(Government of Ghana)")
    expect(overlap).to_contain_text("· To coordinate")
    expect(page.get_by_role("heading", name="Sharing")).to_have_count(0)  # only Germany's people choose
    axe(page, "activity of another member", found)


def kenya_elsewhere(support: Any, ours: list[int]) -> tuple[Decimal, int]:
    """The demo's own funding in Kenya that the Support Unit reads (on other topics): its total and count."""
    from coalition.donors import queries

    others = list(queries.activities(support, country="KE").exclude(pk__in=ours))
    return sum((a.total for a in others if a.total is not None), Decimal(0)), len(others)


def the_support_unit_sees_the_heatmap(page: Page, joined: dt.date, ours: list[int], found: Found) -> None:
    """Ghana among the participants; Kenya on the heatmap with the two records converted; the other alignment and
    reference pages."""
    open_donor_coordination(page)
    participants = page.get_by_role("region", name="Members taking part")
    ghana = participants.locator("tr").filter(has=page.get_by_role("rowheader", name="Government of Ghana"))
    expect(ghana.locator("td").first).to_have_text(f"{joined:%Y-%m-%d}")
    axe(page, "overview of the Support Unit", found)

    page.locator("main").get_by_role("link", name="Heatmap", exact=True).click()
    expect(page.get_by_role("heading", name="Funding by country and policy topic", level=1)).to_be_visible()
    heatmap = page.locator("table.heatmap")
    columns = heatmap.locator("thead th").all_inner_texts()
    kenya = heatmap.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Kenya", exact=True))
    cells = kenya.locator("td")
    ours_converted = GERMAN_BUDGET * RATE + GHANA_BUDGET * RATE  # the only funding on this topic in Kenya
    expect(cells.nth(columns.index(FREEDOMS) - 1)).to_have_text(money(ours_converted))
    elsewhere, others = kenya_elsewhere(demo_user("support"), ours)
    expect(cells.nth(columns.index("Total") - 1)).to_have_text(money(ours_converted + elsewhere))
    expect(cells.nth(columns.index("Activities") - 1)).to_have_text(str(2 + others))
    axe(page, "heatmap", found)

    for link, heading in [
        ("Gaps", "Funding gaps"),
        ("Timeline", "Funding timeline"),
        ("Topic mapping", "Topic mapping"),
        ("Exchange rates", "Exchange rates"),
        ("Donor groups", "Donor groups"),
        ("Donor principles", "Donor principles"),
    ]:
        back_to_the_overview(page)
        page.locator("main").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        if link == "Gaps":  # the demo's open alert on Ethiopia
            ethiopia = page.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Ethiopia"))
            expect(ethiopia).to_contain_text("Open alert since")
        elif link == "Timeline":
            bars = page.locator("ol.tl-bars")
            expect(bars.get_by_role("link", name=GERMAN_TITLE, exact=True)).to_be_visible()
            expect(bars.get_by_role("link", name=GHANA_TITLE, exact=True)).to_be_visible()
        elif link == "Topic mapping":
            expect(page.locator("main")).to_contain_text("15160")
        elif link == "Exchange rates":
            rate = page.locator("tbody tr").filter(has_text=RATE_ON.isoformat())
            expect(rate.locator("th, td")).to_have_text(["EUR", RATE_ON.isoformat(), str(RATE), RATE_SOURCE])
        axe(page, heading, found)


def test_a_member_opts_in_imports_a_file_marks_an_overlap_to_coordinate_and_the_support_unit_sees_the_heatmap(
    sign_in: SignIn, second_browser: SignIn, german_record: Any, tmp_path: Path
) -> None:
    from coalition.core.policy import Tier
    from coalition.donors.models import FundingActivity

    found: Found = {}
    path = tmp_path / GHANA_FILE
    path.write_bytes(
        iati_activity(
            GHANA_ID,
            reporter="XM-DEMO-GH",
            title=GHANA_TITLE,
            description=GHANA_TEXT,
            start=GHANA_START,
            end=GHANA_END,
            budget=str(GHANA_BUDGET),
        )
    )

    official = sign_in("official")
    joined = join(official, found)
    import_the_file(official, path, found)
    ghanaian = FundingActivity.objects.get(reporter=member("GH"), identifier=GHANA_ID)
    assert ghanaian.tier == Tier.MECHANISM
    review_the_overlap(official, found)
    read_the_german_record(official, found)

    support = second_browser("support")
    the_support_unit_sees_the_heatmap(support, joined, [german_record.pk, ghanaian.pk], found)
    no_violations(found)


# --- What must be refused ---------------------------------------------------------------------------------------


def test_a_bilateral_record_is_read_by_the_member_it_names_and_by_no_third_member_taking_part(
    sign_in: SignIn, second_browser: SignIn, demo: dict[str, Any]
) -> None:
    from coalition.core.policy import Tier
    from coalition.donors import services

    found: Found = {}
    ghana, estonia = member("GH"), member("EE")
    services.join(organisation=ghana, by=demo_user("official"))
    assert services.takes_part(estonia)
    record = imported_for_germany(
        identifier="XM-DAC-5-JOURNEY-KE-2",
        title=BILATERAL_TITLE,
        description="Legal defence and secure newsroom tools for independent media in Kenya.",
        tier=Tier.BILATERAL,
        bilateral_with=[ghana],
    )
    path = f"/donors/activities/{record.pk}/"

    # Ghana, named on the record, finds it and reads it.
    named = sign_in("official")
    search_the_activities(named, "newsrooms")
    named.get_by_role("link", name=BILATERAL_TITLE, exact=True).click()
    expect(named.get_by_role("heading", name=BILATERAL_TITLE, level=1)).to_be_visible()
    assert named.url.endswith(path)
    expect(fact(named, "Shared with")).to_have_text("Bilateral, with named members")
    axe(named, "activity shared bilaterally, read by the member it names", found)

    # Estonia takes part but is not named: not in its list (which has Germany's record shared with all), not found
    # by the same search, not at its address.
    third = second_browser("focal")
    third.goto("/donors/activities/")
    expect(third.get_by_role("heading", name="Funding activities", level=1)).to_be_visible()
    expect(third.get_by_role("link", name=GERMANY_SHARED_WITH_ALL)).to_be_visible()
    expect(third.locator("main")).not_to_contain_text(BILATERAL_TITLE)
    axe(third, "activities of a third member", found)
    search_the_activities(third, "newsrooms")
    expect(third.locator("main")).to_contain_text("No funding activities to show.")
    assert status_of(third, path) == 404
    expect(third.locator("main")).not_to_contain_text(BILATERAL_TITLE)
    no_violations(found)
