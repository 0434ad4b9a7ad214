"""Which topic an activity's money goes to (issue 15, item 12): a policy marker, or a sector wider than a topic, puts
money into a topic only where the activity's sectors or its own words support it. Each test failed before the fix."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from coalition.donors import queries, services, topic_words
from coalition.donors.models import DEFAULT_MAPPING, Allocation, FundingActivity, TopicMapping
from coalition.donors.tests.conftest import funding, imported, needs_standard

pytestmark = [pytest.mark.django_db, needs_standard]

GENDER, GOOD_GOVERNANCE = "1", "3"


def with_marker(activity: str, code: str, significance: str = "2") -> str:
    """The activity with a policy marker, where the 2.03 schema puts it (before the budget)."""
    marker = f'<policy-marker vocabulary="1" code="{code}" significance="{significance}"/>\n    '
    return activity.replace('<budget type="1"', marker + '<budget type="1"', 1)


def money_by_topic(activity: FundingActivity) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for allocation in Allocation.objects.filter(activity=activity):
        found[allocation.topic] = found.get(allocation.topic, Decimal(0)) + (allocation.amount or Decimal(0))
    return {topic: amount for topic, amount in found.items() if amount}


def the_activity(member: Any, activity: str) -> FundingActivity:
    imported(member("NL"), activity)
    return FundingActivity.objects.get()


# What real government files showed: work that is not digital, marked for gender or good governance.
NOT_DIGITAL = [
    (GENDER, "12264", "COVID-19 relief for women-headed households", "Food parcels and cash for 4,000 families."),
    (GENDER, "21020", "Steel bridges in the eastern provinces", "Replacing twelve river crossings with steel bridges."),
    (GENDER, "43082", "Research ship for the fisheries institute", "A research vessel for fish-stock surveys."),
    (GOOD_GOVERNANCE, "15111", "Public financial management reform", "Budget execution and treasury systems."),
    (GOOD_GOVERNANCE, "15220", "ICTJ 2013-2014", "Core subsidy to the International Center for Transitional Justice."),
]


@pytest.mark.parametrize(("marker", "sector", "title", "description"), NOT_DIGITAL)
def test_12_a_policy_marker_alone_puts_no_money_into_a_topic(
    member: Any, marker: str, sector: str, title: str, description: str
) -> None:
    activity = the_activity(
        member,
        with_marker(funding("XM-DAC-7-1", currency="USD", sector=sector, title=title, description=description), marker),
    )
    assert activity.topics == []
    assert money_by_topic(activity) == {"": Decimal("1000000.00")}


def test_12_a_marker_counts_where_the_activity_speaks_of_its_topic(member: Any) -> None:
    """Vocational training (11330, unmapped) marked for gender, whose text is about digital skills for girls."""
    activity = the_activity(
        member,
        with_marker(
            funding(
                "XM-DAC-7-1",
                currency="USD",
                sector="11330",
                title="Digital skills for girls",
                description="Coding clubs and internet access for girls in secondary schools.",
            ),
            GENDER,
        ),
    )
    assert activity.topics == ["inclusion"]
    assert money_by_topic(activity) == {"inclusion": Decimal("1000000.00")}


def test_12_a_marker_whose_topic_the_sectors_already_give_moves_no_money(member: Any) -> None:
    activity = the_activity(member, with_marker(funding("XM-DAC-7-1", currency="USD", sector="15153"), GOOD_GOVERNANCE))
    assert activity.topics == ["freedoms"]
    assert money_by_topic(activity) == {"freedoms": Decimal("1000000.00")}


@pytest.mark.parametrize(
    ("sector", "title", "description"),
    [
        ("22030", "Broadcast equipment", "Transmitters and studio equipment for the national broadcaster."),
        ("15160", "Reparations for conflict victims", "Compensation and psychosocial care for victims."),
        ("15151", "EU election observation mission", "Logistics and security for the observers."),
        ("43082", "Research grants", "Grants to the national research council."),
        ("15113", "Anti-corruption commission", "Support to the investigation unit."),
    ],
)
def test_12_a_sector_wider_than_a_topic_needs_the_text_to_name_it(
    member: Any, sector: str, title: str, description: str
) -> None:
    activity = the_activity(
        member, funding("XM-DAC-7-1", currency="USD", sector=sector, title=title, description=description)
    )
    assert activity.topics == []
    assert money_by_topic(activity) == {"": Decimal("1000000.00")}


@pytest.mark.parametrize(
    ("sector", "title", "topic"),
    [
        ("22030", "Printing press for an independent newspaper, training of journalists", "freedoms"),
        ("15160", "Protection of human rights defenders and freedom of expression", "freedoms"),
        ("15151", "Preventing internet shutdowns during the elections", "freedoms"),
        ("43082", "Research on artificial intelligence and human rights", "ai"),
        ("15210", "Parliamentary oversight of mass surveillance by the intelligence services", "surveillance"),
        ("22040", "Computers for district offices", "inclusion"),  # the code is the topic: no words needed
    ],
)
def test_12_a_sector_counts_where_the_text_names_its_topic(member: Any, sector: str, title: str, topic: str) -> None:
    activity = the_activity(
        member, funding("XM-DAC-7-1", currency="USD", sector=sector, title=title, description=title)
    )
    assert activity.topics == [topic]
    assert money_by_topic(activity) == {topic: Decimal("1000000.00")}


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Strengthening disease surveillance and response in the camps", set()),
        ("Mobile clinics and outreach for mobile populations", set()),
        ("ICTJ core subsidy", set()),
        ("Religious groups, the media, community leaders", set()),
        ("Tawilla (North Darfur) and AI Abassiya (South Kordofan)", set()),
        ("An online course and e-learning for judges", set()),
        ("Digital employability for young people", {"inclusion"}),
        ("Spyware used against journalists", {"surveillance", "freedoms"}),
        ("Audit of AI systems in welfare", {"ai"}),
        ("Liberté d'expression et accès numérique", {"freedoms", "inclusion"}),
    ],
)
def test_12_the_words_of_a_topic_are_phrases_that_do_not_mislead_on_real_files(text: str, topics: set[str]) -> None:
    assert topic_words.spoken_of(text) == topics


def test_12_the_support_unit_can_make_a_sector_count_only_where_the_text_says(member: Any, support: Any) -> None:
    nl = member("NL")
    imported(nl, funding("NL-1", sector="15110", title="Tax administration"))
    services.set_mapping(by=support, kind="sector", code="15110", topic="surveillance", needs_text=True)
    assert FundingActivity.objects.get().topics == []
    mapping = TopicMapping.objects.get(code="15110")
    assert mapping.needs_text
    services.set_mapping(by=support, kind="marker", code="4", topic="ai", needs_text=False)
    assert TopicMapping.objects.get(kind="marker", code="4").needs_text  # a marker always needs the words
    assert list(queries.activities(nl, topic="surveillance")) == []


# --- Existing installs ----------------------------------------------------------------------------------------------

UPDATE = importlib.import_module("coalition.donors.migrations.0004_topic_mapping_needs_text")
OLD = importlib.import_module("coalition.donors.migrations.0002_default_topic_mapping").DEFAULT_MAPPING_2026_11


def as_installed_before(edited: dict[tuple[str, str, str], str], removed: set[tuple[str, str, str]], by: Any) -> None:
    """The mapping as migration 0002 left it, then the Support Unit's edits (a note changed, a row removed)."""
    TopicMapping.objects.all().delete()
    for kind, code, topic, why in OLD:
        if (kind, code, topic) in removed:
            continue
        note = edited.get((kind, code, topic), why)
        TopicMapping.objects.create(
            kind=kind, code=code, topic=topic, note=note, changed_by=by if note != why else None
        )


