"""Security review of donor coordination, reading (the scene: `security_scene`): the bilateral record reaches no
third reader (SE, FR, the Support Unit, the Advisory Network, visitors) through any page, search, filter, CSV, API
answer, overlap, heatmap total, gap, timeline, situation brief, import report, admin page or count, while NL and DE
see it everywhere; the group record likewise; a member that does not take part, or left, reads only its own and
public records. Each test asserts the secure behaviour, so a failing test marks a hole."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from coalition.core.policy import Tier
from coalition.core.tests.clients import api_for, text_of
from coalition.donors import services
from coalition.donors.models import (
    FundingActivity,
)
from coalition.donors.templatetags.donors import money as as_shown
from coalition.donors.tests.conftest import needs_standard
from coalition.donors.tests.security_scene import (
    ACTIVITIES_API,
    ALL_READERS,
    BY_ID,
    DE_ET,
    FR_OWN,
    GOVERNMENT_READERS,
    GROUP_AMOUNTS,
    GROUP_ID,
    GROUP_TITLE,
    HIDDEN_FROM,
    MISSING_PK,
    NL_MECH,
    NL_PUB,
    OVERLAPS_API,
    PAIRS,
    READS,
    ROWS,
    SE_ET,
    SECRET_ID,
    SECRET_TITLE,
    SEEN_BY,
    YEARS,
    Scene,
    activity_filters,
    api_ids,
    browser,
    build_scene,
    csv_rows,
    listed,
    money,
    no_trace,
    pairs_for,
    readable,
    usd_by_country,
)

pytestmark = [pytest.mark.django_db, needs_standard]


@pytest.fixture
def scene(member: Any, support: Any, advisory: Any) -> Scene:
    return build_scene(member, support, advisory)


def test_the_expectations_keep_the_bilateral_record_from_everyone_but_its_reporter_and_partner() -> None:
    """The table of what each reader reads is written by hand: this keeps it true to the rules it tests."""
    assert {reader for reader, identifiers in READS.items() if SECRET_ID in identifiers} == set(SEEN_BY)
    assert set(HIDDEN_FROM) | set(SEEN_BY) == set(READS)
    assert {reader for reader, identifiers in READS.items() if GROUP_ID in identifiers} == {"NL", "SE", "support"}
    assert all(identifiers <= {NL_PUB, FR_OWN} for reader, identifiers in READS.items() if reader == "FR")


# --- The bilateral record reaches its reporter and the member it names, no one else -------------------------------


@pytest.mark.parametrize("reader", ALL_READERS)
def test_the_activity_lists_searches_filters_and_csv_hold_exactly_what_the_reader_may_read(
    scene: Scene, reader: str
) -> None:
    """Rule: donors.view (sharing_q) — the activities page, its search, every filter and the CSV export."""
    client = browser(scene.readers[reader])
    url = reverse("donors:activities")
    for params, keep in activity_filters(scene):
        expected = readable(reader, keep)
        page = client.get(url, params)
        body = text_of(page)
        assert page.status_code == 200, (reader, params)
        assert listed(body) == len(expected), (reader, params)
        exported = csv_rows(client.get(url, {**params, "format": "csv"}))
        assert {row["identifier"] for row in exported} == expected, (reader, params)
        if SECRET_ID in expected:
            assert SECRET_ID in body and SECRET_TITLE in body
        else:
            no_trace(body, f"the activities page {params} of {reader}")
            no_trace(str(exported), f"the CSV {params} of {reader}")


@pytest.mark.parametrize("reader", ALL_READERS)
def test_a_records_page_opens_for_its_readers_and_is_not_found_by_anyone_else(scene: Scene, reader: str) -> None:
    """Rule: donors.view — a record the reader may not read is a 404 exactly like a record that does not exist
    (its existence is not confirmed), and the pages of the records overlapping it do not name it."""
    client = browser(scene.readers[reader])
    missing = client.get(reverse("donors:activity", args=[MISSING_PK]))
    assert missing.status_code == 404
    for row in ROWS:
        page = client.get(reverse("donors:activity", args=[scene.pk(row.identifier)]))
        if row.identifier in READS[reader]:
            assert page.status_code == 200 and row.title in text_of(page), (reader, row.identifier)
        else:
            assert page.status_code == 404, (reader, row.identifier)
            assert text_of(page) == text_of(missing)
        if row.identifier != SECRET_ID and page.status_code == 200 and SECRET_ID not in READS[reader]:
            no_trace(text_of(page), f"the page of {row.identifier} for {reader}")
    if SECRET_ID in READS[reader]:  # the records overlapping it link to it
        assert SECRET_TITLE in text_of(client.get(reverse("donors:activity", args=[scene.pk(DE_ET)])))


@pytest.mark.parametrize("reader", ALL_READERS)
def test_the_api_holds_exactly_what_the_reader_may_read(scene: Scene, reader: str) -> None:
    """Rule: donors.view through /api/v1 — the list with every filter, and each record's detail (404 when hidden)."""
    client = api_for(scene.readers[reader])
    for params, keep in activity_filters(scene):
        response = client.get(ACTIVITIES_API, params)
        assert api_ids(response) == readable(reader, keep), (reader, params)
        if SECRET_ID not in READS[reader]:
            no_trace(response.content.decode(), f"the API list {params} for {reader}")
    missing = client.get(f"{ACTIVITIES_API}{MISSING_PK}/")
    for row in ROWS:
        detail = client.get(f"{ACTIVITIES_API}{scene.pk(row.identifier)}/")
        if row.identifier in READS[reader]:
            assert detail.status_code == 200 and detail.json()["identifier"] == row.identifier
        else:
            assert detail.status_code == 404 and detail.json() == missing.json(), (reader, row.identifier)
            no_trace(detail.content.decode(), f"the API detail for {reader}", of=(row.identifier, row.title))


