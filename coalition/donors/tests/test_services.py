"""Donor coordination's writes and reads against the database: taking part, importing (whole or not at all),
sharing tiers, topics and money, overlaps and their review, self-assessment."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from coalition.core import policy
from coalition.core.errors import InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Tier
from coalition.directory.models import Country
from coalition.directory.queries import today
from coalition.directory.tests.factories import OrganisationFactory, government
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.donors import overlap_review, queries, services
from coalition.donors.ingest import spreadsheet
from coalition.donors.ingest.tests.test_iati import about_what_is_never_stored
from coalition.donors.models import (
    Allocation,
    ExchangeRate,
    FundingActivity,
    FundingLine,
    ImportBatch,
    Overlap,
    Participation,
    TopicMapping,
)
from coalition.donors.tests.conftest import IATI, funding, iati_file, imported, needs_standard, person_of
from coalition.response.models import Situation
from coalition.response.queries import brief

pytestmark = [pytest.mark.django_db, needs_standard]

SHOULD_PASS = sorted(p for p in (IATI / "schema-tests-should-pass").rglob("*.xml"))
SHOULD_FAIL = sorted(p for p in (IATI / "schema-tests-should-fail").rglob("*.xml"))
# a file whose only finding is in what the platform never stores is imported with a warning (issue 15, item 15)
SHOULD_BE_REFUSED = [p for p in SHOULD_FAIL if not about_what_is_never_stored(p)]
ONLY_WARNED = [p for p in SHOULD_FAIL if about_what_is_never_stored(p)]
REAL_FILES = sorted((IATI / "real-activities").glob("*.xml"))


def visible_ids(user: Any) -> set[str]:
    return set(policy.visible_to(user, FundingActivity).values_list("identifier", flat=True))


# --- Taking part --------------------------------------------------------------------------------------------------


def test_a_member_joins_on_a_date_and_leaves_later(member):
    nl = member("NL")
    joined = services.join(organisation=nl.organisation, by=nl, on=dt.date(2026, 1, 15))
    assert joined.joined_on == dt.date(2026, 1, 15)
    assert services.takes_part(nl.organisation)
    assert not services.takes_part(nl.organisation, on=dt.date(2026, 1, 14))
    with pytest.raises(InvalidInput, match="already takes part"):
        services.join(organisation=nl.organisation, by=nl)
    services.leave(organisation=nl.organisation, by=nl, on=dt.date(2026, 6, 1))
    assert not services.takes_part(nl.organisation, on=dt.date(2026, 6, 1))
    assert services.takes_part(nl.organisation, on=dt.date(2026, 5, 31))
    assert AuditEvent.objects.filter(action__in=["donors.joined", "donors.left"]).count() == 2


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])  # UTC+14, UTC−12: one is always another day
def test_joining_today_takes_part_today_whatever_the_readers_time_zone(member, zone):
    """A Support Unit officer in Tallinn recorded a member joining at 01:45 their time: it was dated by their own
    calendar (the next day in UTC), so the member did not take part "today" for the rest of the coalition."""
    nl = member("NL")
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        joined = services.join(organisation=nl.organisation, by=nl)
        assert services.takes_part(nl.organisation)
    assert joined.joined_on == today() and services.takes_part(nl.organisation)
    services.leave(organisation=nl.organisation, by=nl, on=today() + dt.timedelta(days=1))
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert services.takes_part(nl.organisation)  # until tomorrow in the coalition's calendar


def test_only_the_members_own_people_join_for_it(member, support, advisory):
    nl, de = member("NL"), member("DE")
    for outsider in (de, advisory):
        with pytest.raises(PermissionDenied):
            services.join(organisation=nl.organisation, by=outsider)
    services.join(organisation=nl.organisation, by=support)  # recorded for the member by the Support Unit
    assert Participation.objects.filter(organisation=nl.organisation).count() == 1


def test_a_civil_society_organisation_cannot_join_as_a_donor(support):
    cso: Any = OrganisationFactory()
    with pytest.raises(InvalidInput, match="not a government"):
        services.join(organisation=cso, by=support)


# --- Import -------------------------------------------------------------------------------------------------------


def test_an_import_saves_every_activity_with_its_lines_countries_and_topics(member):
    nl = member("NL")
    batch = imported(nl, funding("NL-1", sector="15160", country="KE"), funding("NL-2", sector="22040", country="UG"))
    assert (batch.created, batch.updated, batch.unchanged, batch.activities) == (2, 0, 0, 2)
    first = FundingActivity.objects.get(identifier="NL-1")
    assert first.reporter == nl.organisation and first.tier == Tier.MECHANISM
    assert first.countries == [{"code": "KE", "percentage": "100"}]
    assert first.topics == ["freedoms"]
    assert first.implementers == ["internews"]
    assert (first.starts_on, first.ends_on) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    kinds = sorted(first.lines.values_list("kind", "stage", "value", "currency"))
    assert kinds == [
        ("budget", "planned", Decimal("1000000.00"), "EUR"),
        ("commitment", "committed", Decimal("1000000.00"), "EUR"),
    ]
    assert FundingActivity.objects.get(identifier="NL-2").topics == ["inclusion"]


def test_importing_the_same_file_again_changes_nothing_and_a_changed_activity_is_updated_in_place(member):
    nl = member("NL")
    imported(nl, funding("NL-1"), funding("NL-2"))
    again = imported(nl, funding("NL-1"), funding("NL-2"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    activity = FundingActivity.objects.get(identifier="NL-1")
    services.set_tier(activity, by=nl, tier=Tier.PUBLIC)
    changed = imported(nl, funding("NL-1", title="Digital rights defenders, phase 2"), funding("NL-2"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    activity.refresh_from_db()
    assert activity.title == "Digital rights defenders, phase 2"
    assert activity.tier == Tier.PUBLIC  # the tier chosen for the record survives a re-import
    assert FundingActivity.objects.count() == 2
    assert activity.lines.count() == 2  # lines replaced, not added to


def test_the_same_identifier_from_two_members_is_two_records(member):
    nl, de = member("NL"), member("DE")
    imported(nl, funding("SHARED-1"))
    imported(de, funding("SHARED-1"))
    assert FundingActivity.objects.filter(identifier="SHARED-1").count() == 2


def refused(user: Any, data: bytes | Path, file_name: str = "bad.xml") -> ImportBatch:
    before = (FundingActivity.objects.count(), FundingLine.objects.count(), Allocation.objects.count())
    batch = services.import_file(data, file_name=file_name, reporter=user.organisation, by=user)
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    assert batch.errors, "a refused file says why"
    assert (FundingActivity.objects.count(), FundingLine.objects.count(), Allocation.objects.count()) == before
    return batch


def texts(batch: ImportBatch) -> str:
    return " | ".join(problem["text"] for problem in batch.errors)


def test_one_bad_activity_refuses_the_whole_file(member):
    nl = member("NL")
    batch = refused(nl, iati_file(funding("NL-1"), funding("NL-2", country="QQ")))
    assert "NL-2" in texts(batch) and "QQ" in texts(batch)


def test_duplicate_identifiers_are_refused_naming_both(member):
    batch = refused(member("NL"), iati_file(funding("NL-1"), funding("NL-1")))
    assert "NL-1" in texts(batch)


def test_unknown_codes_are_refused_with_the_code_named(member):
    batch = refused(member("NL"), iati_file(funding("NL-1", sector="99999", currency="ZZZ")))
    assert "99999" in texts(batch) and "ZZZ" in texts(batch)


def test_external_entities_are_refused_and_never_read(member, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&e;</iati-identifier>'
        "</iati-activity></iati-activities>"
    ).encode()
    batch = refused(member("NL"), xxe)
    assert "TOP-SECRET" not in str(batch.errors)
    assert "entit" in texts(batch).lower()


def test_a_billion_laughs_file_is_refused(member):
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    data = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(lol).replace("&lol0;", "&lol;")}]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&lol9;</iati-identifier>'
        "</iati-activity></iati-activities>"
    ).encode()
    assert "entit" in texts(refused(member("NL"), data)).lower()


def test_a_200_mb_file_is_refused_without_being_read(member, tmp_path):
    big = tmp_path / "huge.xml"
    with big.open("wb") as handle:  # a sparse file: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    batch = refused(member("NL"), big, file_name="huge.xml")
    assert "200" in texts(batch) and "MB" in texts(batch)


def test_a_wrong_root_element_is_refused(member):
    data = b'<?xml version="1.0"?><iati-organisations version="2.03"><iati-organisation/></iati-organisations>'
    assert "organisation file" in texts(refused(member("NL"), data))


def test_a_file_that_is_not_xml_or_a_template_is_refused_by_name(member):
    nl = member("NL")
    with pytest.raises(InvalidInput, match="only IATI"):
        services.import_file(b"MZ...", file_name="setup.exe", reporter=nl.organisation, by=nl)


def test_an_activity_ending_before_it_starts_is_refused(member):
    batch = refused(member("NL"), iati_file(funding("NL-1", start="2025-01-01", end="2024-01-01")))
    assert "before it starts" in texts(batch)


def test_someone_else_cannot_import_for_a_member(member, advisory):
    nl, de = member("NL"), member("DE")
    for outsider in (de, advisory):
        with pytest.raises(PermissionDenied):
            services.import_file(iati_file(funding("NL-1")), file_name="a.xml", reporter=nl.organisation, by=outsider)
    assert not ImportBatch.objects.exists()


@pytest.fixture
def schema_tests_only(settings, tmp_path):
    """The standard's test files are schema tests: their codes are placeholders ("xx"), so code checks are off for
    them, as they are wherever a deployment has no codelists (the report says so)."""
    settings.DONORS_IATI_CODELISTS = str(tmp_path / "no-codelists")


@pytest.mark.realdata
@pytest.mark.parametrize("path", SHOULD_PASS, ids=lambda p: p.name)
def test_every_should_pass_file_of_the_standard_imports(member, path, schema_tests_only):
    nl = member("NL")
    batch = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    assert FundingActivity.objects.filter(reporter=nl.organisation).count() == batch.activities > 0
    again = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert again.unchanged == batch.activities and again.created == 0  # idempotent, identifiers or not


@pytest.mark.realdata
@pytest.mark.parametrize("path", SHOULD_BE_REFUSED, ids=lambda p: p.name)
def test_every_should_fail_file_of_the_standard_is_refused_with_the_validators_reason(member, path, schema_tests_only):
    batch = refused(member("NL"), path, file_name=path.name)
    assert batch.errors[0]["kind"] in ("schema", "file") and batch.errors[0]["line"]


@pytest.mark.realdata
@pytest.mark.parametrize("path", ONLY_WARNED, ids=lambda p: p.name)
def test_a_should_fail_file_about_what_is_never_stored_imports_with_the_validators_reason_as_a_warning(
    member, path, schema_tests_only
):
    """Issue 15 item 15: the standard's files that break a rule only in what the platform never stores are imported,
    and the report keeps the validator's reason, with its line, as a warning."""
    nl = member("NL")
    batch = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    assert FundingActivity.objects.filter(reporter=nl.organisation).count() == batch.activities
    assert any(problem["kind"] == "schema" and problem["line"] for problem in batch.warnings), batch.warnings


