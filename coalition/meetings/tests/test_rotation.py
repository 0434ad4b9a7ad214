"""The fair rotation of meeting times (PoA 3B.3): burden on real local clocks, the fixed-time baseline, the
lexicographic optimum, constraints and their failures, and both solvers."""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from coalition.core.errors import InvalidInput
from coalition.meetings.rotation import (
    SOLVER_HEURISTIC,
    SOLVER_OPTIMAL,
    BurdenPoints,
    Category,
    Participant,
    RotationImpossible,
    classify_meeting,
    plan_rotation,
)

HOUR = timedelta(hours=1)
SPREAD = [
    Participant(key="FR", tz="Europe/Paris"),
    Participant(key="US", tz="America/New_York"),
    Participant(key="JP", tz="Asia/Tokyo"),
    Participant(key="NZ", tz="Pacific/Auckland"),
    Participant(key="CL", tz="America/Santiago"),
    Participant(key="KE", tz="Africa/Nairobi"),
]


def second_tuesdays(year: int) -> list[date]:
    firsts = [date(year, month, 1) for month in range(1, 13)]
    return [first + timedelta(days=(1 - first.weekday()) % 7 + 7) for first in firsts]


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


def category_in(tz: str, day: str, clock: str, duration: timedelta = HOUR) -> Category:
    return classify_meeting(starts_at=at(day, clock), duration=duration, tz=tz)


# --- Burden categories ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokyo_start", "expected"),
    [
        ("06:00", Category.NIGHT),  # 06:00–07:00 local
        ("06:30", Category.NIGHT),  # runs into 07:00 but starts at night
        ("07:00", Category.UNSOCIAL),  # 07:00–08:00
        ("07:30", Category.UNSOCIAL),  # runs into working hours
        ("08:00", Category.WORKING),
        ("18:00", Category.WORKING),  # ends at 19:00 exactly
        ("18:30", Category.UNSOCIAL),
        ("19:00", Category.UNSOCIAL),
        ("21:00", Category.UNSOCIAL),  # ends at 22:00 exactly
        ("21:30", Category.NIGHT),
        ("22:00", Category.NIGHT),
    ],
)
def test_a_meeting_counts_at_the_worst_local_hours_it_touches(tokyo_start: str, expected: Category) -> None:
    local = datetime.fromisoformat(f"2027-01-12T{tokyo_start}:00+09:00")
    assert classify_meeting(starts_at=local.astimezone(UTC), duration=HOUR, tz="Asia/Tokyo") == expected


def test_a_long_meeting_from_working_hours_into_the_night_counts_as_night() -> None:
    assert category_in("Europe/London", "2027-01-12", "18:00", timedelta(hours=5)) == Category.NIGHT


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(InvalidInput):
        classify_meeting(starts_at=datetime(2027, 1, 12, 12), duration=HOUR, tz="Europe/Paris")


# --- Summer time in both hemispheres ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "slot", "before", "after", "expected"),
    [
        # America/New_York: EST −5 → EDT −4 on 14 March 2027, back on 7 November.
        ("America/New_York", "12:00", "2027-03-09", "2027-03-16", (Category.UNSOCIAL, Category.WORKING)),
        ("America/New_York", "12:00", "2027-11-02", "2027-11-09", (Category.WORKING, Category.UNSOCIAL)),
        # Europe/Kyiv: EET +2 → EEST +3 on 28 March 2027, back on 31 October.
        ("Europe/Kyiv", "05:00", "2027-03-23", "2027-03-30", (Category.UNSOCIAL, Category.WORKING)),
        ("Europe/Kyiv", "05:00", "2027-10-26", "2027-11-02", (Category.WORKING, Category.UNSOCIAL)),
        # America/Santiago (southern): −3 → −4 on 4 April 2027, back to −3 on 5 September.
        ("America/Santiago", "11:00", "2027-03-30", "2027-04-06", (Category.WORKING, Category.UNSOCIAL)),
        ("America/Santiago", "11:00", "2027-08-31", "2027-09-07", (Category.UNSOCIAL, Category.WORKING)),
        # Pacific/Auckland (southern): +13 → +12 on 4 April 2027, back to +13 on 26 September.
        ("Pacific/Auckland", "19:00", "2027-03-30", "2027-04-06", (Category.WORKING, Category.UNSOCIAL)),
        ("Pacific/Auckland", "19:00", "2027-09-21", "2027-09-28", (Category.UNSOCIAL, Category.WORKING)),
    ],
)
def test_the_same_utc_time_changes_category_across_a_clock_change(
    tz: str, slot: str, before: str, after: str, expected: tuple[Category, Category]
) -> None:
    assert (category_in(tz, before, slot), category_in(tz, after, slot)) == expected


