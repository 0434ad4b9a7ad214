"""Members' quarterly update calls (PoA 1B.2) as services: who records a call, and the digest on the next
Strategy and Coordination meeting's agenda."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.directory.models import Country, Office, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import OrganisationFactory, body
from coalition.meetings import services
from coalition.meetings.models import (
    AgendaItem,
    MeetingSeries,
    QuarterlyCall,
)
from coalition.meetings.tests.factories import create_series, focal_point, government, members
from coalition.meetings.tests.scenes import AMSTERDAM, MakeUser, days_from_today, events_since, ledger_mark, written

pytestmark = pytest.mark.django_db


# --- Quarterly calls --------------------------------------------------------------------------------------------


@pytest.fixture
def strategy_series(support: Any) -> MeetingSeries:
    """A Strategy and Coordination series: a meeting held last week and the next one in three weeks."""
    return create_series(
        by=support,
        title="Strategy and Coordination",
        body=body("strategy"),
        first_on=days_from_today(-7),
        count=2,
        frequency=MeetingSeries.Frequency.WEEKLY,
        interval=4,
        host_time_zone=AMSTERDAM,
    )


def test_a_members_quarterly_call_is_digested_on_the_next_strategy_meeting(
    support: Any, strategy_series: MeetingSeries
) -> None:
    netherlands, japan = members("NL", "JP")
    recorder = focal_point(netherlands).account
    task_force = create_series(
        by=support,
        title="Task force",
        body=body("task_force"),
        first_on=days_from_today(10),
        count=1,
        host_time_zone=AMSTERDAM,
    )
    mark = ledger_mark()
    call = services.record_quarterly_call(
        by=recorder, organisation=netherlands, held_on=days_from_today(-2), topics=" Shutdown monitoring. "
    )
    assert (call.topics, call.recorded_by, call.classification) == ("Shutdown monitoring.", recorder, "members")
    assert events_since(mark) == ["meetings.quarterly_call_recorded"]
    held, upcoming = strategy_series.meetings.order_by("starts_at")
    digest = upcoming.agenda.get(kind=AgendaItem.Kind.QUARTERLY_CALLS)
    assert "Government of NL" in digest.description and "Shutdown monitoring." in digest.description
    assert not held.agenda.filter(kind=AgendaItem.Kind.QUARTERLY_CALLS).exists()
    assert not AgendaItem.objects.filter(meeting__series=task_force, kind=AgendaItem.Kind.QUARTERLY_CALLS).exists()

    services.record_quarterly_call(by=support, organisation=japan, held_on=days_from_today(-1), topics="Elections.")
    digest = upcoming.agenda.get(kind=AgendaItem.Kind.QUARTERLY_CALLS)
    assert "Shutdown monitoring." in digest.description and "Elections." in digest.description
    assert digest.description.startswith("2 quarterly update call(s)")


def test_a_members_call_is_not_summarised_into_a_coalition_meeting(support: Any) -> None:
    netherlands = government("NL")
    coalition = create_series(
        by=support,
        title="Open strategy",
        body=body("strategy"),
        first_on=days_from_today(10),
        count=1,
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    upcoming = coalition.meetings.get()
    services.record_quarterly_call(by=support, organisation=netherlands, held_on=today(), topics="Confidential.")
    assert not upcoming.agenda.filter(kind=AgendaItem.Kind.QUARTERLY_CALLS).exists()
    services.record_quarterly_call(
        by=support,
        organisation=netherlands,
        held_on=today(),
        topics="Shareable.",
        classification=Classification.COALITION,
    )
    digest = upcoming.agenda.get(kind=AgendaItem.Kind.QUARTERLY_CALLS)
    assert "Shareable." in digest.description
    assert "Confidential." not in digest.description


def test_a_call_is_recorded_only_for_a_member_its_recorder_acts_for(make_user: MakeUser) -> None:
    japan = government("JP")
    estonian = make_user(Role.FOCAL_POINT)
    for someone in (estonian, make_user(Role.OBSERVER), make_user(Role.ADVISORY_NETWORK), AnonymousUser()):
        with pytest.raises(AccessDenied):
            services.record_quarterly_call(by=someone, organisation=japan, held_on=today(), topics="Elections.")
    assert QuarterlyCall.objects.count() == 0
    official = focal_point(japan, kind=Position.Kind.OFFICIAL).account
    assert services.record_quarterly_call(by=official, organisation=japan, held_on=today(), topics="Elections.")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"held_on": "future"}, "held_on"),
        ({"topics": "  "}, "topics"),
        ({"classification": Classification.RESTRICTED}, "classification"),
        ({"organisation": "civil_society"}, "organisation"),
        ({"organisation": "observer"}, "organisation"),
        ({"posts": "foreign"}, "posts"),
    ],
)
def test_a_call_with_bad_input_is_refused(support: Any, arguments: dict[str, Any], field: str) -> None:

    netherlands = government("NL")
    options: dict[str, Any] = {"organisation": netherlands, "held_on": today(), "topics": "Elections.", **arguments}
    if options["held_on"] == "future":
        options["held_on"] = days_from_today(2)
    if options["organisation"] == "civil_society":
        options["organisation"] = OrganisationFactory.create()
    if options["organisation"] == "observer":
        options["organisation"] = government("BR", status="observer")
    if options.get("posts") == "foreign":
        japan = government("JP")
        options["posts"] = [
            Office.objects.create(
                organisation=japan,
                kind="embassy",
                name="Embassy of JP",
                city="Geneva",
                host_country=Country.objects.get(code="JP"),
                time_zone="Europe/Zurich",
            )
        ]
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.record_quarterly_call(by=support, **options)
    assert error.value.field == field
    assert written() == before


def test_a_call_held_today_in_a_capital_ahead_of_utc_is_accepted(support: Any) -> None:
    call = services.record_quarterly_call(
        by=support, organisation=government("NZ"), held_on=days_from_today(1), topics="Pacific outreach."
    )
    assert call.held_on == days_from_today(1)
