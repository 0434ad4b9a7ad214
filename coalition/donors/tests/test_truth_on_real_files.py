"""What real donor files showed (issue 15, donor coordination): each test names its item and failed before the fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from coalition.core.policy import Tier
from coalition.core.tests.clients import text_of
from coalition.directory.models import Country
from coalition.donors import money, queries, services
from coalition.donors.models import Allocation, FundingActivity, ImportBatch, Overlap
from coalition.donors.tests.conftest import IATI, funding, iati_file, imported, needs_standard
from coalition.donors.tests.test_views import browser

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


# --- Item 10: a programme's money counted once across its hierarchy -------------------------------------------------


def part_of(parent: str) -> str:
    return f'<related-activity ref="{parent}" type="1"/>'


def with_parts(*components: str) -> str:
    return "".join(f'<related-activity ref="{component}" type="2"/>' for component in components)


def at_level(activity: str, level: int) -> str:
    return activity.replace("<iati-activity ", f'<iati-activity hierarchy="{level}" ', 1)


def programme(
    parent: str = "NL-P", budget: str = "1000000", parts: str = "500000", *, both_ways: bool = False
) -> list[str]:
    """A programme of 1 M with two components of 0.5 M each that name it as their parent (type 1); with
    `both_ways`, the programme also names them (type 2)."""
    components = ("NL-P-1", "NL-P-2")
    top = funding(parent, currency="USD", budget=budget, extra=with_parts(*components) if both_ways else "")
    return [top] + [
        at_level(funding(c, currency="USD", budget=parts, title=f"Component {c}", extra=part_of(parent)), 2)
        for c in components
    ]


def test_10_a_programme_and_its_two_components_count_their_money_once(member: Any) -> None:
    """A parent of 1 M and two parts of 0.5 M showed 2 M: only the lowest level that reports money counts."""
    nl = member("NL")
    imported(nl, *programme())
    heatmap = queries.heatmap(nl)
    assert heatmap.total == Decimal("1000000.00")
    assert [(row.country, row.total, row.activities) for row in heatmap.rows] == [("KE", Decimal("1000000.00"), 2)]
    assert heatmap.activities == 2 and heatmap.counted_below == 1


def test_10_a_programme_naming_its_components_with_type_2_alone_is_counted_once(member: Any) -> None:
    nl = member("NL")
    parts = [funding(c, currency="USD", budget="500000") for c in ("NL-P-1", "NL-P-2")]
    imported(nl, funding("NL-P", currency="USD", extra=with_parts("NL-P-1", "NL-P-2")), *parts)
    assert queries.heatmap(nl).total == Decimal("1000000.00")
    assert FundingActivity.objects.get(identifier="NL-P").component_identifiers == ["NL-P-1", "NL-P-2"]


def test_10_a_programme_whose_components_report_no_money_is_counted_itself(member: Any) -> None:
    nl = member("NL")
    imported(nl, *programme(parts="0", both_ways=True))
    heatmap = queries.heatmap(nl)
    assert heatmap.total == Decimal("1000000.00") and heatmap.counted_below == 0


def test_10_components_in_a_later_file_take_over_from_their_programme(member: Any) -> None:
    nl = member("NL")
    top, *parts = programme()
    imported(nl, top, file_name="programme.xml")
    assert queries.heatmap(nl).total == Decimal("1000000.00")
    imported(nl, parts[0], file_name="component.xml")
    assert queries.heatmap(nl).total == Decimal("500000.00")  # what the lowest level reports, once


def test_10_three_levels_count_only_the_lowest_that_reports_money(member: Any) -> None:
    nl = member("NL")
    top = funding("NL-G", currency="USD", budget="2000000")
    middle = at_level(funding("NL-P", currency="USD", budget="1000000", extra=part_of("NL-G")), 2)
    lowest = [
        at_level(funding(c, currency="USD", budget="400000", extra=part_of("NL-P")), 3) for c in ("NL-P-1", "NL-P-2")
    ]
    sibling = at_level(funding("NL-Q", currency="USD", budget="300000", extra=part_of("NL-G")), 2)
    imported(nl, top, middle, *lowest, sibling)
    heatmap = queries.heatmap(nl)
    assert heatmap.total == Decimal("1100000.00")  # 0.4 + 0.4 + 0.3: neither NL-P nor NL-G counts
    assert heatmap.counted_below == 2


def test_10_each_stage_and_year_counts_the_lowest_level_reporting_there(member: Any) -> None:
    """The programme reports a budget and a commitment; its components report commitments only (budget 0 is a
    placeholder): the planned stage counts the programme, the committed stage the components."""
    nl = member("NL")
    imported(nl, *programme())
    for activity in FundingActivity.objects.exclude(identifier="NL-P"):
        activity.lines.filter(kind="budget").delete()
    assert queries.heatmap(nl, stage="committed").total == Decimal("1000000.00")
    assert queries.heatmap(nl, stage="planned").total == Decimal("1000000.00")
    assert queries.heatmap(nl, stage="committed", year=2024).total == Decimal("1000000.00")
    assert queries.heatmap(nl, stage="planned", year=2025).total == Decimal(
        "499316.01"
    )  # the programme's 2025 (365 of 731 days)


def test_10_the_timeline_and_the_country_note_count_each_amount_once(member: Any) -> None:
    nl = member("NL")
    imported(nl, *programme())
    by_year = queries.timeline(nl).by_year
    assert sum((stages.get("committed", Decimal(0)) for stages in by_year.values()), Decimal(0)) == Decimal(
        "1000000.00"
    )
    kenya = Country.objects.get(code="KE")
    assert "(USD 1,000,000)" in queries.funding_note(nl, kenya)


def test_10_a_component_a_reader_cannot_see_leaves_the_programme_counted_for_them(member: Any) -> None:
    """The decision is taken among what each reader may see: a hidden component neither changes nor betrays what
    its programme counts for them."""
    nl, de, se = member("NL"), member("DE"), member("SE")
    for user in (nl, de, se):
        services.join(organisation=user.organisation, by=user)
    top, *parts = programme()
    imported(nl, top, file_name="programme.xml")
    imported(nl, *parts, tier=Tier.BILATERAL, bilateral_with=[de.organisation], file_name="components.xml")
    assert queries.heatmap(se).total == Decimal("1000000.00")  # reads the programme alone
    assert queries.heatmap(de).total == Decimal("1000000.00")  # reads all three: the components count
    assert queries.heatmap(de).counted_below == 1 and queries.heatmap(se).counted_below == 0


def test_10_the_pages_and_the_import_report_say_which_level_was_counted(member: Any) -> None:
    nl = member("NL")
    batch = imported(nl, *programme())
    notes = [w for w in batch.warnings if w["kind"] == "amount"]
    assert [(w["identifier"], "NL-P-1, NL-P-2" in w["message"]) for w in notes] == [("NL-P", True)]
    client = browser(nl)
    parent = text_of(client.get(reverse("donors:activity", args=[FundingActivity.objects.get(identifier="NL-P").pk])))
    assert "No: its components report their own amounts" in parent
    assert "Component NL-P-1" in parent and "Component NL-P-2" in parent
    part = text_of(client.get(reverse("donors:activity", args=[FundingActivity.objects.get(identifier="NL-P-1").pk])))
    assert "Yes, at this level, in place of the own amounts of:" in part
    heatmap = text_of(client.get(reverse("donors:heatmap")))
    assert "1 programme's own amounts are left out: its components report theirs" in heatmap


def test_10_a_component_naming_no_parent_is_named_in_the_import_report(member: Any) -> None:
    nl = member("NL")
    batch = imported(nl, at_level(funding("NL-P-1", currency="USD"), 2))
    assert [w["identifier"] for w in batch.warnings if "hierarchy level 2 but names no parent" in w["message"]] == [
        "NL-P-1"
    ]
    imported(nl, funding("NL-P", currency="USD", extra=with_parts("NL-P-9")), file_name="programme.xml")
    later = imported(nl, at_level(funding("NL-P-9", currency="USD"), 2), file_name="component.xml")
    assert not [w for w in later.warnings if "names no parent" in w["message"]]  # the programme named it


# --- Item 14: negative amounts netted as IATI defines them ---------------------------------------------------------


def commitment(value: str, on: str) -> str:
    return (
        f'<transaction><transaction-type code="2"/><transaction-date iso-date="{on}"/>'
        f'<value value-date="{on}">{value}</value></transaction>'
    )


def only_commitments(identifier: str, *values: tuple[str, str]) -> str:
    """An activity whose budget is a placeholder of 0, so that its total counts its commitments."""
    activity = funding(identifier, currency="USD", budget="0")
    return activity.replace(
        '<value value-date="2024-01-01">0</value>\n    </transaction>',
        '<value value-date="2024-01-01">0</value>\n    </transaction>' + "".join(commitment(*v) for v in values),
    )


def test_14_a_reversal_beyond_what_was_reported_never_makes_a_country_total_negative(member: Any) -> None:
    """A file that reports the reversal but not the commitment it reverses made Kenya's total negative."""
    nl = member("NL")
    imported(
        nl,
        only_commitments("NL-1", ("-250000", "2024-06-01")),
        only_commitments("NL-2", ("100000", "2024-01-01")),
    )
    assert FundingActivity.objects.get(identifier="NL-1").total == 0
    for stage in ("", "committed"):
        heatmap = queries.heatmap(nl, stage=stage)
        assert [(row.country, row.total) for row in heatmap.rows] == [("KE", Decimal("100000.00"))]
        assert all(amount >= 0 for amount in heatmap.totals.values())