@pytest.mark.realdata
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_a_real_publisher_file_imports_one_record_per_iati_activity_element(member, path):
    expected = path.read_bytes().count(b"<iati-activity ") + path.read_bytes().count(b"<iati-activity>")
    nl = member("NL")
    batch = services.import_file(path, file_name=path.name, reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors[:5]
    assert batch.created == FundingActivity.objects.count() == expected
    assert Allocation.objects.filter(activity__reporter=nl.organisation).exists()


# --- Tiers --------------------------------------------------------------------------------------------------------


@pytest.fixture
def mechanism(member, support):
    """NL, DE and SE take part; FR does not. NL reports one record at each tier."""
    people = {code: member(code) for code in ("NL", "DE", "SE", "FR")}
    for code in ("NL", "DE", "SE"):
        services.join(organisation=people[code].organisation, by=people[code], on=dt.date(2025, 1, 1))
    group = services.save_group(
        by=support, name="Kenya digital-rights donors", members=[people["NL"].organisation, people["SE"].organisation]
    )
    nl = people["NL"]
    imported(nl, funding("NL-PUBLIC", country="UG"), tier=Tier.PUBLIC, file_name="public.xml")
    imported(nl, funding("NL-MECH", country="TZ"), tier=Tier.MECHANISM, file_name="mechanism.xml")
    imported(nl, funding("NL-GROUP", country="RW"), tier=Tier.GROUP, group=group, file_name="group.xml")
    imported(nl, funding("NL-BILAT", country="ET"), tier=Tier.BILATERAL, bilateral_with=[people["DE"].organisation])
    imported(people["FR"], funding("FR-OWN", country="KE"), tier=Tier.MECHANISM)
    return people


def test_each_tier_reaches_exactly_its_readers(mechanism, support, advisory):
    p = mechanism
    assert visible_ids(p["NL"]) == {"NL-PUBLIC", "NL-MECH", "NL-GROUP", "NL-BILAT"}  # its own, every tier
    assert visible_ids(p["DE"]) == {"NL-PUBLIC", "NL-MECH", "NL-BILAT"}  # named bilaterally, not in the group
    assert visible_ids(p["SE"]) == {"NL-PUBLIC", "NL-MECH", "NL-GROUP"}  # in the group, not named
    assert visible_ids(p["FR"]) == {"NL-PUBLIC", "FR-OWN"}  # not taking part: public and its own only
    assert visible_ids(support) == {"NL-PUBLIC", "NL-MECH", "NL-GROUP"}  # runs the mechanism; never bilateral
    assert visible_ids(advisory) == {"NL-PUBLIC"}
    assert visible_ids(None) == {"NL-PUBLIC"}


def test_is_visible_agrees_with_visible_to_for_every_record_and_reader(mechanism, support, advisory):
    readers = [*mechanism.values(), support, advisory, None]
    for activity in FundingActivity.objects.all():
        for reader in readers:
            assert policy.is_visible(reader, activity) == (activity.identifier in visible_ids(reader))


def test_a_member_that_leaves_stops_seeing_and_being_seen(mechanism):
    p = mechanism
    services.leave(organisation=p["NL"].organisation, by=p["NL"], on=dt.date.today())
    assert visible_ids(p["DE"]) == {"NL-PUBLIC"}  # NL's shared records went home with it
    services.leave(organisation=p["DE"].organisation, by=p["DE"], on=dt.date.today())
    imported(p["SE"], funding("SE-MECH"))
    assert "SE-MECH" not in visible_ids(p["DE"])


def test_making_a_record_bilateral_hides_it_from_everyone_else_at_once(mechanism, support):
    p = mechanism
    record = FundingActivity.objects.get(identifier="NL-MECH")
    services.set_tier(record, by=p["NL"], tier=Tier.BILATERAL, bilateral_with=[p["SE"].organisation])
    assert "NL-MECH" in visible_ids(p["SE"])
    assert "NL-MECH" not in visible_ids(p["DE"]) | visible_ids(support)


def test_only_the_reporter_sets_a_tier_and_the_tier_must_make_sense(mechanism, support):
    p = mechanism
    record = FundingActivity.objects.get(identifier="NL-MECH")
    for outsider in (p["DE"], support):
        with pytest.raises(PermissionDenied):
            services.set_tier(record, by=outsider, tier=Tier.PUBLIC)
    with pytest.raises(InvalidInput, match="Name the member"):
        services.set_tier(record, by=p["NL"], tier=Tier.BILATERAL)
    with pytest.raises(InvalidInput, match="itself"):
        services.set_tier(record, by=p["NL"], tier=Tier.BILATERAL, bilateral_with=[p["NL"].organisation])
    with pytest.raises(InvalidInput, match="group"):
        services.set_tier(record, by=p["NL"], tier=Tier.GROUP)
    record.refresh_from_db()
    assert record.tier == Tier.MECHANISM


def test_heatmap_totals_are_sums_of_what_the_reader_may_see(mechanism, support):
    p = mechanism
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1.10"), source="ECB")
    countries = {code: {row.country for row in queries.heatmap(p[code]).rows} for code in ("NL", "DE", "SE", "FR")}
    assert countries["NL"] == {"UG", "TZ", "RW", "ET"}
    assert countries["DE"] == {"UG", "TZ", "ET"}
    assert countries["SE"] == {"UG", "TZ", "RW"}
    assert countries["FR"] == {"UG", "KE"}
    assert {row.country for row in queries.heatmap(support).rows} == {"UG", "TZ", "RW"}
    heatmap = queries.heatmap(p["DE"])
    assert heatmap.total == Decimal("3300000.00")  # three visible records × EUR 1 m × 1.10
    assert heatmap.totals["freedoms"] == heatmap.total


def test_an_overlap_is_seen_only_by_whoever_sees_both_records(mechanism, support):
    p = mechanism
    imported(p["DE"], funding("DE-ET", country="ET"), file_name="de.xml")  # overlaps NL-BILAT (Ethiopia)
    imported(p["SE"], funding("SE-ET", country="ET"), file_name="se.xml")
    services.detect_overlaps()  # (after an import it runs once the transaction commits; tests run it by hand)
    pairs = {frozenset((o.first.identifier, o.second.identifier)) for o in Overlap.objects.all()}
    assert frozenset(("NL-BILAT", "DE-ET")) in pairs
    seen = {
        who: {frozenset((o.first.identifier, o.second.identifier)) for o in queries.overlaps(user)}
        for who, user in (("NL", p["NL"]), ("DE", p["DE"]), ("SE", p["SE"]), ("SU", support))
    }
    assert frozenset(("NL-BILAT", "DE-ET")) in seen["NL"] & seen["DE"]
    assert not any("NL-BILAT" in pair for pair in seen["SE"] | seen["SU"])


# --- Topics and money ---------------------------------------------------------------------------------------------


def test_money_is_kept_as_reported_and_converted_at_a_named_rate(member, support):
    nl = member("NL")
    imported(nl, funding("NL-1", budget="1000000", start="2024-03-01"))
    line = FundingLine.objects.get(kind="budget")
    assert line.converted is None and line.rate is None  # no EUR rate recorded yet
    assert FundingActivity.objects.get().total is None
    assert FundingActivity.objects.get().total_basis.startswith("no rate for EUR")
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1.08"), source="ECB reference")
    services.add_rate(by=support, currency="eur", on=dt.date(2024, 6, 1), rate=Decimal("1.20"), source="ECB reference")
    line.refresh_from_db()
    assert (line.value, line.currency, line.converted) == (Decimal("1000000.00"), "EUR", Decimal("1080000.00"))
    assert line.rate is not None
    assert line.rate.on == dt.date(2024, 1, 1) and line.rate.source == "ECB reference"  # the rate before its date
    activity = FundingActivity.objects.get()
    assert (activity.total, activity.total_basis) == (Decimal("1080000.00"), "budgets")  # not budget + commitment
    assert str(line.rate) == "1 EUR = 1.08 USD on 2024-01-01 (ECB reference)"


def test_a_rate_needs_a_real_currency_a_positive_value_and_a_source(support, official):
    with pytest.raises(InvalidInput, match="ISO 4217"):
        services.add_rate(by=support, currency="EUX", on=dt.date(2024, 1, 1), rate=Decimal(1), source="x")
    with pytest.raises(InvalidInput, match="positive"):
        services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal(0), source="x")
    with pytest.raises(InvalidInput, match="source"):
        services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal(1), source=" ")
    with pytest.raises(PermissionDenied):
        services.add_rate(by=official, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal(1), source="x")
    assert not ExchangeRate.objects.exists()