@pytest.mark.parametrize("day", ["2027-03-09", "2027-03-16", "2027-03-30", "2027-04-06", "2027-09-21", "2027-11-09"])
def test_tokyo_has_no_clock_change(day: str) -> None:
    assert category_in("Asia/Tokyo", day, "23:00") == Category.WORKING  # 08:00 the next day, all year


def test_a_meeting_across_the_spring_change_lasts_its_elapsed_time() -> None:
    # New York jumps from 02:00 EST to 03:00 EDT at 07:00 UTC on 14 March 2027: two hours from 01:00 EST end at
    # 04:00 EDT, all of it night.
    assert category_in("America/New_York", "2027-03-14", "06:00", timedelta(hours=2)) == Category.NIGHT
    # Seven hours from 01:00 EST end at 09:00 EDT, touching the morning's unsocial and working hours too.
    assert category_in("America/New_York", "2027-03-14", "06:00", timedelta(hours=7)) == Category.NIGHT


def test_the_ledger_follows_the_clock_change_on_each_meeting_date() -> None:
    plan = plan_rotation(
        participants=[Participant(key="US", tz="America/New_York")],
        dates=[date(2027, 3, 9), date(2027, 3, 16)],
        start_times=[time(12, 0)],
    )
    entries = plan.rotation.ledger("US").entries
    assert [entry.category for entry in entries] == [Category.UNSOCIAL, Category.WORKING]
    assert [f"{entry.local_start:%H:%M}" for entry in entries] == ["07:00", "08:00"]
    assert [entry.cumulative for entry in entries] == [1, 1]


# --- The fixed-time baseline and the rotation -----------------------------------------------------------------


def test_the_best_fixed_time_has_the_lowest_worst_off_burden_then_total_of_any_single_time() -> None:
    dates = second_tuesdays(2027)
    plan = plan_rotation(participants=SPREAD, dates=dates)
    assert plan.fixed_meets_constraints
    assert {moment.time() for moment in plan.fixed.starts_at} == {plan.fixed_time}
    points = BurdenPoints()

    def score(slot: time) -> tuple[int, int]:
        totals = [
            sum(
                points.of(classify_meeting(starts_at=datetime.combine(d, slot, tzinfo=UTC), duration=HOUR, tz=p.tz))
                for d in dates
            )
            for p in SPREAD
        ]
        return max(totals), sum(totals)

    every_half_hour = [time(minute // 60, minute % 60) for minute in range(0, 24 * 60, 30)]
    assert (plan.fixed.worst_off, plan.fixed.total) == min(score(slot) for slot in every_half_hour)


def test_the_rotation_lowers_the_worst_off_burden_for_zones_spread_round_the_world() -> None:
    plan = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027))
    assert plan.solver == SOLVER_OPTIMAL
    assert plan.rotation.worst_off < plan.fixed.worst_off
    assert plan.rotation.worst_off == max(ledger.total for ledger in plan.rotation.ledgers)
    assert plan.rotation.total == sum(ledger.total for ledger in plan.rotation.ledgers)


def test_the_explanation_names_the_worst_off_and_the_fixed_time_in_plain_words() -> None:
    plan = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027))
    worst = plan.rotation.ledger(plan.rotation.worst_off_keys[0]).participant.label
    assert worst in plan.explanation
    assert f"{plan.rotation.worst_off} burden points, against {plan.fixed.worst_off}" in plan.explanation
    assert f"best fixed time ({plan.fixed_time:%H:%M} UTC" in plan.explanation
    assert "Solved exactly" in plan.explanation


def test_neighbours_keep_one_fixed_time_when_no_rotation_does_better() -> None:
    plan = plan_rotation(
        participants=[Participant(key="GB", tz="Europe/London"), Participant(key="FR", tz="Europe/Paris")],
        dates=second_tuesdays(2027),
    )
    assert plan.rotation.worst_off == plan.fixed.worst_off == 0
    assert plan.fixed_time == time(8, 0)
    assert set(plan.rotation.starts_at) == set(plan.fixed.starts_at)
    assert plan.explanation.startswith(
        "At 08:00 UTC every meeting falls inside every participant's working hours; no need to rotate."
    )