@pytest.mark.parametrize("reader", ALL_READERS)
def test_overlaps_are_shown_only_to_a_reader_of_both_records(scene: Scene, reader: str) -> None:
    """Rule: Overlap.visible_through — the overlaps page (every review filter), the API list and detail."""
    expected = pairs_for(reader)
    client = browser(scene.readers[reader])
    for params in ({}, {"review": "open"}):
        body = text_of(client.get(reverse("donors:overlaps"), params))
        shown = {pair for pair in PAIRS if all(identifier in body for identifier in pair)}
        assert shown == expected, (reader, params)
        if not any(SECRET_ID in pair for pair in expected):
            no_trace(body, f"the overlaps page of {reader}")
    api = api_for(scene.readers[reader])
    listed_pairs = {
        frozenset((row["first"]["identifier"], row["second"]["identifier"]))
        for row in api.get(OVERLAPS_API).json()["results"]
    }
    assert listed_pairs == expected
    for pair in PAIRS:
        detail = api.get(f"{OVERLAPS_API}{scene.overlap(*pair).pk}/")
        assert detail.status_code == (200 if pair in expected else 404), (reader, pair)


@pytest.mark.parametrize("reader", ALL_READERS)
def test_the_heatmap_and_its_csv_sum_only_what_the_reader_may_read(scene: Scene, reader: str) -> None:
    """Rule: donors.align, and totals are sums over readable records — computed here from the scenario by hand."""
    client = browser(scene.readers[reader])
    page = client.get(reverse("donors:heatmap"))
    if reader not in GOVERNMENT_READERS:
        assert page.status_code == (302 if reader == "anonymous" else 403)
        no_trace(page.content.decode(), f"the heatmap answer for {reader}")
        return
    expected = usd_by_country(READS[reader])
    body = text_of(page)
    assert page.status_code == 200
    assert f"{len(READS[reader])} activities are counted" in body
    for amount in (*expected.values(), sum(expected.values())):
        assert money(amount) in body, (reader, amount)
    rows = {row["country"]: row for row in csv_rows(client.get(reverse("donors:heatmap"), {"format": "csv"}))}
    assert {code: Decimal(row["total_usd"]) for code, row in rows.items() if code} == expected
    assert Decimal(rows[""]["total_usd"]) == sum(expected.values())
    assert {code: Decimal(row["Fundamental freedoms and shutdowns"]) for code, row in rows.items() if code} == expected
    if SECRET_ID not in READS[reader]:
        no_trace(body, f"the heatmap of {reader}")