def test_14_a_reversal_is_netted_against_the_commitment_it_corrects(member: Any) -> None:
    """IATI's own example: a commitment of 10,000 lowered to 8,000 is published as 10,000 then -2,000."""
    nl = member("NL")
    imported(nl, only_commitments("NL-1", ("10000", "2024-01-01"), ("-2000", "2025-06-01")))
    assert FundingActivity.objects.get().total == Decimal("8000.00")
    assert queries.heatmap(nl, stage="committed", year=2024).total == Decimal("8000.00")
    assert queries.heatmap(nl, stage="committed", year=2025).total == 0  # not -2,000 in the year of the correction
    assert queries.timeline(nl).by_year[2025].get("committed", Decimal(0)) == 0


def test_14_a_negative_budget_is_left_out_and_the_next_kind_counts(member: Any) -> None:
    """IATI: budget values should not be negative (a lower budget is a revised budget), so none is netted."""
    nl = member("NL")
    imported(
        nl,
        funding("NL-1", currency="USD", budget="-500000").replace(
            ">-500000</value>\n    </transaction>", ">300000</value>\n    </transaction>"
        ),
    )
    activity = FundingActivity.objects.get()
    assert (activity.total, activity.total_basis) == (Decimal("300000.00"), "commitments")
    assert queries.heatmap(nl, stage="planned").total == 0


