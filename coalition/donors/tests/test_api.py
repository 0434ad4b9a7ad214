"""Donor coordination under /api/v1: the same sharing tiers as the pages, and a bilateral record's partners named
only to the people who speak for its reporter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from coalition.core.policy import Tier
from coalition.core.tests.clients import api_for
from coalition.donors import services
from coalition.donors.models import FundingActivity, Overlap
from coalition.donors.tests.conftest import funding, imported, needs_standard

pytestmark = [pytest.mark.django_db, needs_standard]

ACTIVITIES = "/api/v1/funding-activities/"
OVERLAPS = "/api/v1/funding-overlaps/"


@pytest.fixture
def people(member: Any, support: Any) -> dict[str, Any]:
    """NL and DE fund the same project in Kenya; FR shares a record bilaterally with NL and GB; NL has a public one."""
    found = {code: member(code) for code in ("NL", "DE", "FR", "GB")}
    for user in found.values():
        services.join(organisation=user.organisation, by=user)
    imported(found["NL"], funding("NL-1", country="KE"))
    imported(found["NL"], funding("NL-PUB", title="Open internet observatory", country="UG"), tier=Tier.PUBLIC)
    imported(found["DE"], funding("DE-1", country="KE"))
    imported(
        found["FR"],
        funding("FR-BI", title="Encrypted messaging", country="ET", description="Secure tools."),
        tier=Tier.BILATERAL,
        bilateral_with=[found["NL"].organisation, found["GB"].organisation],
    )
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1.085"), source="ECB")
    services.detect_overlaps()
    return found


def identifiers(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["identifier"] for row in response.json()["results"]}


def by_identifier(response: Any) -> dict[str, dict[str, Any]]:
    return {row["identifier"]: row for row in response.json()["results"]}


def test_the_list_holds_only_the_records_shared_with_the_caller(people: dict[str, Any], support: Any) -> None:
    assert identifiers(api_for(people["DE"]).get(ACTIVITIES)) == {"NL-1", "NL-PUB", "DE-1"}
    assert identifiers(api_for(people["NL"]).get(ACTIVITIES)) == {"NL-1", "NL-PUB", "DE-1", "FR-BI"}
    assert identifiers(api_for(support).get(ACTIVITIES)) == {"NL-1", "NL-PUB", "DE-1"}  # never a bilateral record
    assert identifiers(api_for(None).get(ACTIVITIES)) == {"NL-PUB"}


def test_a_bilateral_records_partners_are_named_to_its_reporter_only(people: dict[str, Any]) -> None:
    partner = by_identifier(api_for(people["NL"]).get(ACTIVITIES))["FR-BI"]
    assert partner["tier"] == "bilateral" and partner["bilateral_with"] is None
    own = by_identifier(api_for(people["FR"]).get(ACTIVITIES))["FR-BI"]
    assert sorted(member["name"] for member in own["bilateral_with"]) == ["Government of GB", "Government of NL"]
    pk = FundingActivity.objects.get(identifier="FR-BI").pk
    detail = api_for(people["GB"]).get(f"{ACTIVITIES}{pk}/")
    assert detail.status_code == 200 and detail.json()["bilateral_with"] is None
    assert "Government of NL" not in detail.content.decode()


def test_a_record_not_shared_with_the_caller_is_not_found(people: dict[str, Any], support: Any) -> None:
    pk = FundingActivity.objects.get(identifier="FR-BI").pk
    for user in (people["DE"], support, None):
        assert api_for(user).get(f"{ACTIVITIES}{pk}/").status_code == 404


def test_the_detail_names_each_amount_as_reported_and_its_conversion(people: dict[str, Any]) -> None:
    pk = FundingActivity.objects.get(identifier="NL-1").pk
    body = api_for(people["DE"]).get(f"{ACTIVITIES}{pk}/").json()
    assert body["reporter"]["name"] == "Government of NL" and body["total"] == "1085000.00"
    budget = next(line for line in body["lines"] if line["kind"] == "budget")
    assert (budget["value"], budget["currency"], budget["converted"]) == ("1000000.00", "EUR", "1085000.00")
    assert budget["rate"] == {"currency": "EUR", "on": "2024-01-01", "rate": "1.08500000", "source": "ECB"}


def test_the_list_is_filtered_and_a_bad_filter_is_a_400_naming_it(people: dict[str, Any]) -> None:
    client = api_for(people["NL"])
    assert identifiers(client.get(ACTIVITIES, {"country": "KE"})) == {"NL-1", "DE-1"}
    assert identifiers(client.get(ACTIVITIES, {"reporter": people["DE"].organisation.pk})) == {"DE-1"}
    assert identifiers(client.get(ACTIVITIES, {"q": "observatory"})) == {"NL-PUB"}
    bad = client.get(ACTIVITIES, {"topic": "football"})
    assert bad.status_code == 400 and "topic" in bad.json()


def test_overlaps_are_listed_to_whoever_reads_both_records(people: dict[str, Any]) -> None:
    found = api_for(people["DE"]).get(OVERLAPS).json()["results"]
    assert len(found) == 1
    pair = {found[0]["first"]["identifier"], found[0]["second"]["identifier"]}
    assert pair == {"NL-1", "DE-1"} and {r["kind"] for r in found[0]["reasons"]} >= {"country_topic", "period"}
    assert api_for(None).get(OVERLAPS).json()["results"] == []
    overlap = Overlap.objects.get()
    assert api_for(None).get(f"{OVERLAPS}{overlap.pk}/").status_code == 404
    assert api_for(people["DE"]).get(OVERLAPS, {"review": "to_coordinate"}).json()["results"] == []