@pytest.mark.parametrize("reader", ALL_READERS)
def test_gaps_and_the_timeline_count_only_what_the_reader_may_read(scene: Scene, reader: str) -> None:
    """Rule: donors.align — the gap in the bilateral record's country and the timeline's bars and yearly sums."""
    client = browser(scene.readers[reader])
    gaps = client.get(reverse("donors:gaps"))
    timeline = client.get(reverse("donors:timeline"))
    if reader not in GOVERNMENT_READERS:
        assert gaps.status_code == timeline.status_code == (302 if reader == "anonymous" else 403)
        return
    in_ethiopia = usd_by_country(readable(reader, lambda row: row.country == "ET")).get("ET")
    row = re.search(r"Ethiopia Open situation: Ethiopia: bloggers arrested (.*?) Times are shown", text_of(gaps))
    assert row is not None, text_of(gaps)
    if in_ethiopia:
        assert f"Total: {money(in_ethiopia)}" in row.group(1), (reader, row.group(1))
    else:
        assert "No funding" in row.group(1)
    body = text_of(timeline)
    # Each record's budget (planned) runs 2024-01-01 – 2025-12-31 and is spread over those years by days; its
    # commitment of the same amount is dated 2024-01-01 (committed). The timeline never adds the two together.
    read = [BY_ID[identifier] for identifier in READS[reader]]
    committed = money(sum(row.usd for row in read))
    planned = {  # as the page shows money: cents where there are any
        year: as_shown(sum(((row.usd * days / 731).quantize(Decimal("0.01")) for row in read), Decimal(0)))
        for year, days in YEARS
    }
    assert re.search(rf"2024 ?— ?{planned[2024]} ?{committed} ?—", body), (reader, planned, committed)
    assert re.search(rf"2025 ?— ?{planned[2025]} ?— ?—", body), (reader, planned)
    for identifier in READS[reader]:
        assert BY_ID[identifier].title in body
    if SECRET_ID not in READS[reader]:
        no_trace(text_of(gaps), f"the gaps of {reader}")
        no_trace(body, f"the timeline of {reader}")


@pytest.mark.parametrize("reader", ALL_READERS)
def test_the_situation_brief_names_only_the_funding_the_reader_may_read(scene: Scene, reader: str) -> None:
    """Rule: the funding note of a situation's brief (response) is donors.queries.funding_note for its reader."""
    page = browser(scene.readers[reader]).get(reverse("response:situation", args=[scene.situation.pk]))
    assert page.status_code == 200
    body = text_of(page)
    there = readable(reader, lambda row: row.country == "ET")
    if there:
        amount = money(sum(BY_ID[i].usd for i in there))
        assert (
            f"Members share {len(there)} funding activities in Ethiopia (USD {amount}); "
            f"on fundamental freedoms and shutdowns: USD {amount}." in body
        ), (reader, body)
    else:
        assert "No member shares funding in Ethiopia with you through donor coordination." in body
    if SECRET_ID not in READS[reader]:
        no_trace(body, f"the situation brief of {reader}")