def test_editing_the_mapping_moves_funding_between_topics(member, support):
    nl = member("NL")
    imported(nl, funding("NL-1", sector="15110"))  # public sector policy: mapped to no topic by default
    assert FundingActivity.objects.get().topics == []
    assert set(Allocation.objects.values_list("topic", flat=True)) == {""}
    services.set_mapping(by=support, kind="sector", code="15110", topic="surveillance", note="e-government")
    assert FundingActivity.objects.get().topics == ["surveillance"]
    assert set(Allocation.objects.values_list("topic", flat=True)) == {"surveillance"}
    services.remove_mapping(TopicMapping.objects.get(code="15110"), by=support)
    assert FundingActivity.objects.get().topics == []
    with pytest.raises(InvalidInput, match="codelist"):
        services.set_mapping(by=support, kind="sector", code="99999", topic="ai")
    with pytest.raises(PermissionDenied):
        services.set_mapping(by=nl, kind="sector", code="15110", topic="ai")


def test_a_category_mapping_covers_its_sectors_and_percentages_split_money(member, support):
    nl = member("NL")
    extra = '\n    <recipient-country code="UG" percentage="25"/>'
    activity = funding("NL-1", country="KE", sector="15160").replace(
        '<recipient-country code="KE" percentage="100"/>', '<recipient-country code="KE" percentage="75"/>' + extra
    )
    imported(nl, activity)
    shares = dict(Allocation.objects.values_list("country", "share"))
    assert shares == {"KE": Decimal("0.750000"), "UG": Decimal("0.250000")}


