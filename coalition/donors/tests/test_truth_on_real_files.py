"""What real donor files showed (issue 15, donor coordination): each test names its item and failed before the fix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from coalition.donors.models import Allocation, FundingActivity
from coalition.donors.tests.conftest import funding, imported

pytestmark = pytest.mark.django_db

ONE_COUNTRY = '<recipient-country code="KE" percentage="100"/>'
ONE_SECTOR = '<sector vocabulary="1" code="15160" percentage="100"/>'


def money_by_country(activity: FundingActivity) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for allocation in Allocation.objects.filter(activity=activity):
        found[allocation.country] = found.get(allocation.country, Decimal(0)) + (allocation.amount or Decimal(0))
    return {country: amount for country, amount in found.items() if amount}


def test_9_a_country_at_100_percent_takes_all_the_money_beside_a_region_without_a_percentage(member: Any) -> None:
    """A real Spanish file: every activity names its country at 100 % and its region with no percentage; half of
    all its money went to "Regional or unspecified"."""
    nl = member("NL")
    places = ONE_COUNTRY + '<recipient-region code="289" vocabulary="1"/>'
    imported(nl, funding("XM-DAC-7-1", currency="USD").replace(ONE_COUNTRY, places))
    activity = FundingActivity.objects.get()
    assert money_by_country(activity) == {"KE": Decimal("1000000.00")}


def test_9_what_the_given_percentages_leave_is_shared_among_the_places_given_none(member: Any) -> None:
    nl = member("NL")
    places = (
        '<recipient-country code="KE" percentage="60"/><recipient-country code="UG"/>'
        '<recipient-region code="289" vocabulary="1"/>'
    )
    imported(nl, funding("XM-DAC-7-1", currency="USD").replace(ONE_COUNTRY, places))
    activity = FundingActivity.objects.get()
    assert money_by_country(activity) == {
        "KE": Decimal("600000.00"),
        "UG": Decimal("200000.00"),
        "": Decimal("200000.00"),
    }


def test_9_sectors_follow_the_same_rule_as_places(member: Any) -> None:
    nl = member("NL")
    sectors = '<sector vocabulary="1" code="15160" percentage="100"/><sector vocabulary="1" code="72010"/>'
    imported(nl, funding("XM-DAC-7-1", currency="USD").replace(ONE_SECTOR, sectors))
    activity = FundingActivity.objects.get()
    by_topic: dict[str, Decimal] = {}
    for allocation in Allocation.objects.filter(activity=activity):
        by_topic[allocation.topic] = by_topic.get(allocation.topic, Decimal(0)) + (allocation.amount or Decimal(0))
    assert by_topic.get("", Decimal(0)) == 0  # 72010 (emergency food) maps to no topic and was given no share
    assert sum(by_topic.values(), Decimal(0)) == activity.total


def test_9_places_without_any_percentage_share_the_money_equally(member: Any) -> None:
    nl = member("NL")
    places = '<recipient-country code="KE"/><recipient-country code="UG"/>'
    imported(nl, funding("XM-DAC-7-1", currency="USD").replace(ONE_COUNTRY, places))
    activity = FundingActivity.objects.get()
    assert money_by_country(activity) == {"KE": Decimal("500000.00"), "UG": Decimal("500000.00")}
