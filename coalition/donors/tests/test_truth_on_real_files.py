"""What real donor files showed (issue 15, donor coordination): each test names its item and failed before the fix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from coalition.donors import services
from coalition.donors.models import Allocation, FundingActivity, ImportBatch, Overlap
from coalition.donors.tests.conftest import funding, iati_file, imported

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


PLACEHOLDER_IMPLEMENTERS = [
    ("", "N/A"),
    ("", "NA"),
    ("", "none"),
    ("", "Unknown"),
    ("", "TBD"),
    ("", "-"),
    ("", "0"),
    ("", "Other national NGO"),
    ("", "Private sector"),
    ("", "Government"),
    ("", "Multilateral"),
    ("", "International NGO"),
    ("", "Academic, Training and Research"),
    ("", "Various implementing partners"),
    ("", "The Government"),
    ("21", "21"),
    ("N/A", "Other national NGO"),
    ("-", "Not applicable"),
    ("0", ""),
    ("NGO", "National NGO"),
]


@pytest.mark.parametrize(("ref", "name"), PLACEHOLDER_IMPLEMENTERS)
def test_13_a_placeholder_implementer_gives_no_implementer_key(member: Any, ref: str, name: str) -> None:
    nl = member("NL")
    imported(nl, funding("XM-DAC-7-1", implementer=name, implementer_ref=ref))
    assert FundingActivity.objects.get().implementers == []


def test_13_two_members_naming_the_same_category_code_are_not_the_same_implementer(member: Any) -> None:
    """Real files name "Other national NGO" (an organisation-type label) as the implementer of hundreds of
    activities; two of them with unrelated descriptions were offered as overlaps for "the same implementer"."""
    nl, se = member("NL"), member("SE")
    category = "Other national NGO"
    imported(nl, funding("NL-1", implementer=category, description="Roads in the north."), file_name="a.xml")
    imported(se, funding("SE-1", implementer=category, description="Schools for girls."), file_name="b.xml")
    services.detect_overlaps()
    assert not Overlap.objects.exists()


@pytest.mark.parametrize(
    ("ref", "name", "key"),
    [
        ("XM-DAC-41301", "Other multilateral", "XM-DAC-41301"),
        ("GB-CHC-1234567", "", "GB-CHC-1234567"),
        ("N/A", "Legal Policy Research Centre", "legal policy research centre"),
        ("", "National Democratic Institute", "national democratic institute"),
        ("", "Government of Kenya", "government of kenya"),
        ("", "Open Society Foundations", "open society foundations"),
    ],
)
def test_13_a_real_identifier_or_name_still_gives_an_implementer_key(
    member: Any, ref: str, name: str, key: str
) -> None:
    nl = member("NL")
    imported(nl, funding("XM-DAC-7-1", implementer=name, implementer_ref=ref))
    assert FundingActivity.objects.get().implementers == [key]


def test_13_two_members_naming_the_same_real_identifier_are_the_same_implementer(member: Any) -> None:
    nl, se = member("NL"), member("SE")
    ref = "GB-CHC-1234567"
    imported(nl, funding("NL-1", implementer_ref=ref, description="Roads in the north."), file_name="a.xml")
    imported(se, funding("SE-1", implementer_ref=ref, description="Schools for girls."), file_name="b.xml")
    services.detect_overlaps()
    assert [reason["kind"] for reason in Overlap.objects.get().reasons if reason["kind"] == "implementer"] == [
        "implementer"
    ]


def refused_or_accepted(user: Any, activity: str) -> Any:
    return services.import_file(
        iati_file(activity), file_name="activities.xml", reporter=user.organisation, by=user, tier="mechanism"
    )


BUDGET_ITEM = (
    '<country-budget-items vocabulary="4"><budget-item code="1.1.1" percentage="half"/></country-budget-items>'
)


def test_15_a_bad_attribute_on_a_budget_item_is_a_warning_and_the_file_is_imported(member: Any) -> None:
    """The platform never stores <country-budget-items>: a finding inside it must not refuse a whole file."""
    nl = member("NL")
    batch = refused_or_accepted(nl, funding("XM-DAC-7-1").replace(ONE_SECTOR, ONE_SECTOR + BUDGET_ITEM))
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    assert any("budget-item" in warning["message"] for warning in batch.warnings)
    assert FundingActivity.objects.filter(identifier="XM-DAC-7-1").exists()


def test_15_an_aid_type_of_another_vocabulary_is_a_warning_and_the_file_is_imported(member: Any) -> None:
    nl = member("NL")
    aid_type = '<default-aid-type code="B01" vocabulary="2" share="all"/>'
    batch = refused_or_accepted(nl, funding("XM-DAC-7-1").replace(ONE_SECTOR, ONE_SECTOR + aid_type))
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    assert any("default-aid-type" in warning["message"] for warning in batch.warnings)


def test_15_codes_the_platform_never_stores_are_warnings(member: Any) -> None:
    """Flow, finance and aid types are read but never stored; an unknown one is reported, not refused."""
    nl = member("NL")
    codes = '<default-flow-type code="999"/><default-finance-type code="999"/><default-aid-type code="Z99"/>'
    batch = refused_or_accepted(nl, funding("XM-DAC-7-1").replace(ONE_SECTOR, ONE_SECTOR + codes))
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    found = {warning["message"] for warning in batch.warnings}
    assert "default-flow-type code “999” is not in the FlowType codelist" in found
    assert "default-aid-type code “Z99” is not in the AidType codelist" in found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('<recipient-country code="KE"', '<recipient-country code="XX"'),
        ('<sector vocabulary="1" code="15160"', '<sector vocabulary="1" code="99999"'),
        ('<value value-date="2024-01-01">1000000</value>', "<value>a lot</value>"),
        ('<transaction-date iso-date="2024-01-01"/>', '<transaction-date iso-date="first of January"/>'),
        ('<participating-org role="4" type="21"', '<participating-org role="4" type="99"'),
        ('default-currency="EUR"', 'default-currency="EUROS"'),
    ],
)
def test_15_a_problem_in_what_the_platform_relies_on_still_refuses_the_file(member: Any, old: str, new: str) -> None:
    nl = member("NL")
    activity = funding("XM-DAC-7-1")
    assert old in activity
    batch = refused_or_accepted(nl, activity.replace(old, new, 1))
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    assert not FundingActivity.objects.exists()