# --- Overlaps -----------------------------------------------------------------------------------------------------


def test_similar_funding_by_two_members_is_a_candidate_with_reasons_and_is_reviewed(
    member, django_capture_on_commit_callbacks
):
    nl, de, se = member("NL"), member("DE"), member("SE")
    for user in (nl, de, se):
        services.join(organisation=user.organisation, by=user)
    imported(nl, funding("NL-1", implementer="Internews", country="KE"))
    with django_capture_on_commit_callbacks(execute=True):  # the import enqueues detection once it has committed
        imported(de, funding("DE-1", implementer="Internews", country="KE", start="2025-01-01", end="2026-12-31"))
    imported(
        se, funding("SE-1", title="Rural broadband", description="Fibre to schools.", sector="22040", country="BR")
    )
    found = list(Overlap.objects.all())
    assert len(found) == 1
    candidate = found[0]
    assert {candidate.first.identifier, candidate.second.identifier} == {"NL-1", "DE-1"}
    kinds = {reason["kind"] for reason in candidate.reasons}
    assert {"country_topic", "period"} <= kinds
    overlap_review.review_overlap(candidate, by=de, review=Overlap.Review.TO_COORDINATE, note="call on Friday")
    candidate.refresh_from_db()
    assert candidate.review == "to_coordinate" and candidate.reviewed_by == de
    with pytest.raises(PermissionDenied):
        overlap_review.review_overlap(candidate, by=se, review=Overlap.Review.DUPLICATE)
    services.detect_overlaps()  # a re-run keeps the review
    candidate.refresh_from_db()
    assert candidate.review == "to_coordinate"