def test_among_rotations_with_the_lowest_worst_off_burden_the_total_is_lowest() -> None:
    participants = SPREAD[:4]
    dates = [date(2027, 1, 12), date(2027, 4, 13), date(2027, 7, 13)]
    start_times = [time(hour, 0) for hour in range(0, 24, 3)]
    plan = plan_rotation(participants=participants, dates=dates, start_times=start_times)
    points = BurdenPoints()
    loads = {
        (d, slot, p.key): points.of(
            classify_meeting(starts_at=datetime.combine(d, slot, tzinfo=UTC), duration=HOUR, tz=p.tz)
        )
        for d in dates
        for slot in start_times
        for p in participants
    }
    best = min(
        (max(totals), sum(totals))
        for choice in itertools.product(start_times, repeat=len(dates))
        for totals in [
            [sum(loads[d, slot, p.key] for d, slot in zip(dates, choice, strict=True)) for p in participants]
        ]
    )
    assert (plan.rotation.worst_off, plan.rotation.total) == best


def test_a_participants_weight_multiplies_its_points() -> None:
    dates = [date(2027, 1, 12)]
    plan = plan_rotation(
        participants=[Participant(key="JP", tz="Asia/Tokyo", weight=2)], dates=dates, start_times=[time(13, 0)]
    )
    assert plan.rotation.ledger("JP").total == 6  # 22:00 in Tokyo: night, 3 points, counted twice


def test_the_same_input_gives_the_same_rotation() -> None:
    first = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027))
    second = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027))
    assert first.rotation.starts_at == second.rotation.starts_at
    assert first.explanation == second.explanation


# --- Constraints ----------------------------------------------------------------------------------------------


def test_the_constraints_are_honoured_at_every_meeting() -> None:
    # With Paris in working hours every time is night for Auckland or for New York and Santiago: two nights a
    # quarter is the least that can be promised.
    plan = plan_rotation(
        participants=SPREAD, dates=second_tuesdays(2027), host="FR", max_nights_per_quarter=2, weekday=1
    )
    host = plan.rotation.ledger("FR")
    assert all(entry.category == Category.WORKING for entry in host.entries)
    assert all(entry.local_start.weekday() == 1 for entry in host.entries)
    for ledger in plan.rotation.ledgers:
        for quarter in range(4):
            nights = [
                entry
                for entry in ledger.entries
                if entry.category == Category.NIGHT and (entry.starts_at.month - 1) // 3 == quarter
            ]
            assert len(nights) <= 2, ledger.participant.key
    assert not plan.fixed_meets_constraints
    assert "No single time meets the constraints on every date, so the time rotates." in plan.explanation
    assert "the host, FR (Europe/Paris), is within working hours" in plan.explanation


def test_a_host_who_can_never_be_in_working_hours_is_explained() -> None:
    with pytest.raises(RotationImpossible) as raised:
        plan_rotation(participants=SPREAD, dates=second_tuesdays(2027), host="NZ", start_times=[time(12, 0)])
    assert raised.value.field == "host"
    assert raised.value.message == (
        "No candidate time keeps the host, NZ (Pacific/Auckland), within working hours (08:00–19:00 local) "
        "on 2027-01-12."
    )


def test_a_weekday_no_candidate_falls_on_is_explained() -> None:
    with pytest.raises(RotationImpossible) as raised:
        plan_rotation(participants=SPREAD, dates=second_tuesdays(2027), weekday=2, start_times=[time(12, 0)])
    assert raised.value.field == "weekday"
    assert "starts on a Wednesday in UTC" in raised.value.message


def test_a_host_whose_working_hours_fall_on_another_weekday_is_explained() -> None:
    honolulu = Participant(key="HI", tz="Pacific/Honolulu")
    with pytest.raises(RotationImpossible) as raised:
        # 01:00 UTC Tuesday is 15:00 Monday in Honolulu; 12:00 UTC is 02:00 Tuesday.
        plan_rotation(
            participants=[honolulu, SPREAD[0]],
            dates=[date(2027, 1, 12)],
            host="HI",
            weekday=1,
            start_times=[time(1, 0), time(12, 0)],
        )
    assert raised.value.field == "weekday"
    assert "within working hours and on a Tuesday at once" in raised.value.message


def test_a_night_limit_one_participant_cannot_meet_is_explained() -> None:
    with pytest.raises(RotationImpossible) as raised:
        # 15:00 UTC is midnight in Tokyo.
        plan_rotation(
            participants=SPREAD, dates=second_tuesdays(2027), max_nights_per_quarter=0, start_times=[time(15)]
        )
    assert raised.value.field == "max_nights_per_quarter"
    assert raised.value.message.startswith(
        "At most 0 night meetings per quarter cannot be met for JP (Asia/Tokyo) in Q1 2027: every candidate time on "
        "2027-01-12, 2027-02-09, 2027-03-09 falls in its night"
    )