@pytest.mark.parametrize("reader", ALL_READERS)
def test_the_overview_counts_only_what_the_reader_may_read(scene: Scene, reader: str) -> None:
    """Rule: the index's counts are counts of readable records and of readable overlaps involving the reader."""
    body = text_of(browser(scene.readers[reader]).get(reverse("donors:index")))
    count = len(READS[reader])
    assert f"{count} funding activit{'y' if count == 1 else 'ies'} you can read" in body, (reader, body)
    own = {code for code, user in scene.people.items() if user is scene.readers[reader]}
    to_review = {
        pair
        for pair in pairs_for(reader)
        if reader == "support" or any(BY_ID[identifier].reporter in own for identifier in pair)
    }
    n = len(to_review)
    assert f"{n} possible overlap{'' if n == 1 else 's'} to review" in body, (reader, body)


@pytest.mark.parametrize("reader", ALL_READERS)
def test_an_import_report_is_read_by_its_members_people_only(scene: Scene, reader: str) -> None:
    """Rule: ImportBatch.owned_by — the report of the file that brought the bilateral record in is NL's alone (it
    names every activity in the file); for anyone else, the Support Unit included, it does not exist."""
    client = browser(scene.readers[reader])
    page = client.get(reverse("donors:batch", args=[scene.batches[SECRET_ID].pk]))
    missing = client.get(reverse("donors:batch", args=[MISSING_PK]))
    if reader == "NL":
        assert page.status_code == 200
    else:
        assert page.status_code == missing.status_code == 404
        assert text_of(page) == text_of(missing)
    index = text_of(client.get(reverse("donors:index")))
    assert ("nl-bilateral.xml" in index) is (reader == "NL")


def test_the_admin_shows_the_support_unit_no_bilateral_record(scene: Scene) -> None:
    """Rule: the donors admin reads through visible_to — the Support Unit runs the mechanism but never reads a
    bilateral record: not in the list, its search, filters or facets, not by its address, not in an overlap."""
    client = browser(scene.support)
    secret = scene.pk(SECRET_ID)
    listing = "/admin/donors/fundingactivity/"
    for params in ({}, {"q": "SECRET-BILATERAL"}, {"q": "Ethiopian"}, {"tier__exact": "bilateral"}, {"_facets": "1"}):
        page = client.get(listing, params)
        assert page.status_code == 200, params
        no_trace(text_of(page), f"the admin list {params}")  # (text: the search box repeats what was asked)
    assert "5 funding activities" in text_of(client.get(listing))
    for url in (f"{listing}{secret}/change/", f"{listing}{secret}/history/"):
        answer = client.get(url, follow=True)
        assert answer.redirect_chain and answer.redirect_chain[0][1] == 302, url
        no_trace(answer.content.decode(), url)
    overlaps = client.get("/admin/donors/overlap/")
    assert overlaps.status_code == 200 and "1 overlap" in text_of(overlaps)
    hidden = scene.overlap(SECRET_ID, DE_ET).pk
    assert client.get(f"/admin/donors/overlap/{hidden}/change/").status_code == 302
    for user in (scene.people["NL"], scene.people["DE"], scene.advisory):
        assert browser(user).get(listing).status_code != 200


def test_a_group_record_reaches_the_group_and_the_support_unit_only(scene: Scene) -> None:
    """Rule: sharing_q (group tier) — DE (taking part, not in the group) and FR read nothing of NL's group record;
    SE (in the group) and the Support Unit read it, named with its group."""
    pk = scene.pk(GROUP_ID)
    for code in ("DE", "FR"):
        client = browser(scene.people[code])
        assert client.get(reverse("donors:activity", args=[pk])).status_code == 404
        for url, params in (
            (reverse("donors:activities"), {"q": "Great Lakes"}),
            (reverse("donors:activities"), {"format": "csv"}),
            (reverse("donors:activities"), {"country": "RW"}),
            (reverse("donors:heatmap"), {}),
            (reverse("donors:heatmap"), {"format": "csv"}),
            (reverse("donors:timeline"), {}),
        ):
            body = client.get(url, params).content.decode()
            for text in (GROUP_ID, GROUP_TITLE, *GROUP_AMOUNTS):
                assert text not in body, (code, url, params, text)
        assert "Rwanda" not in text_of(client.get(reverse("donors:heatmap")))
        assert GROUP_ID not in api_for(scene.people[code]).get(ACTIVITIES_API, {"q": "Great"}).content.decode()
    for user in (scene.people["SE"], scene.support):
        page = text_of(browser(user).get(reverse("donors:activity", args=[pk])))
        assert GROUP_TITLE in page and "A named donor group: Great Lakes donors" in page