def test_a_reviewed_candidate_the_detector_no_longer_finds_is_kept_as_stale(member):
    nl, de = member("NL"), member("DE")
    for user in (nl, de):
        services.join(organisation=user.organisation, by=user)
    imported(nl, funding("NL-1"))
    imported(de, funding("DE-1"))
    services.detect_overlaps()
    candidate = Overlap.objects.get()
    overlap_review.review_overlap(candidate, by=nl, review=Overlap.Review.COMPLEMENTARY)
    imported(de, funding("DE-1", country="BR", title="Something else", description="Roads."))
    services.detect_overlaps()
    candidate.refresh_from_db()
    assert candidate.stale and candidate.review == "complementary"


# --- Self-assessment and the situation brief ----------------------------------------------------------------------


def test_a_member_assesses_itself_against_each_principle(member, support):

    principles = documents.create_document(
        by=support,
        title="Donor principles for human rights online",
        kind=Document.Kind.PRINCIPLES,
        text="# Donor principles\n\nDo no harm to those we fund.\n\nShare funding plans early.",
    )
    nl = member("NL")
    item = services.assess(
        organisation=nl.organisation, document=principles, paragraph=2, rating="met", evidence="x", by=nl
    )
    assert item.version == 1 and item.paragraph == 2
    again = services.assess(
        organisation=nl.organisation, document=principles, paragraph=2, rating="partly", evidence="y", by=nl
    )
    assert again.pk == item.pk and again.rating == "partly"
    with pytest.raises(InvalidInput, match="no principle 1"):  # a heading is not a principle
        services.assess(
            organisation=nl.organisation, document=principles, paragraph=1, rating="met", evidence="", by=nl
        )
    with pytest.raises(PermissionDenied):
        services.assess(
            organisation=nl.organisation, document=principles, paragraph=3, rating="met", evidence="", by=member("DE")
        )


