"""Every write to meetings (issue 4): series and their dates across summer time, agendas that carry over, minutes
with revisions and approval, actions, attendance, invitations and replies, quarterly calls — who may make each
write, what it refuses (naming the field, writing nothing) and what it leaves in the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max

from coalition.accounts.models import User
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience, AuditEvent
from coalition.core.policy import Classification, Role, visible_to
from coalition.directory.models import Body, Country, Office, Organisation, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import BodyFactory, OrganisationFactory, PositionFactory, body
from coalition.meetings import rotation, services
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    MinutesApproval,
    MinutesRevision,
    QuarterlyCall,
)
from coalition.meetings.rotation import BurdenPoints, RotationImpossible
from coalition.meetings.tests.factories import GLOBE, activity, focal_point, government, members
from coalition.programme.models import EvidenceLink

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
AMSTERDAM = "Europe/Amsterdam"
GLOBE_KEYS = list(GLOBE)
NON_MANAGERS = [Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST]


# --- Helpers ----------------------------------------------------------------------------------------------------


def ledger_mark() -> int:
    return AuditEvent.objects.aggregate(top=Max("seq"))["top"] or 0


def events_since(mark: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=mark).order_by("seq").values_list("action", flat=True))


def written() -> tuple[int, ...]:
    """Everything a meetings write could leave behind, counted, so a refused write can be shown to write nothing."""
    return tuple(
        model.objects.count()
        for model in (
            MeetingSeries,
            Meeting,
            AgendaItem,
            MinutesRevision,
            MinutesApproval,
            Decision,
            ActionItem,
            Attendance,
            Invitation,
            QuarterlyCall,
            EvidenceLink,
            AuditEvent,
        )
    )


def at_local(day: dt.date, clock: str, zone: str = AMSTERDAM) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=ZoneInfo(zone))


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda.order_by("position", "pk").values_list("title", flat=True))


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def chair(make_user: MakeUser) -> Any:
    return make_user(Role.CHAIR)


@pytest.fixture
def series(support: Any) -> MeetingSeries:
    """A weekly members' series at 14:00 Amsterdam: two meetings held (10 and 3 days ago) and one to come."""
    return services.create_series(
        by=support,
        title="Strategy and Coordination",
        first_on=days_from_today(-10),
        count=3,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nProgramme review\nAny other business",
    )


@pytest.fixture
def meetings(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.order_by("starts_at"))


def last_of(series: MeetingSeries) -> Meeting:
    return series.meetings.order_by("-starts_at")[0]


def item_titled(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.agenda.get(title=title)


def circulated(meeting: Meeting, by: Any) -> Meeting:
    services.save_minutes(item=meeting.agenda.order_by("position", "pk")[0], by=by, text="Members were welcomed.")
    return services.circulate_minutes(meeting=meeting, by=by)


# --- cadence_dates ----------------------------------------------------------------------------------------------


def test_a_monthly_series_on_the_second_tuesday_falls_on_each_months_second_tuesday() -> None:
    dates = services.cadence_dates(
        frequency="monthly", first_on=dt.date(2027, 1, 1), count=4, weekday=1, week_of_month=2
    )
    assert dates == [dt.date(2027, 1, 12), dt.date(2027, 2, 9), dt.date(2027, 3, 9), dt.date(2027, 4, 13)]
    assert all(day.weekday() == 1 and 8 <= day.day <= 14 for day in dates)


def test_a_series_on_the_last_friday_falls_on_each_months_last_friday() -> None:
    dates = services.cadence_dates(
        frequency="monthly", first_on=dt.date(2026, 10, 1), count=4, weekday=4, week_of_month=-1
    )
    assert dates == [dt.date(2026, 10, 30), dt.date(2026, 11, 27), dt.date(2026, 12, 25), dt.date(2027, 1, 29)]


def test_a_second_tuesday_already_past_in_the_first_month_starts_the_month_after() -> None:
    dates = services.cadence_dates(
        frequency="monthly", first_on=dt.date(2027, 1, 13), count=1, weekday=1, week_of_month=2
    )
    assert dates == [dt.date(2027, 2, 9)]


def test_a_weekly_series_repeats_on_its_weekday_every_interval() -> None:
    dates = services.cadence_dates(frequency="weekly", first_on=dt.date(2027, 1, 4), count=3, interval=2, weekday=2)
    assert dates == [dt.date(2027, 1, 6), dt.date(2027, 1, 20), dt.date(2027, 2, 3)]


def test_a_weekly_series_without_a_weekday_keeps_the_first_dates_weekday() -> None:
    dates = services.cadence_dates(frequency="weekly", first_on=dt.date(2027, 1, 7), count=3)
    assert dates == [dt.date(2027, 1, 7), dt.date(2027, 1, 14), dt.date(2027, 1, 21)]


def test_a_quarterly_series_on_the_first_monday_comes_every_three_months() -> None:
    dates = services.cadence_dates(
        frequency="quarterly", first_on=dt.date(2027, 1, 1), count=4, weekday=0, week_of_month=1
    )
    assert dates == [dt.date(2027, 1, 4), dt.date(2027, 4, 5), dt.date(2027, 7, 5), dt.date(2027, 10, 4)]


def test_a_monthly_series_on_a_fixed_day_repeats_the_first_dates_day() -> None:
    dates = services.cadence_dates(frequency="monthly", first_on=dt.date(2027, 1, 28), count=3)
    assert dates == [dt.date(2027, 1, 28), dt.date(2027, 2, 28), dt.date(2027, 3, 28)]


def test_a_quarterly_series_on_a_fixed_day_repeats_it_every_three_months() -> None:
    dates = services.cadence_dates(frequency="quarterly", first_on=dt.date(2026, 11, 15), count=3)
    assert dates == [dt.date(2026, 11, 15), dt.date(2027, 2, 15), dt.date(2027, 5, 15)]


def test_sixty_meetings_is_the_most_a_series_holds() -> None:
    assert len(services.cadence_dates(frequency="weekly", first_on=dt.date(2027, 1, 4), count=60)) == 60


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 61}, "count"),
        ({"interval": 0}, "interval"),
        ({"interval": 13}, "interval"),
        ({"weekday": 7}, "weekday"),
        ({"week_of_month": 5, "weekday": 1}, "week_of_month"),
        ({"week_of_month": 2}, "weekday"),  # "the second …" what?
        ({"first_on": dt.date(2027, 1, 31)}, "first_on"),  # no 31 February
        ({"first_on": dt.date(2027, 1, 29)}, "first_on"),
        ({"frequency": "weekly", "week_of_month": 2, "weekday": 1}, "week_of_month"),
        ({"frequency": "daily"}, "frequency"),
    ],
)
def test_bad_cadence_input_is_refused_naming_its_field(arguments: dict[str, Any], field: str) -> None:
    options: dict[str, Any] = {"frequency": "monthly", "first_on": dt.date(2027, 1, 5), "count": 3, **arguments}
    with pytest.raises(InvalidInput) as error:
        services.cadence_dates(**options)
    assert error.value.field == field


# --- fixed_local_starts across summer time ----------------------------------------------------------------------

HOUR = dt.timedelta(hours=1)
# zone: (standard offset, summer offset, month summer time starts, month it ends), in hours
ZONES = {
    "Europe/Amsterdam": (1, 2, 3, 10),
    "Europe/Kyiv": (2, 3, 3, 10),
    "America/New_York": (-5, -4, 3, 11),
    "America/Santiago": (-4, -3, 9, 4),  # southern hemisphere: summer time from September to April
    "Pacific/Auckland": (12, 13, 9, 4),
}


