"""Rapid response through its queries and services: the metrics of a situation and over time, the brief, and the
toolkit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.directory.models import Country, Office, Organisation
from coalition.directory.tests.factories import OrganisationFactory
from coalition.response import queries, services
from coalition.response.models import Pledge, Tool
from coalition.response.tests.scenes import closed, open_by_hand, publish, set_times, tool
from coalition.statements.tests.test_services import draft

pytestmark = pytest.mark.django_db


# --- Metrics ------------------------------------------------------------------------------------------------------


def test_metrics_count_from_the_first_signal(situation, estonia, demarche_tool):
    first = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, first_signal_at=first, opened_at=first + dt.timedelta(hours=3))
    made = services.pledge(
        situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Démarche."
    )
    Pledge.objects.filter(pk=made.pk).update(pledged_at=first + dt.timedelta(hours=5))

    metrics = queries.metrics_of(situation.opened_by, situation)

    assert metrics.to_opened == dt.timedelta(hours=3)
    assert metrics.to_first_pledge == dt.timedelta(hours=5)
    assert metrics.to_statement is None


def test_the_first_pledge_is_the_earliest(situation, estonia, ghana, demarche_tool):
    first = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, first_signal_at=first, opened_at=first + dt.timedelta(hours=1))
    for (organisation, account), hours in ((estonia, 9), (ghana, 4)):
        made = services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="x")
        Pledge.objects.filter(pk=made.pk).update(pledged_at=first + dt.timedelta(hours=hours))

    assert queries.metrics_of(situation.opened_by, situation).to_first_pledge == dt.timedelta(hours=4)


def test_without_a_first_signal_metrics_count_from_the_opening(support, ethiopia, estonia, demarche_tool):
    situation = open_by_hand(support, ethiopia)
    opened = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, opened_at=opened)
    made = services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="x")
    Pledge.objects.filter(pk=made.pk).update(pledged_at=opened + dt.timedelta(hours=2))

    metrics = queries.metrics_of(situation.opened_by, situation)

    assert metrics.to_opened is None
    assert metrics.to_first_pledge == dt.timedelta(hours=2)


def test_the_time_to_statement_counts_to_its_publication(situation, support, estonia):
    statement = publish(
        services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access."), support, estonia
    )
    published_at = statement.published_at
    assert published_at is not None
    situation = set_times(situation, first_signal_at=published_at - dt.timedelta(hours=30))

    assert queries.metrics_of(situation.opened_by, situation).to_statement == dt.timedelta(hours=30)


def test_metrics_give_per_year_medians(support, official, estonia, demarche_tool):
    def one(code: str, opened_at: dt.datetime, to_opened: float, to_pledge: float | None = None) -> None:
        first_signal_at = opened_at - dt.timedelta(hours=to_opened)
        situation = open_by_hand(support, Country.objects.get(code=code))
        situation = set_times(situation, opened_at=opened_at, first_signal_at=first_signal_at)
        if to_pledge is not None:
            made = services.pledge(
                situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="x"
            )
            Pledge.objects.filter(pk=made.pk).update(pledged_at=first_signal_at + dt.timedelta(hours=to_pledge))

    one("ET", dt.datetime(2024, 2, 1, tzinfo=dt.UTC), 1, to_pledge=10)
    one("IR", dt.datetime(2024, 6, 1, tzinfo=dt.UTC), 2, to_pledge=20)
    one("MM", dt.datetime(2024, 9, 1, tzinfo=dt.UTC), 6)
    one("SD", dt.datetime(2023, 5, 1, tzinfo=dt.UTC), 4, to_pledge=8)

    each, by_year = queries.metrics(official)

    assert len(each) == 4
    assert set(by_year) == {"2023", "2024"}
    assert by_year["2024"].count == 3
    assert by_year["2024"].median_to_opened == dt.timedelta(hours=2)
    assert by_year["2024"].median_to_first_pledge == dt.timedelta(hours=15)
    assert by_year["2024"].median_to_statement is None
    assert by_year["2023"].count == 1
    assert by_year["2023"].median_to_opened == dt.timedelta(hours=4)
    assert by_year["2023"].median_to_first_pledge == dt.timedelta(hours=8)


def test_metrics_only_count_situations_the_reader_may_see(situation, advisory, support):
    assert queries.metrics(advisory) == ([], {})

    services.widen(situation, by=support, classification=Classification.COALITION)

    each, _ = queries.metrics(advisory)
    assert [m.situation for m in each] == [situation]


# --- The brief ----------------------------------------------------------------------------------------------------


def embassy(organisation: Organisation, country: Country, city: str) -> Office:
    return Office.objects.create(
        organisation=organisation,
        kind=Office.Kind.EMBASSY,
        name=f"Embassy of {organisation} in {city}",
        city=city,
        host_country=country,
        time_zone="Africa/Addis_Ababa",
    )


def test_the_brief_lists_members_embassies_in_the_country(situation, official, estonia, ghana, iran):
    in_addis = [embassy(estonia[0], situation.country, "Addis Ababa"), embassy(ghana[0], situation.country, "Addis")]
    embassy(estonia[0], iran, "Tehran")
    ngo = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)
    Office.objects.create(
        organisation=ngo,
        kind=Office.Kind.EMBASSY,
        name="Not a government",
        city="Addis Ababa",
        host_country=situation.country,
        time_zone="Africa/Addis_Ababa",
    )

    brief = queries.brief(official, situation)

    assert sorted(brief.embassies, key=lambda office: office.pk) == in_addis


def test_the_brief_lists_earlier_statements_about_the_country_the_reader_may_see(
    widened, support, official, advisory, estonia, iran
):
    drafted = draft(support, title="Draft on Ethiopia", kind="country_specific", about_country=widened.country)
    out = publish(
        draft(support, title="Published on Ethiopia", kind="country_specific", about_country=widened.country),
        support,
        estonia,
    )
    draft(support, title="On Iran", kind="country_specific", about_country=iran)

    assert set(queries.brief(official, widened).statements) == {drafted, out}
    assert queries.brief(advisory, widened).statements == [out]


def test_the_brief_lists_past_situations_in_the_country_the_reader_may_see(support, official, advisory, ethiopia, iran):
    earlier = open_by_hand(support, ethiopia, title="Ethiopia 2023")
    closed(earlier, support)
    elsewhere = open_by_hand(support, iran)
    current = services.widen(open_by_hand(support, ethiopia), by=support, classification=Classification.COALITION)

    assert queries.brief(official, current).past == [earlier]
    assert elsewhere not in queries.brief(official, current).past
    assert queries.brief(advisory, current).past == []


def test_the_room_reads_its_situation_and_the_briefs_past_ones_together(support, official, advisory, ethiopia, iran):
    """The situation room reads the situation and its country's others in one query (issue 17 item 8): the same
    past situations the brief reads for that reader, and nothing at all for a situation the reader may not see."""
    earlier = open_by_hand(support, ethiopia, title="Ethiopia 2023")
    closed(earlier, support)
    open_by_hand(support, iran)
    hidden = open_by_hand(support, ethiopia, title="Members only")
    closed(hidden, support)
    current = services.widen(open_by_hand(support, ethiopia), by=support, classification=Classification.COALITION)

    for reader in (support, official, advisory):
        rows = queries.situations(reader)
        found, past = queries.with_past(rows, current.pk)
        assert found == current and past == queries.brief(reader, current).past, reader
    assert queries.with_past(queries.situations(support), current.pk)[1] == [hidden, earlier]
    assert queries.with_past(queries.situations(advisory), hidden.pk) == (None, [])
    assert queries.with_past(queries.situations(advisory), current.pk)[1] == []


def test_the_brief_lists_the_signals_behind_the_situation_in_time_order(alert, support, ethiopia, official):
    situation = services.open_situation(by=support, country=ethiopia, alert=alert)

    signals = queries.brief(official, situation).signals

    assert signals == sorted(alert.signals.all(), key=lambda s: s.starts_at)
    assert len(signals) == 2


def test_a_situation_opened_by_hand_has_no_signals_in_its_brief(situation, official):
    assert queries.brief(official, situation).signals == []


# --- The toolkit --------------------------------------------------------------------------------------------------


def test_the_support_unit_adds_a_tool(support):
    made = tool(support, "  Donor support ", kind=Tool.Kind.DONOR_SUPPORT, in_playbook=False)

    assert made.pk is not None
    assert made.name == "Donor support"
    assert not made.in_playbook
    assert made.classification == Classification.MEMBERS


def test_the_support_unit_edits_a_tool_keeping_what_it_does_not_change(support, demarche_tool):
    services.save_tool(by=support, tool=demarche_tool, suggested_lead="The Chair")

    demarche_tool.refresh_from_db()
    assert demarche_tool.suggested_lead == "The Chair"
    assert demarche_tool.name == "Joint démarche"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.FOCAL_POINT, Role.ADVISORY_NETWORK])
def test_only_the_support_unit_keeps_the_toolkit(make_user, role):
    with pytest.raises(AccessDenied):
        tool(make_user(role), "A tool")
    assert not Tool.objects.exists()


@pytest.mark.parametrize("missing", ["name", "when_to_use", "who_can_use"])
def test_a_tool_missing_a_needed_field_is_refused_naming_it(support, missing):
    fields: dict[str, Any] = {
        "name": "A tool",
        "kind": Tool.Kind.OTHER,
        "when_to_use": "Always.",
        "who_can_use": "Anyone.",
        missing: "  ",
    }

    with pytest.raises(InvalidInput) as refused:
        services.save_tool(by=support, **fields)
    assert refused.value.field == missing
    assert not Tool.objects.exists()


def test_a_tool_needs_a_known_kind(support):
    with pytest.raises(InvalidInput) as refused:
        tool(support, "A tool", kind="sanctions")
    assert refused.value.field == "kind"


def test_a_second_tool_of_the_same_name_is_refused(support, demarche_tool):
    with pytest.raises(InvalidInput) as refused:
        tool(support, "Joint démarche")
    assert refused.value.field == "name"
    assert Tool.objects.filter(name="Joint démarche").count() == 1