def test_the_situation_brief_names_the_funding_its_reader_may_see(mechanism, support):

    p = mechanism
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1"), source="ECB")

    situation = Situation.objects.create(country=Country.objects.get(code="ET"), title="Shutdown", opened_by=support)
    assert "1 funding activity in Ethiopia (USD 1,000,000)" in brief(p["DE"], situation).funding_note
    assert "No member shares funding in Ethiopia" in brief(p["SE"], situation).funding_note
    gaps = {gap.country: gap for gap in queries.gaps(p["SE"])}
    assert gaps["ET"].total == 0 and "Open situation: Shutdown" in gaps["ET"].why


def test_the_funding_note_reads_its_count_and_sums_in_one_query(mechanism, support, django_assert_num_queries):
    """A situation room is at the 15-query budget (issue 17 item 8): the note of a country with shared funding and
    no hierarchy costs one query (it cost three: a count, a look for a hierarchy, the sums)."""

    p = mechanism
    services.add_rate(by=support, currency="EUR", on=dt.date(2024, 1, 1), rate=Decimal("1"), source="ECB")
    ethiopia = Country.objects.get(code="ET")
    queries.funding_note(p["DE"], ethiopia)  # the reader's roles, read once per request
    with django_assert_num_queries(1):
        note = queries.funding_note(p["DE"], ethiopia)
    assert "1 funding activity in Ethiopia (USD 1,000,000)" in note
    with django_assert_num_queries(1):
        assert "No member shares funding in Ethiopia" in queries.funding_note(p["SE"], ethiopia)