def test_12_the_migration_brings_rows_nobody_edited_to_the_new_default_and_keeps_edits(
    member: Any, support: Any
) -> None:
    edited = {("sector", "43082", "ai"): "Our AI research council"}
    removed = {("sector", "15160", "freedoms")}
    as_installed_before(edited, removed, support)
    nl = member("NL")
    bridges = funding("NL-1", currency="USD", sector="21020", title="Steel bridges", description="Twelve crossings.")
    imported(nl, with_marker(bridges, GENDER))
    FundingActivity.objects.update(topics=["inclusion"])  # what the old mapping made of it
    Allocation.objects.update(topic="inclusion")

    UPDATE.update_default_mapping(apps, None)

    rows = {(m.kind, m.code, m.topic): m for m in TopicMapping.objects.all()}
    new = {(kind, code, topic): needs for kind, code, topic, _why, needs in DEFAULT_MAPPING}
    assert ("sector", "15113", "surveillance") not in rows  # an untouched row the new default drops
    assert rows[("sector", "43082", "ai")].note == "Our AI research council"  # edited: kept as the admin left it
    assert not rows[("sector", "43082", "ai")].needs_text
    assert ("sector", "15160", "freedoms") not in rows  # removed by the admin: not put back
    assert rows[("sector", "15163", "freedoms")].note  # new in the default: added
    untouched = set(new) - set(edited) - removed
    assert {key: rows[key].needs_text for key in untouched} == {key: new[key] for key in untouched}
    activity = FundingActivity.objects.get()
    assert activity.topics == []
    assert money_by_topic(activity) == {"": Decimal("1000000.00")}