def transitions(zone: str, years: tuple[int, ...] = (2026, 2027)) -> list[tuple[dt.date, dt.date]]:
    """The pairs of consecutive days whose midday offsets differ: a clock change falls between them (looked up
    in the zone database rather than written down, so a wrong date in a test cannot hide a wrong answer)."""
    found = []
    day = dt.date(years[0], 1, 1)
    while day.year <= years[-1]:
        after = day + dt.timedelta(days=1)
        if at_local(day, "12:00", zone).utcoffset() != at_local(after, "12:00", zone).utcoffset():
            found.append((day, after))
        day = after
    return found


def utc(day: dt.date, clock: str, offset_hours: int) -> dt.datetime:
    """The UTC instant of wall-clock `clock` on `day` in a zone `offset_hours` ahead of UTC."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=dt.UTC) - offset_hours * HOUR


def test_a_series_at_14_00_in_amsterdam_keeps_14_00_while_its_utc_start_moves_in_march_and_october() -> None:
    spring = services.cadence_dates(frequency="weekly", first_on=dt.date(2026, 3, 17), count=4)
    autumn = services.cadence_dates(frequency="weekly", first_on=dt.date(2026, 10, 13), count=4)
    starts = services.fixed_local_starts(spring + autumn, dt.time(14, 0), AMSTERDAM)
    assert [moment.isoformat() for moment in starts] == [
        "2026-03-17T13:00:00+00:00",
        "2026-03-24T13:00:00+00:00",
        "2026-03-31T12:00:00+00:00",  # summer time from 29 March
        "2026-04-07T12:00:00+00:00",
        "2026-10-13T12:00:00+00:00",
        "2026-10-20T12:00:00+00:00",
        "2026-10-27T13:00:00+00:00",  # winter time from 25 October
        "2026-11-03T13:00:00+00:00",
    ]
    assert {moment.astimezone(ZoneInfo(AMSTERDAM)).time() for moment in starts} == {dt.time(14, 0)}
    assert all(moment.tzinfo is dt.UTC for moment in starts)


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_fixed_local_starts_give_the_exact_utc_instant_either_side_of_each_clock_change(zone: str) -> None:
    standard, summer, starts_in, ends_in = ZONES[zone]
    changes = transitions(zone)
    assert [after.month for _, after in changes] == sorted([starts_in, ends_in]) * 2  # two changes a year
    for before, after in changes:
        starts = services.fixed_local_starts([before, after], dt.time(14, 0), zone)
        if after.month == starts_in:
            assert starts == [utc(before, "14:00", standard), utc(after, "14:00", summer)]
        else:
            assert starts == [utc(before, "14:00", summer), utc(after, "14:00", standard)]
        assert [moment.astimezone(ZoneInfo(zone)).time() for moment in starts] == [dt.time(14, 0)] * 2


def test_a_series_in_tokyo_keeps_the_same_utc_start_all_year() -> None:
    assert transitions("Asia/Tokyo") == []
    days = [day for pair in transitions(AMSTERDAM) + transitions("America/Santiago") for day in pair]
    starts = services.fixed_local_starts(days, dt.time(14, 0), "Asia/Tokyo")
    assert starts == [utc(day, "14:00", 9) for day in days]


def test_santiago_and_amsterdam_are_five_hours_apart_in_march_and_four_between_april_and_late_march() -> None:
    before_santiago_change, after_santiago_change = transitions("America/Santiago")[0]  # early April 2026
    amsterdam = services.fixed_local_starts([before_santiago_change, after_santiago_change], dt.time(14), AMSTERDAM)
    assert [moment.astimezone(ZoneInfo("America/Santiago")).time() for moment in amsterdam] == [
        dt.time(9, 0),
        dt.time(8, 0),
    ]


@pytest.mark.parametrize(
    ("zone", "day", "clock", "expected_utc", "expected_local"),
    [
        # Wall-clock times skipped by a spring-forward change are read with the offset before it (RFC 5545).
        ("Europe/Amsterdam", dt.date(2026, 3, 29), "02:30", "2026-03-29T01:30:00+00:00", "03:30"),
        ("America/New_York", dt.date(2026, 3, 8), "02:30", "2026-03-08T07:30:00+00:00", "03:30"),
        ("America/Santiago", dt.date(2026, 9, 6), "00:30", "2026-09-06T04:30:00+00:00", "01:30"),
        ("Pacific/Auckland", dt.date(2026, 9, 27), "02:30", "2026-09-26T14:30:00+00:00", "03:30"),
    ],
)
def test_a_start_in_a_spring_forward_gap_is_read_with_the_offset_before_the_change(
    zone: str, day: dt.date, clock: str, expected_utc: str, expected_local: str
) -> None:
    [start] = services.fixed_local_starts([day], dt.time.fromisoformat(clock), zone)
    assert start.isoformat() == expected_utc
    assert start.astimezone(ZoneInfo(zone)).strftime("%H:%M") == expected_local


def test_a_start_repeated_by_a_fall_back_change_is_its_first_occurrence() -> None:
    [start] = services.fixed_local_starts([dt.date(2026, 10, 25)], dt.time(2, 30), AMSTERDAM)
    assert start.isoformat() == "2026-10-25T00:30:00+00:00"  # 02:30 summer time, not the later 02:30 winter time


# --- create_series ----------------------------------------------------------------------------------------------


def burden_of(meetings: list[Meeting], tz: str) -> int:
    points = BurdenPoints()
    return sum(
        points.of(rotation.classify_meeting(starts_at=m.starts_at, duration=m.duration, tz=tz)) for m in meetings
    )


def test_a_rotated_series_stores_its_rotation_and_gives_each_meeting_the_plans_start(
    support: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    members()
    plans = []
    real_plan = rotation.plan_rotation

    def spy(**options: Any) -> rotation.RotationPlan:
        plans.append((options, real_plan(**options)))
        return plans[-1][1]

    monkeypatch.setattr(rotation, "plan_rotation", spy)
    mark = ledger_mark()
    series = services.create_series(
        by=support,
        title="Strategy and Coordination",
        first_on=dt.date(2027, 1, 1),
        count=4,
        weekday=1,
        week_of_month=2,
        host_time_zone=AMSTERDAM,
        rotate=True,
        agenda_template="Welcome\n\n  - Programme review\n",
    )
    [(options, plan)] = plans
    assert {(p.key, p.tz) for p in options["participants"]} == set(GLOBE.items())
    held = list(series.meetings.order_by("starts_at"))
    assert [m.starts_at for m in held] == list(plan.rotation.starts_at)
    assert [m.starts_at.date() for m in held] == [
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
        dt.date(2027, 3, 9),
        dt.date(2027, 4, 13),
    ]
    record = fresh(series).rotation
    assert record["participants"] == len(GLOBE)
    assert record["worst_off"] == plan.rotation.worst_off
    assert record["explanation"] == plan.explanation
    # Each member's ledger is the burden the stored meetings really put on its capital.
    assert {row["key"]: row["burden"] for row in record["ledger"]} == {
        key: burden_of(held, tz) for key, tz in GLOBE.items()
    }
    assert max(row["burden"] for row in record["ledger"]) == record["worst_off"] <= record["fixed_worst_off"]
    assert all(titles(m) == ["Welcome", "Programme review"] for m in held)
    assert {m.host_time_zone for m in held} == {AMSTERDAM}
    assert events_since(mark) == ["meetings.series_created"]


def test_a_series_without_rotation_keeps_the_hosts_wall_clock_time(support: Any) -> None:
    series = services.create_series(
        by=support,
        title="Weekly coordination",
        first_on=dt.date(2026, 3, 17),
        count=4,
        frequency=MeetingSeries.Frequency.WEEKLY,
        local_start=dt.time(14, 0),
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome",
    )
    held = list(series.meetings.order_by("starts_at"))
    assert [m.starts_at for m in held] == services.fixed_local_starts(
        [dt.date(2026, 3, 17), dt.date(2026, 3, 24), dt.date(2026, 3, 31), dt.date(2026, 4, 7)],
        dt.time(14, 0),
        AMSTERDAM,
    )
    assert [m.local_start().strftime("%H:%M") for m in held] == ["14:00"] * 4
    assert [m.title for m in held] == [f"Weekly coordination ({n})" for n in range(1, 5)]
    assert fresh(series).rotation is None


def test_a_rotation_with_no_night_meetings_for_capitals_round_the_globe_is_impossible_and_saves_nothing(
    support: Any,
) -> None:
    members()
    before = written()
    with pytest.raises(RotationImpossible) as error:
        services.create_series(
            by=support,
            title="Strategy and Coordination",
            first_on=dt.date(2027, 1, 1),
            count=3,
            weekday=1,
            week_of_month=2,
            host_time_zone=AMSTERDAM,
            rotate=True,
            max_nights_per_quarter=0,
        )
    assert error.value.field == "max_nights_per_quarter"
    assert written() == before


def test_a_host_in_working_hours_on_a_weekday_that_cannot_hold_is_impossible_and_saves_nothing(support: Any) -> None:
    new_zealand = members()[GLOBE_KEYS.index("NZ")]
    before = written()
    with pytest.raises(RotationImpossible) as error:
        services.create_series(
            by=support,
            title="All-day retreat",
            first_on=dt.date(2027, 1, 1),
            count=2,
            weekday=1,
            week_of_month=2,
            duration_minutes=600,  # a ten-hour day must start 08:00 on Tuesday in Wellington: Monday in UTC
            host_time_zone="Pacific/Auckland",
            host_organisation=new_zealand,
            rotate=True,
            host_in_working_hours=True,
            keep_weekday=True,
        )
    assert error.value.field == "weekday"
    assert written() == before


def test_a_rotation_keeps_the_host_inside_its_working_hours(support: Any) -> None:
    new_zealand = members()[GLOBE_KEYS.index("NZ")]
    series = services.create_series(
        by=support,
        title="Strategy and Coordination",
        first_on=dt.date(2027, 1, 1),
        count=3,
        weekday=1,
        week_of_month=2,
        host_time_zone="Pacific/Auckland",
        host_organisation=new_zealand,
        rotate=True,
        host_in_working_hours=True,
    )
    for meeting in series.meetings.all():
        category = rotation.classify_meeting(
            starts_at=meeting.starts_at, duration=meeting.duration, tz="Pacific/Auckland"
        )
        assert category == rotation.Category.WORKING
    assert fresh(series).rotation["options"]["host"] == "NZ"


def test_the_host_constraint_needs_a_host_with_a_known_zone(support: Any) -> None:
    members()
    civil_society = OrganisationFactory.create()
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_series(
            by=support,
            title="Strategy and Coordination",
            first_on=dt.date(2027, 1, 1),
            count=2,
            host_time_zone=AMSTERDAM,
            host_organisation=civil_society,
            rotate=True,
            host_in_working_hours=True,
        )
    assert error.value.field == "host_organisation"
    assert written() == before


@pytest.mark.parametrize(
    "constraint",
    [
        {"max_nights_per_quarter": 1},
        {"host_in_working_hours": True},
        {"keep_weekday": True, "weekday": 1},
    ],
)
def test_rotation_constraints_without_rotation_are_refused(support: Any, constraint: dict[str, Any]) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_series(
            by=support,
            title="Strategy and Coordination",
            first_on=dt.date(2027, 1, 5),
            count=2,
            host_time_zone=AMSTERDAM,
            host_organisation=government("NL"),
            **constraint,
        )
    assert error.value.field == "rotate"
    assert written() == before


def test_a_restricted_series_is_refused(support: Any) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_series(
            by=support,
            title="Closed session",
            first_on=dt.date(2027, 1, 5),
            count=2,
            host_time_zone=AMSTERDAM,
            classification=Classification.RESTRICTED,
        )
    assert error.value.field == "classification"
    assert written() == before


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"title": "  "}, "title"),
        ({"host_time_zone": "Mars/Olympus"}, "host_time_zone"),
        ({"host_time_zone": ""}, "host_time_zone"),
        ({"host_time_zone": "localtime"}, "host_time_zone"),  # the server's own zone is no IANA name
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"count": 0}, "count"),
        ({"participation": "body"}, "body"),  # a body's series needs the body
        ({"participation": "everyone"}, "participation"),
        ({"classification": "secret"}, "classification"),
    ],
)
def test_a_series_with_bad_input_is_refused_naming_the_field(
    support: Any, arguments: dict[str, Any], field: str
) -> None:
    options: dict[str, Any] = {
        "title": "Coordination",
        "first_on": dt.date(2027, 1, 5),
        "count": 2,
        "host_time_zone": AMSTERDAM,
        **arguments,
    }
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_series(by=support, **options)
    assert error.value.field == field
    assert written() == before


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_only_managers_create_a_series(make_user: MakeUser, role: Role) -> None:
    before = written()
    with pytest.raises(AccessDenied):
        services.create_series(
            by=make_user(role), title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
        )
    assert written() == before


def test_an_anonymous_visitor_creates_no_series() -> None:
    with pytest.raises(AccessDenied):
        services.create_series(
            by=AnonymousUser(), title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
        )
    assert MeetingSeries.objects.count() == 0


def test_the_chair_creates_a_series(chair: Any) -> None:
    series = services.create_series(
        by=chair, title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
    )
    assert series.meetings.count() == 2
    assert series.organiser == chair


# --- create_meeting ---------------------------------------------------------------------------------------------


def test_a_new_meeting_of_a_series_carries_the_items_its_predecessor_did_not_reach(support: Any) -> None:
    series = services.create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-3),
        count=1,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nAny other business",
    )
    first = series.meetings.get()
    aob = item_titled(first, "Any other business")
    assert services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED) is None  # nowhere yet
    mark = ledger_mark()
    second = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(25), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert titles(second) == ["Welcome", "Any other business", "Any other business"]
    carried = second.agenda.get(carried_from=aob)
    assert carried.outcome == AgendaItem.Outcome.PENDING
    assert events_since(mark) == ["meetings.meeting_created"]
    third = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(55), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert not third.agenda.filter(carried_from=aob).exists()  # carried once, not again


def test_a_new_meeting_puts_the_circulated_minutes_and_open_actions_of_its_predecessor_on_its_agenda(
    support: Any,
) -> None:
    series = services.create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-3),
        count=1,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome",
    )
    first = series.meetings.get()
    services.assign_action(meeting=first, by=support, text="Share the checklist.", owner_organisation=government("NL"))
    circulated(first, support)
    second = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(25), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert approval.approves == first
    assert second.agenda.filter(kind=AgendaItem.Kind.ACTION_REVIEW).exists()
    assert titles(second)[:3] == [approval.title, "Review of open action items", "Welcome"]


def test_a_meeting_of_a_series_takes_the_series_classification(support: Any) -> None:
    series = services.create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(20),
        count=1,
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    meeting = services.create_meeting(
        by=support,
        title="Extra",
        starts_at=at_local(days_from_today(30), "10:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert meeting.classification == Classification.COALITION


def test_a_meeting_less_restricted_than_its_series_is_refused(support: Any, series: MeetingSeries) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_meeting(
            by=support,
            title="Open day",
            starts_at=at_local(days_from_today(30), "10:00"),
            host_time_zone=AMSTERDAM,
            series=series,
            classification=Classification.PUBLIC,  # its agenda would carry the members' items
        )
    assert error.value.field == "classification"
    assert written() == before


def test_a_meeting_needs_an_aware_start(support: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        services.create_meeting(
            by=support, title="Call", starts_at=dt.datetime(2027, 1, 12, 14), host_time_zone=AMSTERDAM
        )
    assert error.value.field == "starts_at"


def test_a_single_meeting_is_stored_in_utc_with_its_host_zone(support: Any) -> None:
    meeting = services.create_meeting(
        by=support,
        title="Call",
        starts_at=at_local(dt.date(2027, 1, 12), "09:00", "Asia/Tokyo"),
        host_time_zone="Asia/Tokyo",
    )
    meeting = fresh(meeting)
    assert meeting.starts_at == dt.datetime(2027, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert meeting.local_start().strftime("%H:%M") == "09:00"
    assert meeting.classification == Classification.MEMBERS


# --- Agenda: outcomes and carry-over ----------------------------------------------------------------------------


def test_an_item_not_reached_is_copied_to_the_next_meeting(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    review = item_titled(first, "Programme review")
    services.add_agenda_item(meeting=first, by=support, title="Budget", description="The 2027 budget.")
    budget = item_titled(first, "Budget")
    mark = ledger_mark()
    carried = services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert carried is not None
    assert (carried.meeting, carried.title, carried.description, carried.carried_from) == (
        second,
        "Budget",
        "The 2027 budget.",
        budget,
    )
    assert titles(second) == ["Welcome", "Programme review", "Any other business", "Budget"]
    assert fresh(budget).outcome == AgendaItem.Outcome.NOT_REACHED
    assert events_since(mark) == ["meetings.agenda_outcome"]
    assert services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED) is None
    assert second.agenda.filter(carried_from=budget).count() == 1
    assert not second.agenda.filter(carried_from=review).exists()


def test_an_item_taken_after_all_withdraws_its_unminuted_copy(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert second.agenda.filter(carried_from=aob).exists()
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert not second.agenda.filter(carried_from=aob).exists()
    assert fresh(aob).outcome == AgendaItem.Outcome.TAKEN


def test_a_copy_with_minutes_stays_when_the_original_is_taken_after_all(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    copy = services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None
    services.save_minutes(item=copy, by=support, text="Discussed at last.")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert second.agenda.filter(carried_from=aob).exists()


def test_a_copy_with_a_decision_stays_when_the_original_is_taken_after_all(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    copy = services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None
    decision = services.record_decision(meeting=second, by=support, item=copy, text="Agreed to meet in person.")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert fresh(decision).item == copy


def test_an_unknown_outcome_is_refused(support: Any, meetings: list[Meeting]) -> None:
    with pytest.raises(InvalidInput) as error:
        services.set_outcome(item=item_titled(meetings[0], "Welcome"), by=support, outcome="postponed")
    assert error.value.field == "outcome"


def test_an_agenda_item_needs_a_title(support: Any, meetings: list[Meeting]) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.add_agenda_item(meeting=meetings[0], by=support, title=" ")
    assert error.value.field == "title"
    assert written() == before


def test_an_added_agenda_item_goes_last_and_is_recorded(support: Any, meetings: list[Meeting]) -> None:
    mark = ledger_mark()
    item = services.add_agenda_item(meeting=meetings[2], by=support, title="  Budget  ")
    assert titles(meetings[2])[-1] == "Budget"
    assert item.position > max(i.position for i in meetings[2].agenda.exclude(pk=item.pk))
    assert events_since(mark) == ["meetings.agenda_item_added"]


# --- Minutes ----------------------------------------------------------------------------------------------------


def test_each_save_of_the_minutes_is_a_new_numbered_revision(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    mark = ledger_mark()
    first = services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    second = services.save_minutes(item=item, by=support, text="The chair opened the meeting at 14:05.")
    assert first is not None and second is not None
    assert [(r.number, r.text) for r in item.minutes_revisions.order_by("number")] == [
        (1, "The chair opened the meeting."),
        (2, "The chair opened the meeting at 14:05."),
    ]
    assert item.current_minutes() == second
    assert events_since(mark) == ["meetings.minutes_saved", "meetings.minutes_saved"]


def test_saving_unchanged_minutes_makes_no_revision(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    mark = ledger_mark()
    assert services.save_minutes(item=item, by=support, text="  The chair opened the meeting.\n") is None
    assert services.save_minutes(item=item_titled(meetings[0], "Programme review"), by=support, text=" ") is None
    assert MinutesRevision.objects.count() == 1
    assert events_since(mark) == []


def test_circulated_minutes_refuse_edits(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    services.circulate_minutes(meeting=meetings[0], by=support)
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.save_minutes(item=item, by=support, text="Rewritten after circulation.")  # item.meeting is stale
    assert error.value.field == "text"
    with pytest.raises(InvalidInput):
        services.record_decision(meeting=meetings[0], by=support, text="A decision slipped in later.")
    with pytest.raises(InvalidInput):
        services.assign_action(meeting=meetings[0], by=support, text="Late", owner_organisation=government("NL"))
    assert written() == before


def test_minutes_are_circulated_once_the_meeting_has_started_and_go_on_the_next_agenda_for_approval(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="The chair opened the meeting.")
    mark = ledger_mark()
    meeting = services.circulate_minutes(meeting=first, by=support)
    assert meeting.minutes_state == Meeting.MinutesState.CIRCULATED
    assert meeting.minutes_circulated_at is not None
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert approval.approves == first
    assert approval.outcome == AgendaItem.Outcome.PENDING
    assert events_since(mark) == ["meetings.minutes_circulated"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["hash"] == services.minutes_hash(first)


def test_minutes_of_a_meeting_not_yet_started_are_not_circulated(support: Any, meetings: list[Meeting]) -> None:
    upcoming = meetings[2]
    services.save_minutes(item=item_titled(upcoming, "Welcome"), by=support, text="Prepared in advance.")
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.circulate_minutes(meeting=upcoming, by=support)
    assert error.value.field == "minutes_state"
    assert written() == before
    assert fresh(upcoming).minutes_state == Meeting.MinutesState.DRAFT


def test_minutes_without_any_text_are_not_circulated(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="Written by mistake.")
    services.save_minutes(item=item, by=support, text="")  # and blanked again
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.circulate_minutes(meeting=meetings[0], by=support)
    assert error.value.field == "minutes_state"
    assert written() == before


def test_a_decision_alone_is_minutes_enough_to_circulate(support: Any, meetings: list[Meeting]) -> None:
    services.record_decision(meeting=meetings[0], by=support, text="Members agreed the workplan.")
    assert services.circulate_minutes(meeting=meetings[0], by=support).minutes_state == "circulated"


def test_minutes_are_approved_at_a_later_meeting_with_the_digest_of_what_was_approved(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    decided, acted, discussed = activity("3B.2"), activity("1B.2"), activity("1B.3")
    review = item_titled(first, "Programme review")
    review.activity = discussed
    review.save(update_fields=["activity"])
    services.save_minutes(item=review, by=support, text="The tracker was reviewed.")
    services.record_decision(meeting=first, by=support, item=review, text="Adopt the tracker.", activity=decided)
    services.assign_action(
        meeting=first, by=support, text="Report on 1B.2.", owner_organisation=government("NL"), activity=acted
    )
    circulated(first, support)
    digest = services.minutes_hash(first)
    mark = ledger_mark()
    approval = services.approve_minutes(minutes_of=first, at=second, by=support)
    approval = fresh(approval)
    assert (approval.minutes_of, approval.approved_at, approval.approved_by) == (first, second, support)
    assert approval.content_hash == digest == services.minutes_hash(first)
    assert fresh(first).minutes_state == Meeting.MinutesState.APPROVED
    item = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert (item.approves, item.outcome) == (first, AgendaItem.Outcome.TAKEN)
    links = EvidenceLink.objects.filter(record_type="meetings.meeting", record_id=str(first.pk))
    assert {link.activity for link in links} == {decided, acted, discussed}
    # The evidence goes through the programme's own service, which records each link.
    assert events_since(mark) == ["meetings.minutes_approved", *["programme.evidence_linked"] * 3]


def test_minutes_are_approved_at_a_meeting_starting_within_a_day(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    soon = services.reschedule(meeting=meetings[2], by=support, starts_at=dt.datetime.now(dt.UTC) + 20 * HOUR)
    circulated(first, support)
    assert services.approve_minutes(minutes_of=first, at=soon, by=support).approved_at == soon


def test_minutes_are_not_approved_at_a_meeting_more_than_a_day_ahead(support: Any, meetings: list[Meeting]) -> None:
    first, _, upcoming = meetings
    circulated(first, support)
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=first, at=upcoming, by=support)
    assert error.value.field == "at"
    assert written() == before


def test_minutes_are_not_approved_at_the_same_or_an_earlier_meeting(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(second, support)
    for at in (first, second):
        with pytest.raises(InvalidInput) as error:
            services.approve_minutes(minutes_of=second, at=at, by=support)
        assert error.value.field == "at"
    assert MinutesApproval.objects.count() == 0


def test_minutes_are_not_approved_at_a_meeting_of_another_series(support: Any, meetings: list[Meeting]) -> None:
    other = services.create_meeting(
        by=support, title="Other", starts_at=at_local(days_from_today(-1), "10:00"), host_time_zone=AMSTERDAM
    )
    circulated(meetings[0], support)
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=meetings[0], at=other, by=support)
    assert error.value.field == "at"


def test_draft_minutes_are_not_approved(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="Opened.")
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=first, at=second, by=support)
    assert error.value.field == "minutes_state"
    assert MinutesApproval.objects.count() == 0


def test_approved_minutes_are_not_approved_twice(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(first, support)
    services.approve_minutes(minutes_of=first, at=second, by=support)
    with pytest.raises(InvalidInput):
        services.approve_minutes(minutes_of=first, at=second, by=support)
    assert MinutesApproval.objects.count() == 1


def test_approving_other_minutes_leaves_the_meetings_own_approval_item_alone(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    circulated(first, support)
    circulated(second, support)  # its approval item goes on the third meeting
    soon = services.reschedule(meeting=third, by=support, starts_at=dt.datetime.now(dt.UTC) + 2 * HOUR)
    services.approve_minutes(minutes_of=first, at=soon, by=support)  # late: not approved at the second
    own = soon.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert (own.approves, own.outcome) == (second, AgendaItem.Outcome.PENDING)
    assert soon.agenda.get(approves=first).outcome == AgendaItem.Outcome.TAKEN
    services.approve_minutes(minutes_of=second, at=soon, by=support)
    assert fresh(own).outcome == AgendaItem.Outcome.TAKEN


def test_an_approval_not_reached_is_carried_and_taken_when_the_minutes_are_approved_later(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    circulated(first, support)
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    copy = services.set_outcome(item=approval, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None and (copy.meeting, copy.approves) == (third, first)
    soon = services.reschedule(meeting=third, by=support, starts_at=dt.datetime.now(dt.UTC) + 2 * HOUR)
    services.approve_minutes(minutes_of=first, at=soon, by=support)
    assert fresh(copy).outcome == AgendaItem.Outcome.TAKEN
    assert soon.agenda.filter(approves=first).count() == 1


def test_a_review_of_actions_not_reached_is_not_copied_beside_the_next_meetings_own(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    services.assign_action(meeting=first, by=support, text="Report.", owner_organisation=government("NL"))
    review = second.agenda.get(kind=AgendaItem.Kind.ACTION_REVIEW)
    services.set_outcome(item=review, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert list(third.agenda.filter(title="Review of open action items").values_list("kind", flat=True)) == [
        AgendaItem.Kind.ACTION_REVIEW
    ]


def test_circulated_minutes_go_back_to_draft_only_with_a_reason(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    circulated(first, support)
    with pytest.raises(InvalidInput) as error:
        services.return_to_draft(meeting=first, by=support, reason="  ")
    assert error.value.field == "reason"
    assert fresh(first).minutes_state == Meeting.MinutesState.CIRCULATED
    mark = ledger_mark()
    meeting = services.return_to_draft(meeting=first, by=support, reason="The Netherlands asked for a correction.")
    assert meeting.minutes_state == Meeting.MinutesState.DRAFT
    assert events_since(mark) == ["meetings.minutes_returned"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["reason"] == "The Netherlands asked for a correction."
    assert services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="Corrected.") is not None


def test_draft_minutes_do_not_go_back_to_draft(support: Any, meetings: list[Meeting]) -> None:
    with pytest.raises(InvalidInput) as error:
        services.return_to_draft(meeting=meetings[0], by=support, reason="Why not.")
    assert error.value.field == "minutes_state"


def test_an_approved_meetings_agenda_is_closed(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(first, support)
    services.approve_minutes(minutes_of=first, at=second, by=support)
    with pytest.raises(InvalidInput):
        services.add_agenda_item(meeting=first, by=support, title="Afterthought")
    with pytest.raises(InvalidInput):
        services.set_outcome(item=item_titled(first, "Welcome"), by=support, outcome=AgendaItem.Outcome.NOT_REACHED)


# --- Decisions and actions --------------------------------------------------------------------------------------


def test_a_decision_is_recorded_against_its_meetings_own_item(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    mark = ledger_mark()
    decision = services.record_decision(
        meeting=first, by=support, item=item_titled(first, "Welcome"), text="  Adopt the agenda. "
    )
    assert (decision.text, decision.recorded_by) == ("Adopt the agenda.", support)
    assert events_since(mark) == ["meetings.decision_recorded"]
    with pytest.raises(InvalidInput) as error:
        services.record_decision(meeting=first, by=support, item=item_titled(second, "Welcome"), text="Elsewhere.")
    assert error.value.field == "item"
    with pytest.raises(InvalidInput) as error:
        services.record_decision(meeting=first, by=support, text=" ")
    assert error.value.field == "text"


def test_an_action_needs_an_owner(support: Any, meetings: list[Meeting]) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.assign_action(meeting=meetings[0], by=support, text="Share the checklist.")
    assert error.value.field == "owner"
    assert written() == before


def test_an_action_is_not_due_before_its_meeting(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    with pytest.raises(InvalidInput) as error:
        services.assign_action(
            meeting=first,
            by=support,
            text="Share the checklist.",
            owner_organisation=government("NL"),
            due_on=first.starts_at.date() - dt.timedelta(days=1),
        )
    assert error.value.field == "due_on"
    action = services.assign_action(
        meeting=first, by=support, text="Today.", owner_organisation=government("NL"), due_on=first.starts_at.date()
    )
    assert action.due_on == first.starts_at.date()


def test_an_action_may_fall_due_on_the_day_of_an_evening_meeting_as_its_host_reads_it(support: Any) -> None:
    evening = services.create_meeting(
        by=support,
        title="Call",
        starts_at=at_local(dt.date(2027, 1, 12), "22:00", "America/Santiago"),  # 01:00 UTC on 13 January
        host_time_zone="America/Santiago",
    )
    action = services.assign_action(
        meeting=evening, by=support, text="Report.", owner_organisation=government("CL"), due_on=dt.date(2027, 1, 12)
    )
    assert action.due_on == dt.date(2027, 1, 12)


def test_an_open_action_comes_back_at_the_next_meeting_until_it_is_closed(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    person = focal_point(government("NL"))
    mark = ledger_mark()
    action = services.assign_action(
        meeting=first, by=support, text="Share the checklist.", owner=person, due_on=days_from_today(30)
    )
    assert events_since(mark) == ["meetings.action_assigned"]
    assert services.open_actions_before(second) == [action]
    assert services.open_actions_before(first) == []
    review = second.agenda.get(kind=AgendaItem.Kind.ACTION_REVIEW)
    assert review.title == "Review of open action items"
    mark = ledger_mark()
    closed = services.close_action(action=action, by=support, state=ActionItem.State.DONE, at=second)
    assert (closed.state, closed.closed_at_meeting, closed.closed_on) == ("done", second, today())
    assert events_since(mark) == ["meetings.action_closed"]
    assert services.open_actions_before(second) == [action]  # its minutes show what was closed there
    assert services.open_actions_before(third) == []


@pytest.mark.parametrize("when", ["same", "earlier"])
def test_an_action_is_closed_only_at_a_later_meeting_of_its_series(
    support: Any, meetings: list[Meeting], when: str
) -> None:
    first, second, _ = meetings
    action = services.assign_action(meeting=second, by=support, text="Report.", owner_organisation=government("NL"))
    with pytest.raises(InvalidInput) as error:
        services.close_action(
            action=action, by=support, state=ActionItem.State.DONE, at=second if when == "same" else first
        )
    assert error.value.field == "at"
    assert fresh(action).state == ActionItem.State.OPEN


def test_an_action_is_not_closed_at_a_meeting_outside_its_series(support: Any) -> None:
    single = services.create_meeting(
        by=support, title="Call", starts_at=at_local(days_from_today(-5), "10:00"), host_time_zone=AMSTERDAM
    )
    later = services.create_meeting(
        by=support, title="Another call", starts_at=at_local(days_from_today(-1), "10:00"), host_time_zone=AMSTERDAM
    )
    action = services.assign_action(meeting=single, by=support, text="Report.", owner_organisation=government("NL"))
    with pytest.raises(InvalidInput) as error:
        services.close_action(action=action, by=support, state=ActionItem.State.DONE, at=later)
    assert error.value.field == "at"


def test_an_action_is_closed_done_dropped_or_reopened_only(support: Any, meetings: list[Meeting]) -> None:
    action = services.assign_action(
        meeting=meetings[0], by=support, text="Report.", owner_organisation=government("NL")
    )
    with pytest.raises(InvalidInput) as error:
        services.close_action(action=action, by=support, state="forgotten")
    assert error.value.field == "state"
    services.close_action(action=action, by=support, state=ActionItem.State.DROPPED)
    reopened = services.close_action(action=action, by=support, state=ActionItem.State.OPEN)
    assert (reopened.state, reopened.closed_on, reopened.closed_at_meeting) == ("open", None, None)


# --- Attendance -------------------------------------------------------------------------------------------------


def test_attendance_with_one_bad_row_saves_nothing(support: Any, meetings: list[Meeting]) -> None:
    netherlands, japan = members("NL", "JP")
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.record_attendance(
            meeting=meetings[0],
            by=support,
            rows=[
                services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
                services.AttendanceRow(status="late", organisation=japan),
            ],
        )
    assert error.value.field == "status"
    assert "Row 2" in error.value.message
    with pytest.raises(InvalidInput) as error:
        services.record_attendance(
            meeting=meetings[0],
            by=support,
            rows=[
                services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
                services.AttendanceRow(status=Attendance.Status.PRESENT),
            ],
        )
    assert error.value.field == "organisation"
    assert written() == before


def test_attendance_is_recorded_once_per_member_and_person_and_updated_in_place(
    support: Any, meetings: list[Meeting]
) -> None:
    netherlands, japan = members("NL", "JP")
    person = focal_point(netherlands)
    mark = ledger_mark()
    count = services.record_attendance(
        meeting=meetings[0],
        by=support,
        rows=[
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=japan),
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands, person=person),
        ],
    )
    assert count == 3
    first_recorded = Attendance.objects.get(organisation=japan).recorded_at
    services.record_attendance(
        meeting=meetings[0],
        by=support,
        rows=[
            services.AttendanceRow(status=Attendance.Status.APOLOGIES, organisation=japan),
            services.AttendanceRow(status=Attendance.Status.ABSENT, person=person),
        ],
    )
    rows = {(a.organisation_id, a.person_id): a.status for a in Attendance.objects.filter(meeting=meetings[0])}
    assert rows == {
        (netherlands.pk, None): "present",
        (japan.pk, None): "apologies",
        (netherlands.pk, person.pk): "absent",
    }
    assert Attendance.objects.get(organisation=japan).recorded_at > first_recorded
    assert events_since(mark) == ["meetings.attendance_recorded", "meetings.attendance_recorded"]


# --- Invitations ------------------------------------------------------------------------------------------------


def names(invited: list[tuple[Any, Any]]) -> set[str]:
    return {person.full_name for person, _ in invited}


def test_the_invitees_are_the_members_focal_points_the_support_unit_and_the_chair(
    support: Any, chair: Any, series: MeetingSeries
) -> None:
    netherlands, japan = members("NL", "JP")
    no_zone = government("XK", tz="")  # a member whose capital's zone is not recorded is still invited
    brazil = government("BR", status="observer")
    focal_point(netherlands, full_name="Nl Focal")
    focal_point(japan, full_name="Jp Focal", account=False)
    focal_point(no_zone, full_name="Xk Focal")
    focal_point(netherlands, full_name="Nl Official", kind=Position.Kind.OFFICIAL)
    focal_point(brazil, full_name="Br Focal")
    focal_point(netherlands, full_name="Former Focal", starts_on=dt.date(2019, 1, 1)).positions.update(
        ends_on=dt.date(2020, 1, 1)
    )
    upcoming = last_of(series)
    assert names(services.invitees(upcoming)) == {
        "Nl Focal",
        "Jp Focal",
        "Xk Focal",
        support.person.full_name,
        chair.person.full_name,
    }


def test_people_who_cannot_see_the_meeting_are_not_invited(support: Any, make_user: MakeUser) -> None:
    task_force = BodyFactory.create(kind=Body.Kind.TASK_FORCE)
    netherlands = government("NL")
    delegate = focal_point(netherlands, full_name="Nl Delegate", kind=Position.Kind.MEMBER)
    PositionFactory.create(person=delegate, kind=Position.Kind.MEMBER, body=task_force, organisation=netherlands)
    advisor = make_user(Role.ADVISORY_NETWORK).person
    PositionFactory.create(person=advisor, kind=Position.Kind.MEMBER, body=task_force)
    cso = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)
    unregistered = focal_point(cso, full_name="No Account", kind=Position.Kind.MEMBER, account=False)
    PositionFactory.create(person=unregistered, kind=Position.Kind.MEMBER, body=task_force, organisation=cso)
    for classification, expected in [
        (Classification.MEMBERS, {"Nl Delegate", support.person.full_name}),
        (Classification.COALITION, {"Nl Delegate", advisor.full_name, support.person.full_name}),
    ]:
        series = services.create_series(
            by=support,
            title=f"Task force ({classification})",
            first_on=days_from_today(10),
            count=1,
            host_time_zone=AMSTERDAM,
            participation=MeetingSeries.Participation.BODY,
            body=task_force,
            classification=classification,
        )
        assert names(services.invitees(series.meetings.get())) == expected


def test_a_single_meeting_without_a_body_invites_the_members(support: Any) -> None:
    focal_point(government("NL"), full_name="Nl Focal")
    meeting = services.create_meeting(
        by=support, title="Call", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    assert names(services.invitees(meeting)) == {"Nl Focal", support.person.full_name}


def test_inviting_twice_invites_each_person_once(support: Any, series: MeetingSeries) -> None:
    person = focal_point(government("NL"), full_name="Nl Focal", email="focal@example.nl")
    upcoming = last_of(series)
    mark = ledger_mark()
    created = services.invite(meeting=upcoming, by=support)
    assert {(i.person, i.reply) for i in created} == {(person, "NEEDS-ACTION"), (support.person, "NEEDS-ACTION")}
    assert Invitation.objects.get(person=person).email == "focal@example.nl"
    assert Invitation.objects.get(person=support.person).email == support.email  # no email of their own
    assert services.invite(meeting=upcoming, by=support) == []
    assert Invitation.objects.filter(meeting=upcoming).count() == 2
    assert events_since(mark) == ["meetings.invited", "meetings.invited"]


def test_a_cancelled_meeting_invites_nobody(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    services.cancel(meeting=upcoming, by=support)
    with pytest.raises(InvalidInput):
        services.invite(meeting=upcoming, by=support)  # the object in hand is stale: the service looks again
    assert Invitation.objects.count() == 0


# --- Reschedule, cancel, replies --------------------------------------------------------------------------------


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    uid = upcoming.uid
    mark = ledger_mark()
    moved = services.reschedule(
        meeting=upcoming, by=support, starts_at=at_local(days_from_today(6), "09:00", "Asia/Tokyo"), location=" Room 2 "
    )
    moved = fresh(moved)
    assert (moved.uid, moved.sequence, moved.location) == (uid, 1, "Room 2")
    assert moved.starts_at == at_local(days_from_today(6), "00:00", "UTC")
    assert moved.starts_at.tzinfo == dt.UTC
    assert events_since(mark) == ["meetings.rescheduled"]
    assert services.reschedule(meeting=moved, by=support, starts_at=moved.starts_at + HOUR).sequence == 2


def test_a_new_time_asks_everyone_to_reply_again(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    person = focal_point(government("NL"))
    services.invite(meeting=upcoming, by=support)
    invitation = Invitation.objects.get(person=person)
    services.record_reply(invitation=invitation, by=person.account, reply=Invitation.Reply.ACCEPTED)
    services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at, location="Room 3")
    assert fresh(invitation).reply == Invitation.Reply.ACCEPTED  # a new room is no new time
    services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at + HOUR)
    assert (fresh(invitation).reply, fresh(invitation).replied_at) == (Invitation.Reply.NEEDS_ACTION, None)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"starts_at": dt.datetime(2027, 1, 12, 14)}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
    ],
)
def test_a_bad_new_time_is_refused(support: Any, series: MeetingSeries, arguments: dict[str, Any], field: str) -> None:
    upcoming = last_of(series)
    options = {"starts_at": upcoming.starts_at, **arguments}
    with pytest.raises(InvalidInput) as error:
        services.reschedule(meeting=upcoming, by=support, **options)
    assert error.value.field == field
    assert fresh(upcoming).sequence == 0


def test_cancelling_raises_the_sequence_once_and_a_second_cancel_is_refused(
    support: Any, series: MeetingSeries
) -> None:
    upcoming = last_of(series)
    mark = ledger_mark()
    cancelled = services.cancel(meeting=upcoming, by=support, reason="  Holiday. ")
    assert (cancelled.state, cancelled.sequence, cancelled.uid) == ("cancelled", 1, upcoming.uid)
    assert events_since(mark) == ["meetings.cancelled"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["reason"] == "Holiday."
    with pytest.raises(InvalidInput) as error:
        services.cancel(meeting=upcoming, by=support)
    assert error.value.field == "meeting"
    assert fresh(upcoming).sequence == 1
    with pytest.raises(InvalidInput):
        services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at + HOUR)
    assert fresh(upcoming).sequence == 1


def test_what_was_due_at_a_cancelled_meeting_moves_to_the_next(support: Any) -> None:
    series = services.create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-7),
        count=3,
        interval=2,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nBudget",
    )
    held, cancelled, following = series.meetings.order_by("starts_at")
    budget = item_titled(held, "Budget")
    services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    services.assign_action(meeting=held, by=support, text="Report.", owner_organisation=government("NL"))
    circulated(held, support)
    assert cancelled.agenda.filter(carried_from=budget).exists()
    mark = ledger_mark()
    services.cancel(meeting=cancelled, by=support, reason="No quorum.")
    assert events_since(mark) == ["meetings.cancelled"]
    assert following.agenda.get(carried_from=budget).outcome == AgendaItem.Outcome.PENDING
    assert following.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL).approves == held
    assert following.agenda.filter(kind=AgendaItem.Kind.ACTION_REVIEW).exists()
    assert not cancelled.agenda.filter(carried_from=budget).exists()


@pytest.fixture
def invitation(support: Any, series: MeetingSeries) -> Invitation:
    person = focal_point(government("NL"))
    services.invite(meeting=last_of(series), by=support)
    return Invitation.objects.get(person=person)


def test_the_invited_person_replies(invitation: Invitation) -> None:
    mark = ledger_mark()
    reply = services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.TENTATIVE, sequence=0
    )
    assert (reply.reply, fresh(reply).reply) == ("TENTATIVE", "TENTATIVE")
    assert reply.replied_at is not None
    assert events_since(mark) == ["meetings.rsvp"]


def test_no_one_but_the_support_unit_replies_for_the_invited_person(
    invitation: Invitation, support: Any, make_user: MakeUser
) -> None:
    for someone in (make_user(Role.CHAIR), make_user(Role.FOCAL_POINT), AnonymousUser()):
        with pytest.raises(AccessDenied):
            services.record_reply(invitation=invitation, by=someone, reply=Invitation.Reply.ACCEPTED)
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION
    # A reply that reached the Support Unit by email is recorded on the person's behalf, under its own name.
    mark = ledger_mark()
    services.record_reply(invitation=invitation, by=support, reply=Invitation.Reply.DECLINED)
    assert fresh(invitation).reply == Invitation.Reply.DECLINED
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert (event.action, event.actor_id) == ("meetings.rsvp", support.pk)


def test_a_reply_answers_the_version_the_person_was_last_sent(invitation: Invitation, support: Any) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(sent_sequence=0)
    services.reschedule(meeting=invitation.meeting, by=support, starts_at=invitation.meeting.starts_at + HOUR)
    # The change has not been emailed yet: the invitation the person holds (version 0) is still the one to answer.
    services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.TENTATIVE, sequence=0
    )
    assert fresh(invitation).reply == Invitation.Reply.TENTATIVE
    Invitation.objects.filter(pk=invitation.pk).update(sent_sequence=1)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(
            invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=0
        )
    assert error.value.field == "sequence"


def test_a_reply_to_an_older_version_of_the_invitation_is_refused(invitation: Invitation, support: Any) -> None:
    services.reschedule(meeting=invitation.meeting, by=support, starts_at=invitation.meeting.starts_at + HOUR)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(
            invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=0
        )
    assert error.value.field == "sequence"
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION
    services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=1
    )
    assert fresh(invitation).reply == Invitation.Reply.ACCEPTED


def test_an_invited_person_who_can_no_longer_see_the_meeting_cannot_reply(invitation: Invitation) -> None:
    Position.objects.filter(person=invitation.person).update(ends_on=today() - dt.timedelta(days=1))
    account = User.objects.get(person=invitation.person)  # roles are worked out afresh
    with pytest.raises(AccessDenied):
        services.record_reply(invitation=invitation, by=account, reply=Invitation.Reply.ACCEPTED)
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION


@pytest.mark.parametrize("reply", ["MAYBE", "NEEDS-ACTION", "accepted", ""])
def test_a_reply_other_than_accepted_tentative_or_declined_is_refused(invitation: Invitation, reply: str) -> None:
    with pytest.raises(InvalidInput) as error:
        services.record_reply(invitation=invitation, by=invitation.person.account, reply=reply)
    assert error.value.field == "reply"


def test_a_cancelled_meeting_takes_no_replies(invitation: Invitation, support: Any) -> None:
    services.cancel(meeting=invitation.meeting, by=support)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED)
    assert error.value.field == "reply"


# --- Quarterly calls --------------------------------------------------------------------------------------------


@pytest.fixture
def strategy_series(support: Any) -> MeetingSeries:
    """A Strategy and Coordination series: a meeting held last week and the next one in three weeks."""
    return services.create_series(
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
    task_force = services.create_series(
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
    coalition = services.create_series(
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


# --- Security: who may write, who may read ----------------------------------------------------------------------


def alterations(meetings: list[Meeting], support: Any) -> dict[str, Callable[[Any], Any]]:
    """Every write on an existing meeting, as a call by `by`."""
    first, second, third = meetings
    item = item_titled(first, "Welcome")
    action = services.assign_action(meeting=first, by=support, text="Report.", owner_organisation=government("NL"))
    return {
        "create_meeting": lambda by: services.create_meeting(
            by=by, title="Extra", starts_at=third.starts_at + HOUR, host_time_zone=AMSTERDAM, series=first.series
        ),
        "add_agenda_item": lambda by: services.add_agenda_item(meeting=first, by=by, title="Extra"),
        "set_outcome": lambda by: services.set_outcome(item=item, by=by, outcome=AgendaItem.Outcome.NOT_REACHED),
        "save_minutes": lambda by: services.save_minutes(item=item, by=by, text="Rewritten."),
        "circulate_minutes": lambda by: services.circulate_minutes(meeting=first, by=by),
        "return_to_draft": lambda by: services.return_to_draft(meeting=first, by=by, reason="Because."),
        "approve_minutes": lambda by: services.approve_minutes(minutes_of=first, at=second, by=by),
        "record_decision": lambda by: services.record_decision(meeting=first, by=by, text="Decided."),
        "assign_action": lambda by: services.assign_action(
            meeting=first, by=by, text="Do it.", owner_organisation=government("NL")
        ),
        "close_action": lambda by: services.close_action(action=action, by=by, state="done", at=second),
        "record_attendance": lambda by: services.record_attendance(
            meeting=first, by=by, rows=[services.AttendanceRow(status="present", organisation=government("NL"))]
        ),
        "invite": lambda by: services.invite(meeting=third, by=by),
        "reschedule": lambda by: services.reschedule(meeting=third, by=by, starts_at=third.starts_at + HOUR),
        "cancel": lambda by: services.cancel(meeting=third, by=by),
    }


WRITES = [
    "create_meeting",
    "add_agenda_item",
    "set_outcome",
    "save_minutes",
    "circulate_minutes",
    "return_to_draft",
    "approve_minutes",
    "record_decision",
    "assign_action",
    "close_action",
    "record_attendance",
    "invite",
    "reschedule",
    "cancel",
]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", [*NON_MANAGERS, Role.ANONYMOUS])
def test_only_managers_alter_meetings(
    support: Any, meetings: list[Meeting], make_user: MakeUser, write: str, role: Role
) -> None:
    calls = alterations(meetings, support)
    circulated(meetings[0], support)  # so that every write but the refusal would otherwise go through
    if write in ("save_minutes", "record_decision", "assign_action", "circulate_minutes"):
        services.return_to_draft(meeting=meetings[0], by=support, reason="To test drafting.")
    someone = AnonymousUser() if role == Role.ANONYMOUS else make_user(role)
    before = written()
    with pytest.raises(AccessDenied):
        calls[write](someone)
    assert written() == before


def test_the_writes_refused_to_others_are_open_to_the_support_unit(support: Any, meetings: list[Meeting]) -> None:
    calls = alterations(meetings, support)
    order = [w for w in WRITES if w not in ("circulate_minutes", "return_to_draft", "approve_minutes", "cancel")]
    for write in order:
        calls[write](support)
    circulated(meetings[0], support)
    calls["return_to_draft"](support)
    calls["circulate_minutes"](support)
    calls["approve_minutes"](support)
    calls["cancel"](support)


def test_a_manager_who_cannot_see_a_meeting_cannot_alter_it(chair: Any, support: Any) -> None:
    meeting = services.create_meeting(
        by=support, title="Closed", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        classification=Classification.RESTRICTED, audience=Audience.objects.create(name="Support Unit only")
    )
    with pytest.raises(AccessDenied):
        services.add_agenda_item(meeting=fresh(meeting), by=chair, title="Peek")
    with pytest.raises(AccessDenied):
        services.cancel(meeting=fresh(meeting), by=chair)
    assert fresh(meeting).state == Meeting.State.SCHEDULED


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST])
def test_outsiders_to_the_governments_cannot_see_a_members_meeting(
    support: Any, make_user: MakeUser, role: Role
) -> None:
    members_only = services.create_meeting(
        by=support, title="Members", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    someone = make_user(role)
    assert members_only not in visible_to(someone, Meeting.objects.all())
    assert list(visible_to(make_user(Role.MEMBER_OFFICIAL), Meeting.objects.all())) == [members_only]


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK])
def test_observers_and_the_advisory_network_see_coalition_meetings_only(
    support: Any, make_user: MakeUser, role: Role
) -> None:
    members_series = services.create_series(
        by=support, title="Members", first_on=days_from_today(3), count=1, host_time_zone=AMSTERDAM
    )
    coalition_series = services.create_series(
        by=support,
        title="Coalition",
        first_on=days_from_today(3),
        count=1,
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    someone = make_user(role)
    assert list(visible_to(someone, Meeting.objects.all())) == list(coalition_series.meetings.all())
    assert list(visible_to(someone, MeetingSeries)) == [coalition_series]
    assert members_series.meetings.get() not in visible_to(someone, Meeting)