def test_night_limits_that_cannot_hold_together_name_the_participants_in_conflict() -> None:
    with pytest.raises(RotationImpossible) as raised:
        # In January 04:00 UTC is 17:00 in Auckland and 01:00 in Santiago; 10:00 UTC is 23:00 and 07:00.
        plan_rotation(
            participants=[SPREAD[0], SPREAD[3], SPREAD[4]],
            dates=second_tuesdays(2027)[:3],
            max_nights_per_quarter=0,
            start_times=[time(4), time(10)],
        )
    assert raised.value.field == "max_nights_per_quarter"
    message = raised.value.message
    assert "NZ (Pacific/Auckland)" in message and "CL (America/Santiago)" in message
    assert "FR" not in message
    assert "at once in Q1 2027: on 2027-01-12, 2027-02-09, 2027-03-09, every candidate time" in message


def test_the_night_limit_explains_when_the_hosts_hours_cause_the_conflict() -> None:
    with pytest.raises(RotationImpossible) as raised:
        plan_rotation(participants=SPREAD, dates=second_tuesdays(2027), host="FR", max_nights_per_quarter=1, weekday=1)
    assert raised.value.field == "max_nights_per_quarter"
    assert "once the host, FR (Europe/Paris), is kept within working hours" in raised.value.message


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"participants": [Participant(key="XX", tz="Mars/Olympus")]}, "participants"),
        ({"participants": [SPREAD[0], SPREAD[0]]}, "participants"),
        ({"dates": []}, "dates"),
        ({"host": "DE"}, "host"),
        ({"weekday": 7}, "weekday"),
        ({"duration": timedelta(0)}, "duration"),
        ({"max_nights_per_quarter": -1}, "max_nights_per_quarter"),
        ({"start_times": []}, "start_times"),
    ],
)
def test_malformed_input_names_its_field(arguments: dict[str, object], field: str) -> None:
    given: dict[str, object] = {"participants": SPREAD[:2], "dates": [date(2027, 1, 12)], **arguments}
    with pytest.raises(InvalidInput) as raised:
        plan_rotation(**given)  # type: ignore[arg-type]
    assert raised.value.field == field


# --- The heuristic fallback -------------------------------------------------------------------------------------


def test_the_forced_heuristic_gives_a_valid_rotation_no_worse_than_the_fixed_time() -> None:
    dates = second_tuesdays(2027)
    exact = plan_rotation(participants=SPREAD, dates=dates)
    heuristic = plan_rotation(participants=SPREAD, dates=dates, solver="heuristic")
    assert heuristic.solver == SOLVER_HEURISTIC
    assert len(heuristic.rotation.starts_at) == len(dates)
    assert [moment.date() for moment in heuristic.rotation.starts_at] == dates
    assert exact.rotation.worst_off <= heuristic.rotation.worst_off <= heuristic.fixed.worst_off
    assert "may miss the best rotation" in heuristic.explanation


def test_the_heuristic_honours_the_constraints() -> None:
    plan = plan_rotation(
        participants=SPREAD,
        dates=second_tuesdays(2027),
        host="FR",
        max_nights_per_quarter=2,
        weekday=1,
        solver="heuristic",
    )
    assert all(entry.category == Category.WORKING for entry in plan.rotation.ledger("FR").entries)
    for ledger in plan.rotation.ledgers:
        for quarter in range(4):
            in_quarter = [e for e in ledger.entries if (e.starts_at.month - 1) // 3 == quarter]
            assert sum(e.category == Category.NIGHT for e in in_quarter) <= 2


def test_the_heuristic_is_deterministic() -> None:
    runs = [plan_rotation(participants=SPREAD, dates=second_tuesdays(2027), solver="heuristic") for _ in range(2)]
    assert runs[0].rotation.starts_at == runs[1].rotation.starts_at


def test_without_or_tools_the_heuristic_answers_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ortools.sat.python", None)  # makes the import fail as if not installed
    plan = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027))
    assert plan.solver == SOLVER_HEURISTIC
    assert plan.explanation.endswith(
        "OR-Tools is not installed here, so a fast search chose these times; it is never worse than the best fixed "
        "time but may miss the best rotation."
    )


def test_when_cp_sat_finds_nothing_in_time_the_heuristic_answers() -> None:
    plan = plan_rotation(participants=SPREAD, dates=second_tuesdays(2027), time_limit_seconds=0)
    assert plan.solver == SOLVER_HEURISTIC
    assert "CP-SAT found no rotation within 0 s" in plan.explanation


def test_without_or_tools_a_night_limit_the_search_cannot_meet_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ortools.sat.python", None)
    with pytest.raises(RotationImpossible) as raised:
        plan_rotation(
            participants=[SPREAD[3], SPREAD[4]],
            dates=second_tuesdays(2027)[:3],
            max_nights_per_quarter=0,
            start_times=[time(4), time(10)],
        )
    assert raised.value.field == "max_nights_per_quarter"
    assert "OR-Tools is not installed here" in raised.value.message