def test_a_member_named_in_a_bilateral_record_reads_it_only_while_it_takes_part(scene: Scene) -> None:
    """Rule: sharing_q — naming a member that does not take part (FR) shares nothing with it until it joins."""
    fr = scene.people["FR"]
    secret = FundingActivity.objects.get(identifier=SECRET_ID)
    services.set_tier(
        secret, by=scene.people["NL"], tier=Tier.BILATERAL, bilateral_with=[scene.org("DE"), fr.organisation]
    )
    url = reverse("donors:activity", args=[secret.pk])
    assert browser(fr).get(url).status_code == 404
    assert SECRET_ID not in api_for(fr).get(ACTIVITIES_API).content.decode()
    services.join(organisation=fr.organisation, by=fr)
    assert browser(fr).get(url).status_code == 200
    assert browser(scene.people["SE"]).get(url).status_code == 404  # still no one else


def test_a_member_that_left_reads_only_its_own_and_public_records(scene: Scene) -> None:
    """Rule: sharing_q (i_take_part) — DE, named in the bilateral record, reads it no more once it has left; and its
    own shared records go home with it."""
    de = scene.people["DE"]
    services.leave(organisation=de.organisation, by=de, on=dt.date.today())
    client = browser(de)
    expected = {NL_PUB, DE_ET}
    assert {row["identifier"] for row in csv_rows(client.get(reverse("donors:activities"), {"format": "csv"}))} == (
        expected
    )
    assert api_ids(api_for(de).get(ACTIVITIES_API)) == expected
    assert client.get(reverse("donors:activity", args=[scene.pk(SECRET_ID)])).status_code == 404
    assert api_for(de).get(f"{ACTIVITIES_API}{scene.pk(SECRET_ID)}/").status_code == 404
    for url in (reverse("donors:overlaps"), reverse("donors:heatmap"), reverse("donors:timeline")):
        no_trace(client.get(url).content.decode(), url)
    assert "Total: 1,000,000" in text_of(client.get(reverse("donors:gaps")))  # DE's own in Ethiopia, nothing else
    brief = text_of(client.get(reverse("response:situation", args=[scene.situation.pk])))
    assert "Members share 1 funding activity in Ethiopia (USD 1,000,000)" in brief
    for code in ("NL", "SE"):
        assert DE_ET not in api_ids(api_for(scene.people[code]).get(ACTIVITIES_API))


def test_a_reporter_that_left_shares_nothing_but_its_public_records(scene: Scene) -> None:
    """Rule: sharing_q (from_participant) — once NL has left, DE no longer reads the record NL shared with it."""
    nl = scene.people["NL"]
    services.leave(organisation=nl.organisation, by=nl, on=dt.date.today())
    assert api_ids(api_for(scene.people["DE"]).get(ACTIVITIES_API)) == {NL_PUB, DE_ET, SE_ET}
    assert api_ids(api_for(scene.support).get(ACTIVITIES_API)) == {NL_PUB, DE_ET, SE_ET}
    assert browser(scene.people["DE"]).get(reverse("donors:activity", args=[scene.pk(SECRET_ID)])).status_code == 404
    assert api_ids(api_for(nl).get(ACTIVITIES_API)) == {SECRET_ID, GROUP_ID, NL_MECH, NL_PUB}  # its own, always