def test_14_the_import_report_and_the_pages_say_where_negatives_were_netted(member: Any) -> None:
    nl = member("NL")
    batch = imported(
        nl,
        only_commitments("NL-1", ("10000", "2024-01-01"), ("-2000", "2025-06-01")),
        funding("NL-2", currency="USD", budget="-5"),
        only_commitments("NL-3", ("-7", "2024-01-01")),
    )
    notes = {(w["identifier"], w["message"]) for w in batch.warnings if w["kind"] == "amount"}
    assert notes == {
        ("NL-1", "1 negative commitment (USD -2,000.00) netted against its earlier commitments"),
        (
            "NL-2",
            "1 negative budget (USD -5.00) left out of the totals: IATI budgets and forecasts are never negative "
            "(a lower budget is reported as a revised budget)",
        ),
        (
            "NL-2",
            "1 negative commitment (USD -5.00) netted against its earlier commitments; USD 5.00 beyond what it "
            "reports is not counted, so its commitments count as no less than 0",
        ),
        (
            "NL-3",
            "1 negative commitment (USD -7.00) netted against its earlier commitments; USD 7.00 beyond what it "
            "reports is not counted, so its commitments count as no less than 0",
        ),
    }
    client = browser(nl)
    page = text_of(client.get(reverse("donors:activity", args=[FundingActivity.objects.get(identifier="NL-1").pk])))
    assert "A reversal: netted against the activity’s other commitments." in page
    assert "1 negative commitment (USD -2,000.00) netted against its earlier commitments" in page
    report = text_of(client.get(reverse("donors:batch", args=[batch.pk])))
    assert "netted against its earlier commitments" in report
    heatmap = text_of(client.get(reverse("donors:heatmap")))
    assert "3 activities report negative amounts: reversals are netted" in heatmap


@pytest.mark.realdata
@needs_standard
def test_14_the_real_dutch_file_nets_its_lowered_commitments_and_names_them(member: Any, support: Any) -> None:
    """9 of the 13 activities of the Netherlands' file lower a commitment with a negative one; each nets to what it
    disbursed, and the report names all nine."""
    path = IATI / "real-activities" / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"
    nl = member("NL")
    services.add_rate(by=support, currency="EUR", on=dt.date(2010, 1, 1), rate=Decimal("1"), source="parity")
    batch = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors[:3]
    netted = sorted(w["identifier"] for w in batch.warnings if "netted against its earlier commitments" in w["message"])
    assert len(netted) == 9 and "NL-1-PPR-28385" in netted
    for activity in FundingActivity.objects.filter(identifier__in=netted):
        lines = list(activity.lines.all())
        committed = sum((line.converted or 0 for line in money.stage_lines(lines, "committed")), Decimal(0))
        assert committed == sum((line.value for line in lines if line.kind == "commitment"), Decimal(0)) > 0
    assert all(cell >= 0 for row in queries.heatmap(nl, stage="committed").rows for cell in row.cells.values())
