"""Donor coordination through its pages: the overview with joining and leaving, the funding activities (search,
filters, CSV) and one activity with its money as reported and converted, changing who a record is shared with,
importing a good and a bad file, the spreadsheet template, overlaps and their review, the heatmap, gaps and timeline,
the reference data kept by the Support Unit, the donor principles — who may see each page, and the queries each
makes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from coalition.core import policy
from coalition.core.policy import Tier
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Country
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.donors import queries, services
from coalition.donors.models import (
    Allocation,
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    ImportBatch,
    Overlap,
    Participation,
    SelfAssessment,
    TopicMapping,
)
from coalition.donors.tests.conftest import funding, iati_file, imported, needs_standard
from coalition.response import services as response

pytestmark = [pytest.mark.django_db, needs_standard]

MAX_QUERIES = 15


# --- Helpers ------------------------------------------------------------------------------------------------------


def browser(user: Any) -> Client:
    """A browser signed in as `user`, with MFA set up as every account that signs in has it."""
    if user is not None and not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    return client_for(user)


@pytest.fixture
def world(member: Any, support: Any) -> dict[str, Any]:
    """Four members taking part: NL and DE fund the same project in Kenya (an overlap), FR shares a record
    bilaterally with NL and GB only, NL has a public record and an amount in XOF nobody has a rate for."""
    people = {code: member(code) for code in ("NL", "DE", "FR", "GB")}
    for user in people.values():
        services.join(organisation=user.organisation, by=user)
    imported(
        people["NL"],
        funding("NL-1", title="Digital rights defenders in Kenya", country="KE"),
        funding("NL-XOF", title="Community radio in Senegal", country="SN", currency="XOF", budget="5000000"),
    )
    imported(people["NL"], funding("NL-PUB", title="Open internet observatory", country="UG"), tier=Tier.PUBLIC)
    imported(people["DE"], funding("DE-1", title="Digital rights defenders in Kenya", country="KE"))
    imported(
        people["FR"],
        funding("FR-BI", title="Encrypted messaging for journalists", country="ET", description="Secure tools."),
        tier=Tier.BILATERAL,
        bilateral_with=[people["NL"].organisation, people["GB"].organisation],
    )
    services.add_rate(
        by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1.085"), source="ECB reference rate"
    )
    services.detect_overlaps()
    return people


def record(identifier: str) -> FundingActivity:
    return FundingActivity.objects.get(identifier=identifier)


def rows_of(response: Any) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def upload(data: bytes, name: str = "activities.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


# --- Overview, joining and leaving --------------------------------------------------------------------------------


def test_the_overview_shows_that_the_member_takes_part_and_what_there_is_to_review(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = browser(world["NL"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:index"))
    body = text_of(page)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert re.search(r"Government of NL takes part since \d{4}-\d\d-\d\d", body)
    assert "Leave for Government of NL" in body
    assert "5 funding activities you can read" in body  # its own three, DE-1 and FR-BI shared with it
    assert "1 possible overlap to review" in body
    for name in ("activities", "overlaps", "import", "heatmap", "gaps", "timeline", "principles", "taxonomy"):
        assert reverse(f"donors:{name}") in page.content.decode()
    assert "activities.xml" in body  # its recent imports


def test_a_member_joins_and_leaves_from_the_overview(member: Any) -> None:
    nl = member("NL")
    client = browser(nl)
    page = client.get(reverse("donors:index"))
    assert "Government of NL does not take part" in text_of(page)
    joined = client.post(reverse("donors:join"), {"organisation": nl.organisation.pk}, follow=True)
    assert "takes part in donor coordination from today" in text_of(joined)
    assert Participation.objects.get(organisation=nl.organisation).left_on is None
    again = client.post(reverse("donors:join"), {"organisation": nl.organisation.pk})
    assert again.status_code == 400 and "already takes part" in text_of(again)
    assert Participation.objects.count() == 1
    left = client.post(reverse("donors:leave"), {"organisation": nl.organisation.pk}, follow=True)
    assert "has left donor coordination" in text_of(left)
    assert Participation.objects.get(organisation=nl.organisation).left_on is not None


def test_a_member_cannot_join_for_another_member(member: Any) -> None:
    nl, de = member("NL"), member("DE")
    response = browser(de).post(reverse("donors:join"), {"organisation": nl.organisation.pk})
    assert response.status_code == 400 and "Select a valid choice" in text_of(response)
    assert not Participation.objects.exists()


def test_the_advisory_network_and_visitors_cannot_join(member: Any, advisory: Any) -> None:
    nl = member("NL")
    assert browser(advisory).post(reverse("donors:join"), {"organisation": nl.organisation.pk}).status_code == 403
    visitor = Client().post(reverse("donors:join"), {"organisation": nl.organisation.pk})
    assert visitor.status_code == 302 and "login" in visitor["Location"]
    assert not Participation.objects.exists()


def test_the_support_unit_records_a_member_joining_and_sees_every_participant(
    world: dict[str, Any], support: Any, member: Any
) -> None:
    se = member("SE")
    client = browser(support)
    page = client.get(reverse("donors:index"))
    body = text_of(page)
    assert "4 members take part" in body and "Record that Government of FR left" in body
    assert client.post(reverse("donors:join"), {"organisation": se.organisation.pk}).status_code == 302
    assert services.takes_part(se.organisation)


def test_the_navigation_offers_donor_coordination_to_governments_only(
    official: Any, support: Any, advisory: Any, observer: Any
) -> None:
    for user in (official, support):
        assert "Donor coordination" in text_of(browser(user).get(reverse("directory:home")))
    for user in (advisory, observer, None):
        assert "Donor coordination" not in text_of(browser(user).get(reverse("directory:home")))


# --- Activities ---------------------------------------------------------------------------------------------------


def test_a_member_lists_what_is_shared_with_it_and_never_a_third_members_bilateral_record(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = browser(world["DE"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:activities"))
    body = text_of(page)
    assert page.status_code == 200
    assert "Digital rights defenders in Kenya" in body and "Open internet observatory" in body
    assert "Encrypted messaging" not in body and "FR-BI" not in body
    assert "Encrypted messaging" in text_of(browser(world["NL"]).get(reverse("donors:activities")))


def test_the_activities_are_searched_and_filtered(world: dict[str, Any]) -> None:
    client = browser(world["NL"])
    url = reverse("donors:activities")
    assert "Community radio" in text_of(client.get(url, {"q": "radio"}))
    assert "Digital rights" not in text_of(client.get(url, {"q": "radio"}))
    kenya = text_of(client.get(url, {"country": "KE"}))
    assert "Digital rights defenders" in kenya and "Community radio" not in kenya
    by_de = text_of(client.get(url, {"reporter": world["DE"].organisation.pk}))
    assert "DE-1" in by_de and "NL-1" not in by_de
    assert "NL-1" in text_of(client.get(url, {"topic": "freedoms", "stage": "committed"}))


def test_visitors_see_only_public_records(world: dict[str, Any]) -> None:
    body = text_of(Client().get(reverse("donors:activities")))
    assert "Open internet observatory" in body
    assert "Digital rights defenders" not in body and "Encrypted messaging" not in body
    assert Client().get(reverse("donors:activity", args=[record("NL-1").pk])).status_code == 404


def test_the_csv_export_holds_exactly_the_filtered_visible_rows(world: dict[str, Any]) -> None:
    response = browser(world["DE"]).get(reverse("donors:activities"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv") and "no-store" in response["Cache-Control"]
    rows = rows_of(response)
    assert {row["identifier"] for row in rows} == {"NL-1", "NL-XOF", "NL-PUB", "DE-1"}
    nl_1 = next(row for row in rows if row["identifier"] == "NL-1")
    assert nl_1["total_usd"] == "1085000.00" and nl_1["total_basis"] == "budgets"
    assert nl_1["as_reported"] == "EUR 1000000.00" and nl_1["countries"] == "KE (100%)"
    assert nl_1["topics"] == "Fundamental freedoms and shutdowns" and nl_1["reporter"] == "Government of NL"
    xof = next(row for row in rows if row["identifier"] == "NL-XOF")
    assert xof["total_usd"] == "" and xof["as_reported"] == "XOF 5000000.00"
    filtered = rows_of(browser(world["DE"]).get(reverse("donors:activities"), {"format": "csv", "country": "KE"}))
    assert {row["identifier"] for row in filtered} == {"NL-1", "DE-1"}


def test_the_csv_export_cannot_carry_a_formula(member: Any) -> None:
    nl = member("NL")
    imported(nl, funding("NL-F", title="=HYPERLINK(&quot;https://evil.example&quot;)", description="@SUM(A1)"))
    rows = rows_of(browser(nl).get(reverse("donors:activities"), {"format": "csv"}))
    assert rows[0]["title"] == '\'=HYPERLINK("https://evil.example")'


def test_an_activity_shows_amounts_as_reported_and_converted_with_the_rate_named(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = browser(world["NL"])
    url = reverse("donors:activity", args=[record("NL-1").pk])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(url)
    body = text_of(page)
    assert page.status_code == 200
    assert "EUR 1,000,000" in body
    assert "≈ USD 1,085,000 at 1 EUR = 1.085 USD, ECB reference rate, 2024-01-01" in body
    assert "Kenya" in body and "Fundamental freedoms and shutdowns" in body and "Internews" in body
    assert "Digital rights defenders in Kenya" in body and "Government of DE" in body  # the overlap
    assert "Change who it is shared with" in body
    xof = text_of(client.get(reverse("donors:activity", args=[record("NL-XOF").pk])))
    assert "XOF 5,000,000" in xof and "no rate recorded for XOF" in xof


def test_a_record_that_is_not_shared_with_the_reader_is_not_found(world: dict[str, Any], support: Any) -> None:
    hidden = reverse("donors:activity", args=[record("FR-BI").pk])
    for user in (world["DE"], support):
        assert browser(user).get(hidden).status_code == 404
    assert browser(world["NL"]).get(hidden).status_code == 200


def test_only_the_reporters_people_read_who_a_bilateral_record_is_shared_with(world: dict[str, Any]) -> None:
    url = reverse("donors:activity", args=[record("FR-BI").pk])
    partner = text_of(browser(world["NL"]).get(url))
    assert "Bilateral, with named members" in partner
    assert "Government of GB" not in partner and "Change who it is shared with" not in partner
    own = text_of(browser(world["FR"]).get(url))
    assert "Government of GB" in own and "Government of NL" in own


def test_the_reporter_changes_who_a_record_is_shared_with(world: dict[str, Any]) -> None:
    nl_1 = record("NL-1")
    client = browser(world["NL"])
    url = reverse("donors:tier", args=[nl_1.pk])
    done = client.post(url, {"tier": Tier.BILATERAL, "bilateral_with": [world["DE"].organisation.pk]})
    assert done.status_code == 302 and done["Location"].endswith("#sharing")
    nl_1.refresh_from_db()
    assert nl_1.tier == Tier.BILATERAL and list(nl_1.bilateral_with.all()) == [world["DE"].organisation]
    assert browser(world["FR"]).get(reverse("donors:activity", args=[nl_1.pk])).status_code == 404
    assert browser(world["DE"]).get(reverse("donors:activity", args=[nl_1.pk])).status_code == 200


def test_a_tier_that_makes_no_sense_is_refused_next_to_its_field(world: dict[str, Any]) -> None:
    nl_1 = record("NL-1")
    refused = browser(world["NL"]).post(reverse("donors:tier", args=[nl_1.pk]), {"tier": Tier.BILATERAL})
    assert refused.status_code == 400
    assert re.search(r'id="id_bilateral_with_error">Name the member', refused.content.decode())
    nl_1.refresh_from_db()
    assert nl_1.tier == Tier.MECHANISM


def test_no_one_else_changes_who_a_record_is_shared_with(world: dict[str, Any], support: Any) -> None:
    nl_1 = record("NL-1")
    for user in (world["DE"], support):
        assert browser(user).post(reverse("donors:tier", args=[nl_1.pk]), {"tier": Tier.PUBLIC}).status_code == 403
    nl_1.refresh_from_db()
    assert nl_1.tier == Tier.MECHANISM


# --- Imports ------------------------------------------------------------------------------------------------------


def test_a_member_imports_a_file_and_reads_its_report(
    member: Any, django_assert_max_num_queries: Any, worker: Any
) -> None:
    nl = member("NL")
    client = browser(nl)
    form = client.get(reverse("donors:import"))
    assert form.status_code == 200 and "Reported by Government of NL" in text_of(form)
    assert reverse("donors:template", args=["xlsx"]) in form.content.decode()
    data = iati_file(funding("NL-1"), funding("NL-2", country="UG"))
    with worker():
        done = client.post(reverse("donors:import"), {"file": upload(data), "tier": Tier.MECHANISM})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("donors:batch", args=[batch.pk])
    assert FundingActivity.objects.filter(reporter=nl.organisation).count() == 2
    with django_assert_max_num_queries(MAX_QUERIES):
        report = client.get(done["Location"])
    body = text_of(report)
    assert "Accepted" in body and re.search(r"New ?2", body) and re.search(r"Unchanged ?0", body)


def test_a_bad_file_is_refused_whole_with_its_reasons_and_nothing_is_saved(member: Any, worker: Any) -> None:
    nl = member("NL")
    client = browser(nl)
    data = iati_file(funding("NL-1"), funding("NL-1"))  # the same identifier twice
    with worker():
        done = client.post(reverse("donors:import"), {"file": upload(data), "tier": Tier.MECHANISM})
    done = client.get(done["Location"])
    body = text_of(done)
    assert "Refused: nothing from this file was saved." in body
    assert "NL-1" in body and "line" in body.lower()
    assert not FundingActivity.objects.exists()
    assert ImportBatch.objects.get().outcome == ImportBatch.Outcome.REFUSED


@pytest.mark.parametrize("amount", ["12345678901234567890", "-99999999999999999999.5"])
def test_an_amount_too_large_to_be_real_is_refused_with_its_activity_and_line(
    member: Any, amount: str, worker: Any
) -> None:
    """Issue 15 item 11: an amount of 20 digits answered 500 when the database refused to store it."""
    nl = member("NL")
    data = iati_file(funding("NL-1"), funding("NL-2", budget=amount))
    with worker():
        done = browser(nl).post(reverse("donors:import"), {"file": upload(data), "tier": Tier.MECHANISM})
    done = browser(nl).get(done["Location"])
    assert done.status_code == 200
    body = text_of(done)
    assert "Refused: nothing from this file was saved." in body
    assert f"budget value “{amount}” is beyond any real amount (1,000,000,000,000,000 or more)" in body
    errors = ImportBatch.objects.get().errors
    assert [(error["identifier"], error["message"].split(" “")[0]) for error in errors] == [
        ("NL-2", "budget value"),
        ("NL-2", "transaction value"),
    ]
    assert all(error["line"] for error in errors)
    assert not FundingActivity.objects.exists()


def test_a_file_with_the_wrong_root_element_is_refused_with_its_reason(member: Any, worker: Any) -> None:
    nl = member("NL")
    data = b'<?xml version="1.0"?>\n<iati-organisations version="2.03"></iati-organisations>\n'
    with worker():
        done = browser(nl).post(reverse("donors:import"), {"file": upload(data), "tier": "mechanism"})
    body = text_of(browser(nl).get(done["Location"]))
    assert "Refused" in body and "iati-organisations" in body
    assert not FundingActivity.objects.exists()


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_large_upload_is_imported_from_the_temporary_file_django_spooled_it_to(member: Any, worker: Any) -> None:
    nl = member("NL")
    data = iati_file(funding("NL-1"), funding("NL-2"))
    assert len(data) > 100  # so Django writes it to a temporary file rather than keep it in memory
    with worker():
        done = browser(nl).post(reverse("donors:import"), {"file": upload(data), "tier": Tier.MECHANISM})
    assert done.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED and batch.created == 2 and batch.size == len(data)


@override_settings(DONORS_MAX_FILE_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(member: Any) -> None:
    nl = member("NL")
    data = iati_file(*(funding(f"NL-{n}") for n in range(5)))
    refused = browser(nl).post(reverse("donors:import"), {"file": upload(data), "tier": Tier.MECHANISM})
    assert refused.status_code == 400
    assert "files of up to 0.0 MB are imported" in text_of(refused)
    assert not ImportBatch.objects.exists() and not FundingActivity.objects.exists()


def test_an_upload_that_is_not_a_template_or_iati_file_is_refused_by_its_name(member: Any) -> None:
    refused = browser(member("NL")).post(
        reverse("donors:import"), {"file": upload(b"x", "notes.txt"), "tier": Tier.MECHANISM}
    )
    assert refused.status_code == 400 and "Upload a file of one of these types" in text_of(refused)


def test_the_import_is_for_governments_people(advisory: Any, observer: Any, chair: Any) -> None:
    for user in (advisory, observer, chair):
        assert browser(user).get(reverse("donors:import")).status_code == 403
    assert Client().get(reverse("donors:import")).status_code == 302


def test_an_import_report_is_read_by_the_members_people_only(world: dict[str, Any], support: Any) -> None:
    batch = ImportBatch.objects.filter(reporter=world["NL"].organisation).first()
    assert batch is not None
    url = reverse("donors:batch", args=[batch.pk])
    assert browser(world["NL"]).get(url).status_code == 200
    assert browser(support).get(url).status_code == 404  # it names every activity in the file, bilateral ones too
    assert browser(world["DE"]).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_the_spreadsheet_template_downloads_in_both_formats(official: Any) -> None:
    client = browser(official)
    xlsx = client.get(reverse("donors:template", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx["Content-Disposition"]
    table = client.get(reverse("donors:template", args=["csv"]))
    assert table.status_code == 200 and "Identifier" in table.content.decode("utf-8-sig").splitlines()[0]


# --- Overlaps -----------------------------------------------------------------------------------------------------


def test_overlaps_show_both_activities_and_their_reasons_in_plain_words(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = browser(world["NL"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:overlaps"))
    body = text_of(page)
    assert page.status_code == 200
    assert "Government of NL" in body and "Government of DE" in body
    assert "Both fund Fundamental freedoms and shutdowns in Kenya." in body
    assert "The same implementer: internews." in body
    assert re.search(r"Their periods overlap from 2024-01-01 to 2025-12-31 \(about 24 months\), 100% of the", body)
    assert "Similar descriptions" in body and "likely duplicate" in body
    assert "Save the review" in body
    assert "Run detection for everything" not in body


def test_a_member_that_reads_both_records_but_reported_neither_cannot_review(world: dict[str, Any]) -> None:
    overlap = Overlap.objects.get()
    page = text_of(browser(world["FR"]).get(reverse("donors:overlaps")))
    assert "Both fund" in page and "Save the review" not in page
    refused = browser(world["FR"]).post(reverse("donors:review", args=[overlap.pk]), {"review": "duplicate"})
    assert refused.status_code == 403
    overlap.refresh_from_db()
    assert overlap.review == Overlap.Review.OPEN


def test_a_reporter_marks_an_overlap_to_coordinate(world: dict[str, Any]) -> None:
    overlap = Overlap.objects.get()
    client = browser(world["DE"])
    done = client.post(
        reverse("donors:review", args=[overlap.pk]), {"review": "to_coordinate", "note": "Call on Friday"}
    )
    assert done.status_code == 302
    overlap.refresh_from_db()
    assert overlap.review == "to_coordinate" and overlap.note == "Call on Friday"
    assert "Call on Friday" in text_of(client.get(reverse("donors:overlaps"), {"review": "to_coordinate"}))
    assert "Call on Friday" not in text_of(client.get(reverse("donors:overlaps"), {"review": "open"}))
    refused = client.post(reverse("donors:review", args=[overlap.pk]), {"review": "maybe"})
    assert refused.status_code == 400 and "Select a valid choice" in text_of(refused)


def test_an_overlap_with_a_record_the_reader_cannot_see_is_hidden(world: dict[str, Any], member: Any) -> None:
    gb = world["GB"]
    imported(
        gb, funding("GB-1", title="Encrypted messaging for journalists", country="ET", description="Secure tools.")
    )
    services.detect_overlaps()
    overlap = Overlap.objects.get(first__identifier__in=["FR-BI", "GB-1"], second__identifier__in=["FR-BI", "GB-1"])
    assert "Encrypted messaging" in text_of(browser(gb).get(reverse("donors:overlaps")))
    assert "Encrypted messaging" not in text_of(browser(world["DE"]).get(reverse("donors:overlaps")))
    refused = browser(world["DE"]).post(reverse("donors:review", args=[overlap.pk]), {"review": "duplicate"})
    assert refused.status_code == 404


def test_the_support_unit_runs_detection_for_everything(world: dict[str, Any], support: Any) -> None:
    Overlap.objects.all().delete()
    client = browser(support)
    assert "Run detection for everything" in text_of(client.get(reverse("donors:overlaps")))
    assert client.post(reverse("donors:detect")).status_code == 302
    assert Overlap.objects.count() == 1
    assert browser(world["NL"]).post(reverse("donors:detect")).status_code == 403


# --- Alignment ----------------------------------------------------------------------------------------------------


def visible_sums(user: Any) -> dict[str, Decimal]:
    """Per country, the sum of the allocations of the activities `user` may read (what the heatmap must show)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    visible = policy.visible_to(user, FundingActivity).values("pk")
    for allocation in Allocation.objects.filter(activity__in=visible, amount__isnull=False):
        sums[allocation.country] += allocation.amount or Decimal(0)
    return dict(sums)


