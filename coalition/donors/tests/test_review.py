"""Correctness review of donor coordination (issue 8): money split, totals by year and stage, and the cost of
re-mapping and re-converting every record. Each test states the behaviour the review found missing."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.donors import queries, services
from coalition.donors.models import Allocation, FundingActivity, Overlap
from coalition.donors.tests.conftest import funding, imported
from coalition.donors.tests.test_views import browser
from coalition.donors.views import overlaps as views

pytestmark = pytest.mark.django_db

START = '<activity-date type="1" iso-date="2024-01-01"/>\n'
ONE_SECTOR = '<sector vocabulary="1" code="15160" percentage="100"/>'


def _transaction(code: str, value: str, day: str = "2024-01-01") -> str:
    return f"""
    <transaction>
      <transaction-type code="{code}"/><transaction-date iso-date="{day}"/>
      <value value-date="{day}">{value}</value>
    </transaction>"""


def test_sector_percentages_that_do_not_add_up_to_100_still_allocate_the_whole_total(member: Any) -> None:
    """Country shares are scaled to the whole; sector shares were not, so 50 % + 30 % lost a fifth of the money
    from the heatmap (IATI files do carry such percentages)."""
    nl = member("NL")
    sectors = '<sector vocabulary="1" code="15160" percentage="50"/>' + (
        '<sector vocabulary="1" code="15150" percentage="30"/>'
    )
    imported(nl, funding("XM-DAC-7-1", currency="USD").replace(ONE_SECTOR, sectors))
    activity = FundingActivity.objects.get()
    assert activity.total == Decimal("1000000.00")
    allocations = list(Allocation.objects.filter(activity=activity))
    assert sum(a.share for a in allocations) == Decimal(1)
    assert sum(a.amount or Decimal(0) for a in allocations) == activity.total
    assert queries.heatmap(nl).total == activity.total


def test_the_timeline_by_year_counts_the_lines_of_activities_without_a_start_date(member: Any) -> None:
    """An activity with only a planned end date has dated lines; the amounts by year dropped them."""
    nl = member("NL")
    imported(
        nl,
        funding("XM-DAC-7-1", currency="USD"),
        funding("XM-DAC-7-2", currency="USD").replace(START, ""),
    )
    assert FundingActivity.objects.get(identifier="XM-DAC-7-2").starts_on is None
    found = queries.timeline(nl)
    assert found.by_year[2024]["committed"] == Decimal("2000000")


def test_incoming_commitments_are_not_the_reporters_committed_funding(member: Any) -> None:
    """Transaction type 11 (incoming commitment) is money the reporter receives; it was stored at the committed stage,
    so every IOM activity (budget + incoming commitment of the same amount) counted twice in the timeline."""
    nl = member("NL")
    imported(nl, funding("XM-DAC-7-1", currency="USD", extra=_transaction("11", "1000000")))
    assert queries.timeline(nl).by_year[2024]["committed"] == Decimal("1000000")


def test_the_timeline_does_not_add_a_budget_to_the_planned_disbursements_that_spend_it(member: Any) -> None:
    """A budget and the planned disbursements of the same year are the same money (both at the planned stage)."""
    nl = member("NL")
    planned = """
    <planned-disbursement type="1">
      <period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
      <value value-date="2024-01-01">1000000</value>
    </planned-disbursement>"""
    activity = funding("XM-DAC-7-1", currency="USD", end="2024-12-31")
    activity = activity.replace("    <transaction>", planned.lstrip("\n") + "\n    <transaction>", 1)
    imported(nl, activity)
    assert queries.timeline(nl).by_year[2024]["planned"] == Decimal("1000000")


def test_the_heatmap_filtered_by_stage_sums_that_stage(member: Any) -> None:
    """The filter "funding stage: disbursed or spent" showed each activity's whole budget as soon as it had any
    disbursement."""
    nl = member("NL")
    imported(nl, funding("XM-DAC-7-1", currency="USD", extra=_transaction("3", "200000")))
    assert queries.heatmap(nl).total == Decimal("1000000")
    assert queries.heatmap(nl, stage="spent").total == Decimal("200000")


@pytest.mark.parametrize("rewrite", ["remap", "reconvert"])
def test_re_mapping_and_re_converting_do_not_query_per_activity(member: Any, rewrite: str) -> None:
    """A mapping edit or a new rate rewrites every record inside the request; at 3 and 5 queries per activity the
    577 IOM activities took 1,772 and 2,953 queries."""
    nl = member("NL")
    imported(nl, *(funding(f"XM-DAC-7-{n}", currency="USD") for n in range(60)))
    with CaptureQueriesContext(connection) as context:
        assert getattr(services, rewrite)() == 60
    assert len(context.captured_queries) <= 20


def test_a_refused_review_of_an_overlap_beyond_the_first_page_keeps_what_was_typed(
    member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review form posts to /overlaps/<pk>/review/ without the list's page or filter, and a refused review
    re-renders the list from its first page: the row (and the note typed into it) is not there."""
    from django.urls import reverse

    monkeypatch.setattr(views, "OVERLAPS_PER_PAGE", 1)
    people = {code: member(code) for code in ("NL", "DE", "FR")}
    for code, user in people.items():
        services.join(organisation=user.organisation, by=user)
        imported(user, funding(f"{code}-1", title="Digital rights defenders in Kenya", country="KE"))
    services.detect_overlaps()
    shown = list(Overlap.objects.order_by("-score", "pk"))
    assert len(shown) == 3
    nl = people["NL"].organisation
    beyond = next(o for o in shown[1:] if nl.pk in (o.first.reporter_id, o.second.reporter_id))
    client = browser(people["NL"])
    page = client.get(reverse("donors:overlaps"), {"page": shown.index(beyond) + 1}).content.decode()
    url = re.escape(reverse("donors:review", args=[beyond.pk]))
    action = re.search(f'action="({url}[^"]*)"', page)
    assert action is not None
    refused = client.post(html.unescape(action[1]), {"review": "maybe", "note": "Keep this careful note"})
    assert refused.status_code == 400
    assert "Keep this careful note" in refused.content.decode()


def test_a_placeholder_budget_of_zero_does_not_hide_the_commitments(member: Any) -> None:
    """Publishers leave budgets of 0 as placeholders (IOM and NL files carry zero lines); the total took the first
    kind of line present, so 1,000,000 committed showed as a total of 0."""
    nl = member("NL")
    imported(nl, funding("XM-DAC-7-1", currency="USD", budget="0", extra=_transaction("2", "1000000")))
    activity = FundingActivity.objects.get()
    assert (activity.total, activity.total_basis) == (Decimal("1000000.00"), "commitments")


def test_a_topic_named_only_by_a_policy_marker_finds_the_activity_without_moving_money(member: Any) -> None:
    """Topics include what policy markers name; the money follows the sectors. Filtering by a marker's topic found
    nothing, while overlap detection used that topic."""
    nl = member("NL")
    marker = '\n    <policy-marker vocabulary="1" code="1" significance="2"/>'  # gender equality → digital inclusion
    activity = funding("XM-DAC-7-1", currency="USD", sector="15160").replace(
        '<budget type="1"', marker.lstrip("\n") + '\n    <budget type="1"', 1
    )
    imported(nl, activity)
    record = FundingActivity.objects.get()
    assert record.topics == ["freedoms", "inclusion"]
    assert list(queries.activities(nl, topic="inclusion")) == [record]
    heatmap = queries.heatmap(nl)
    assert heatmap.totals.get("inclusion", Decimal(0)) == 0 and heatmap.totals["freedoms"] == Decimal("1000000")
