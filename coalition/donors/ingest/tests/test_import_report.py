"""What the import report says of an accepted file (issue 15, item 17): a currency no rate converts, a file another
publisher reports, and the same activity seemingly reported several times. Each test failed before the fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from coalition.donors import services
from coalition.donors.models import FundingActivity, ImportBatch
from coalition.donors.tests.conftest import IATI, funding, iati_file, imported, needs_standard

pytestmark = [pytest.mark.django_db, needs_standard]


def warned(batch: ImportBatch, *words: str) -> list[dict[str, Any]]:
    return [w for w in batch.warnings if all(word in w["message"] for word in words)]


# --- A missing exchange rate ----------------------------------------------------------------------------------------


def test_17_a_currency_without_a_rate_is_named_in_the_import_report_with_its_activities(member: Any) -> None:
    nl = member("NL")
    batch = imported(nl, funding("XM-DAC-7-1", currency="GBP"), funding("XM-DAC-7-2", currency="GBP"))
    [warning] = warned(batch, "no exchange rate for GBP")
    assert "2 activities" in warning["message"] and "XM-DAC-7-1, XM-DAC-7-2" in warning["message"]
    assert warning["line"] == 3  # the first activity it names
    assert FundingActivity.objects.filter(total__isnull=True).count() == 2  # what the warning says, still true


def test_17_a_currency_with_a_rate_or_the_mechanisms_own_is_not_warned_of(member: Any, support: Any) -> None:
    services.add_rate(by=support, currency="GBP", on=dt.date(2020, 1, 1), rate=Decimal("1.3"), source="ECB")
    nl = member("NL")
    batch = imported(nl, funding("XM-DAC-7-1", currency="GBP"), funding("XM-DAC-7-2", currency="USD"))
    assert warned(batch, "no exchange rate") == []


# --- Another publisher ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reporter", "kind", "said"),
    [
        ("GB-GOV-1", "10", "a publisher of GB"),
        ("XM-DAC-12", "10", "a publisher of GB"),
        ("XM-DAC-47066", "40", "a multilateral organisation"),
        ("GB-CHC-1234567", "21", "an international NGO"),
    ],
)
def test_17_a_file_another_publisher_reports_is_imported_with_a_warning(
    member: Any, reporter: str, kind: str, said: str
) -> None:
    nl = member("NL")
    activity = funding("XM-DAC-7-1", reporter=reporter).replace(
        f'<reporting-org ref="{reporter}" type="10">', f'<reporting-org ref="{reporter}" type="{kind}">'
    )
    batch = imported(nl, activity)
    [warning] = warned(batch, "reporting-org", said)
    assert reporter in warning["message"] and warning["line"] == 3


@pytest.mark.parametrize("reporter", ["XM-DAC-7", "NL-1", "XM-DAC-7-PPR", ""])
def test_17_the_members_own_publisher_is_not_warned_of(member: Any, reporter: str) -> None:
    nl = member("NL")
    batch = imported(nl, funding("XM-DAC-7-1", reporter=reporter))
    assert warned(batch, "reporting-org") == []


def test_17_the_real_iom_file_imported_by_a_government_says_whose_file_it_is(member: Any) -> None:
    nl = member("NL")
    path = IATI / "real-activities" / "IOM-XM-DAC-47066_577-activities_2.03.xml"
    batch = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    [warning] = warned(batch, "reporting-org")
    assert "577 activities" in warning["message"] and "XM-DAC-47066" in warning["message"]
    assert "a multilateral organisation" in warning["message"]
    own = IATI / "real-activities" / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"
    batch = services.import_file(own, file_name=own.name, reporter=nl.organisation, by=nl)
    assert warned(batch, "reporting-org") == []


# --- Near-duplicates within one member's file -----------------------------------------------------------------------


def test_17_the_same_title_dates_and_amount_three_times_are_all_named_in_the_report(member: Any) -> None:
    nl = member("NL")
    same = {"title": "Digital rights defenders", "start": "2024-01-01", "end": "2025-12-31", "budget": "250000"}
    activities = [
        funding("XM-DAC-7-1", **same),
        funding("XM-DAC-7-2", **same, implementer="Another NGO"),
        funding("XM-DAC-7-3", **{**same, "title": "Digital rights  defenders."}),  # spacing and a full stop
        funding("XM-DAC-7-4", **{**same, "budget": "250001"}),  # another amount: another activity
        funding("XM-DAC-7-5", **{**same, "end": "2026-12-31"}),  # other dates
    ]
    data = iati_file(*activities)
    lines = [n for n, text in enumerate(data.decode().splitlines(), start=1) if "<iati-activity " in text]
    batch = services.import_file(data, file_name="activities.xml", reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    [warning] = warned(batch, "same title, dates")
    assert warning["message"].startswith("3 activities have the same title, dates (2024-01-01 to 2025-12-31)")
    assert "XM-DAC-7-1 (line {}); XM-DAC-7-2 (line {}); XM-DAC-7-3 (line {})".format(*lines[:3]) in warning["message"]
    assert "XM-DAC-7-4" not in warning["message"] and "XM-DAC-7-5" not in warning["message"]
    assert (warning["line"], warning["identifier"]) == (lines[0], "XM-DAC-7-1")
    assert FundingActivity.objects.count() == 5  # said, not refused: tranches of one grant can look alike