def test_the_heatmap_numbers_are_the_sums_of_the_readers_visible_allocations(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    de = world["DE"]
    client = browser(de)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:heatmap"))
    body = text_of(page)
    assert page.status_code == 200
    assert "Kenya" in body and "2,170,000" in body  # NL-1 and DE-1, 1,085,000 each
    assert "Ethiopia" not in body  # FR's bilateral record is not shared with DE
    assert "1 activity without a rate is not in the totals" in body
    assert 'class="heat-5"' in page.content.decode() and "Shading" in body
    rows = {row["country"]: row for row in rows_of(client.get(reverse("donors:heatmap"), {"format": "csv"}))}
    expected = visible_sums(de)
    assert {code: Decimal(row["total_usd"]) for code, row in rows.items() if code} == expected
    assert Decimal(rows[""]["total_usd"]) == sum(expected.values())
    assert "ET" in {row.country for row in queries.heatmap(world["NL"]).rows}  # NL is named in FR's record


def test_the_alignment_views_are_for_governments(world: dict[str, Any], advisory: Any, observer: Any) -> None:
    for name in ("heatmap", "gaps", "timeline", "taxonomy", "rates", "groups", "principles"):
        for user in (advisory, observer):
            assert browser(user).get(reverse(f"donors:{name}")).status_code == 403, name
        assert Client().get(reverse(f"donors:{name}")).status_code == 302, name


def test_gaps_name_the_countries_in_crisis_and_the_funding_there(
    world: dict[str, Any], support: Any, django_assert_max_num_queries: Any
) -> None:

    response.open_situation(by=support, country=Country.objects.get(code="KE"), title="Kenya: election shutdown")
    response.open_situation(by=support, country=Country.objects.get(code="MM"), title="Myanmar: shutdown")
    client = browser(world["DE"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:gaps"))
    body = text_of(page)
    assert "Open situation: Kenya: election shutdown" in body and "2,170,000" in body
    assert re.search(r"Myanmar.*No funding", body)
    assert body.index("Myanmar") < body.index("Kenya")  # gaps first


def test_the_timeline_lays_out_activities_and_sums_by_year_and_stage(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = browser(world["DE"])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:timeline"))
    html = page.content.decode()
    body = text_of(page)
    assert page.status_code == 200
    assert "Digital rights defenders in Kenya" in body and "2024-01-01 to 2025-12-31" in body
    assert 'data-left="0"' in html and "style=" not in html.split("<main", 1)[1]
    assert "donors/donors.css" in html
    # NL-1, NL-PUB and DE-1: budgets (planned) spread over 2024–2025 by days, commitments dated 2024-01-01
    first = re.search(r"2024 ?— ?([\d,.]+) ?3,255,000 ?—", body)
    second = re.search(r"2025 ?— ?([\d,.]+) ?— ?—", body)
    assert first and second, body
    planned = [Decimal(found.group(1).replace(",", "")) for found in (first, second)]
    assert sum(planned) == Decimal("3255000") and planned[0] > planned[1]
    kenya = text_of(browser(world["DE"]).get(reverse("donors:timeline"), {"country": "KE"}))
    assert "Open internet observatory" not in kenya


# --- Reference data -----------------------------------------------------------------------------------------------


def test_governments_read_the_mapping_and_the_support_unit_edits_it(
    official: Any, support: Any, django_assert_max_num_queries: Any
) -> None:
    client = browser(official)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:taxonomy"))
    assert "15160" in text_of(page) and "Add the mapping" not in text_of(page)
    client = browser(support)
    bad = client.post(reverse("donors:taxonomy"), {"kind": "sector", "code": "151", "topic": "ai"})
    assert bad.status_code == 400 and "has 5 digits" in text_of(bad)
    done = client.post(reverse("donors:taxonomy"), {"kind": "sector", "code": "15110", "topic": "ai", "note": "x"})
    assert done.status_code == 302
    mapping = TopicMapping.objects.get(code="15110")
    assert client.post(reverse("donors:remove_mapping", args=[mapping.pk])).status_code == 302
    assert not TopicMapping.objects.filter(code="15110").exists()
    assert browser(official).post(reverse("donors:taxonomy"), {"kind": "sector", "code": "15110"}).status_code == 403


def test_the_support_unit_records_an_exchange_rate(
    official: Any, support: Any, django_assert_max_num_queries: Any
) -> None:
    client = browser(support)
    bad = client.post(reverse("donors:rates"), {"currency": "EURO", "on": "2024-01-01", "rate": "1.1", "source": "x"})
    assert bad.status_code == 400
    bad = client.post(reverse("donors:rates"), {"currency": "ZZZ", "on": "2024-01-01", "rate": "1.1", "source": "x"})
    assert bad.status_code == 400 and "not an ISO 4217 currency code" in text_of(bad)
    done = client.post(
        reverse("donors:rates"), {"currency": "gbp", "on": "2024-03-28", "rate": "1.26", "source": "ECB reference"}
    )
    assert done.status_code == 302 and ExchangeRate.objects.get().currency == "GBP"
    client = browser(official)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:rates"))
    assert "GBP" in text_of(page) and "ECB reference" in text_of(page) and "Record the rate" not in text_of(page)
    refused = browser(official).post(
        reverse("donors:rates"), {"currency": "CHF", "on": "2024-03-28", "rate": "1.1", "source": "x"}
    )
    assert refused.status_code == 403


def test_the_support_unit_creates_and_edits_a_donor_group(
    member: Any, support: Any, django_assert_max_num_queries: Any
) -> None:
    nl, de, fr = member("NL"), member("DE"), member("FR")
    client = browser(support)
    one = client.post(reverse("donors:groups"), {"name": "Sahel donors", "members": [nl.organisation.pk]})
    assert one.status_code == 400 and "at least two members" in text_of(one)
    done = client.post(
        reverse("donors:groups"), {"name": "Sahel donors", "members": [nl.organisation.pk, de.organisation.pk]}
    )
    assert done.status_code == 302
    group = DonorGroup.objects.get()
    edit = reverse("donors:group", args=[group.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"name": "Sahel donors", "members": [nl.organisation.pk, de.organisation.pk, fr.organisation.pk]})
    assert group.members.count() == 3
    client = browser(nl)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:groups"))
    assert "Sahel donors" in text_of(page) and "Government of FR" in text_of(page)
    assert browser(nl).get(edit).status_code == 403


# --- Principles ---------------------------------------------------------------------------------------------------


def test_a_member_assesses_itself_against_the_principles_and_sees_every_members_ratings(
    member: Any, support: Any, django_assert_max_num_queries: Any
) -> None:

    principles = documents.create_document(
        by=support,
        title="Donor principles for human rights online",
        kind=Document.Kind.PRINCIPLES,
        text="# Donor principles\n\nDo no harm to those we fund.\n\nShare funding plans early.",
    )
    nl, de = member("NL"), member("DE")
    services.assess(organisation=de.organisation, document=principles, paragraph=3, rating="met", evidence="", by=de)
    client = browser(nl)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("donors:principles"))
    body = text_of(page)
    assert "Principle 1 Do no harm to those we fund." in body and "Principle 3" not in body
    assert reverse("documents:document", args=[principles.pk]) in page.content.decode()
    assert re.search(r"Government of DE ?— ?Met", body)
    url = reverse("donors:assess", args=[principles.pk, 2])
    bad = client.post(url, {"organisation": nl.organisation.pk, "rating": "great"})
    assert bad.status_code == 400 and not SelfAssessment.objects.filter(organisation=nl.organisation).exists()
    done = client.post(url, {"organisation": nl.organisation.pk, "rating": "partly", "evidence": "Half of it"})
    assert done.status_code == 302
    assert SelfAssessment.objects.get(organisation=nl.organisation).rating == "partly"
    assert re.search(r"Government of NL ?Partly met ?—", text_of(client.get(reverse("donors:principles"))))
    heading = client.post(
        reverse("donors:assess", args=[principles.pk, 1]), {"organisation": nl.organisation.pk, "rating": "met"}
    )
    assert heading.status_code == 400 and "no principle 1" in text_of(heading)


def test_an_activity_shows_its_parent_and_its_parts_among_what_the_reader_reads(world: dict[str, Any]) -> None:
    parent = '\n    <related-activity ref="NL-PROGRAMME" type="1"/>'
    nl = world["NL"]
    imported(
        nl,
        funding("NL-PROGRAMME", title="Digital rights programme"),
        funding("NL-PART-1", title="Part one: defenders", extra=parent),
        file_name="hierarchy.xml",
    )
    whole = FundingActivity.objects.get(identifier="NL-PROGRAMME")
    part = FundingActivity.objects.get(identifier="NL-PART-1")
    assert part.parent_identifier == "NL-PROGRAMME"
    page = text_of(browser(nl).get(reverse("donors:activity", args=[part.pk])))
    assert "Part ofDigital rights programme (NL-PROGRAMME)" in page  # <dt>Part of</dt><dd>…
    page = text_of(browser(nl).get(reverse("donors:activity", args=[whole.pk])))
    assert "Its partsPart one: defenders (NL-PART-1)" in page