# --- The spreadsheet template -------------------------------------------------------------------------------------


def template_rows(*rows: str) -> bytes:

    header = spreadsheet.template_csv().decode("utf-8-sig").splitlines()[0]
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_spreadsheet_with_pipeline_planned_and_committed_funding_imports(member, support):

    nl = member("NL")
    columns = [c.lower() for c in spreadsheet.template_csv().decode("utf-8-sig").splitlines()[0].split(",")]
    assert columns[:2] == ["identifier", "title"]

    def row(stage: str, amount: str, start: str, end: str) -> str:
        values = {
            "identifier": "NL-SHEET-1",
            "title": "Safe online spaces for LGBTI defenders",
            "status": "pipeline" if stage == "pipeline" else "implementation",
            "start date": "2026-01-01",
            "end date": "2027-12-31",
            "recipient countries": "KE:60; UG:40",
            "sectors": "15160",
            "implementing organisations": "Demo Defenders Fund",
            "funding stage": stage,
            "amount": amount,
            "currency": "EUR",
            "period start": start,
            "period end": end,
        }
        return ",".join(f'"{values.get(column, "")}"' for column in columns)

    data = template_rows(
        row("planned", "300000", "2026-01-01", "2026-12-31"), row("committed", "250000", "2026-02-01", "2026-02-01")
    )
    batch = services.import_file(data, file_name="funding.csv", reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    activity = FundingActivity.objects.get(identifier="NL-SHEET-1")
    assert activity.source == FundingActivity.Source.SPREADSHEET
    assert sorted(activity.lines.values_list("stage", flat=True)) == ["committed", "planned"]
    assert {c["code"] for c in activity.countries} == {"KE", "UG"}
    again = services.import_file(data, file_name="funding.csv", reporter=nl.organisation, by=nl)
    assert again.unchanged == 1
    pipeline = template_rows(row("pipeline", "500000", "2027-01-01", "2027-12-31").replace("NL-SHEET-1", "NL-SHEET-2"))
    batch = services.import_file(pipeline, file_name="pipeline.csv", reporter=nl.organisation, by=nl)
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    assert list(FundingLine.objects.filter(activity__identifier="NL-SHEET-2").values_list("stage", flat=True)) == [
        "pipeline"
    ]


def test_the_blank_template_is_refused_until_its_example_is_deleted(member):

    nl = member("NL")
    for name, data in (("t.xlsx", spreadsheet.template_xlsx()), ("t.csv", spreadsheet.template_csv())):
        batch = refused(nl, data, file_name=name)
        assert "example activity" in texts(batch)


def test_a_spreadsheet_error_names_its_row_and_column(member):
    nl = member("NL")
    row = '"NL-1","A title",,,,,"QQ",,,,,"planned","-5","EUR","2026-01-01","2026-12-31"'
    batch = refused(nl, template_rows(row), file_name="funding.csv")
    assert "row 2" in texts(batch) and "QQ" in texts(batch) and "Amount" in texts(batch)


def test_an_observer_government_does_not_join_or_report(member, support):

    observer = government("BR", status="observer")
    with pytest.raises(InvalidInput, match="not a member"):
        services.join(organisation=observer, by=support)
    observers_official = person_of("BR")  # an observer's official holds the observer role, not a member's
    with pytest.raises(PermissionDenied):
        services.import_file(iati_file(funding("BR-1")), file_name="a.xml", reporter=observer, by=observers_official)
    nl = member("NL")
    imported(nl, funding("NL-1"))
    with pytest.raises(InvalidInput, match="not a member"):
        services.set_tier(FundingActivity.objects.get(), by=nl, tier=Tier.BILATERAL, bilateral_with=[observer])


def test_an_emptied_mapping_is_put_back_once_and_never_over_an_edited_one(support):
    TopicMapping.objects.all().delete()
    assert services.ensure_default_mapping() > 0
    assert services.ensure_default_mapping() == 0
    TopicMapping.objects.exclude(code="15160").delete()
    assert services.ensure_default_mapping() == 0 and TopicMapping.objects.count() == 1
