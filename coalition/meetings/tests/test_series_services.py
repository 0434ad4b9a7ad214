"""Creating series (issue 4): their dates by cadence, the same wall-clock start across summer time, and the
fair rotation's plan kept with the series — who may create one, what is refused (naming the field, writing
nothing) and what the ledger keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import OrganisationFactory
from coalition.meetings import rotation, services
from coalition.meetings.models import (
    Meeting,
    MeetingSeries,
)
from coalition.meetings.rotation import BurdenPoints, RotationImpossible
from coalition.meetings.tests.factories import GLOBE, create_series, government, members
from coalition.meetings.tests.scenes import (
    AMSTERDAM,
    GLOBE_KEYS,
    HOUR,
    NON_MANAGERS,
    MakeUser,
    at_local,
    events_since,
    fresh,
    ledger_mark,
    titles,
    written,
)

pytestmark = pytest.mark.django_db


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
    series = create_series(
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
    series = create_series(
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
        create_series(
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
        create_series(
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
    series = create_series(
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
        create_series(
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
        create_series(
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
        create_series(
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
        create_series(by=support, **options)
    assert error.value.field == field
    assert written() == before


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_only_managers_create_a_series(make_user: MakeUser, role: Role) -> None:
    before = written()
    with pytest.raises(AccessDenied):
        create_series(
            by=make_user(role), title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
        )
    assert written() == before


def test_an_anonymous_visitor_creates_no_series() -> None:
    with pytest.raises(AccessDenied):
        create_series(
            by=AnonymousUser(), title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
        )
    assert MeetingSeries.objects.count() == 0


def test_the_chair_creates_a_series(chair: Any) -> None:
    series = create_series(
        by=chair, title="Coordination", first_on=dt.date(2027, 1, 5), count=2, host_time_zone=AMSTERDAM
    )
    assert series.meetings.count() == 2
    assert series.organiser == chair
