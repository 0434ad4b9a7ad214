"""What the seasonal detector cannot see, and the long-run flag that sees it where history allows (issue 15, item 8):
a curfew present from the first day is learned as that time of day's normal, and an outage already under way when
the window starts is never judged, as the first day has no previous day."""

from datetime import UTC, datetime, timedelta

import numpy as np

from coalition.response.detection import below_long_run, detect

PER_DAY = 288  # 5-minute bins
HOUR = 12
START_AT = datetime(2026, 11, 23, tzinfo=UTC)


def active_probing(days: int, *, level: float = 1000.0, swing: float = 0.08, seed: int = 3) -> np.ndarray:
    """Responsive /24s of one country: a daily cycle (±8 % as in the detector's benchmark) and a little noise."""
    rng = np.random.default_rng(seed)
    clock = np.arange(days * PER_DAY)
    cycle = 1 + swing * np.sin(2 * np.pi * clock / PER_DAY)
    return level * cycle * (1 + 0.01 * rng.standard_normal((1, days * PER_DAY)))


def test_a_nightly_curfew_from_the_first_day_is_normal_to_the_detector_and_flagged_below_the_long_run_level() -> None:
    values = active_probing(4)
    hour_of_day = np.arange(4 * PER_DAY) % PER_DAY // HOUR
    curfew = (hour_of_day >= 22) | (hour_of_day < 4)  # 22:00–04:00 every night, from the first
    values[0, curfew] *= 0.05

    assert detect(values, "active_probing", start=START_AT) == []
    flagged = below_long_run(values, "active_probing", start=START_AT)

    nights = [(START_AT, START_AT + timedelta(hours=4))] + [
        (START_AT + timedelta(days=day, hours=22), START_AT + timedelta(days=day, hours=28)) for day in range(3)
    ]
    last = START_AT + timedelta(days=3, hours=22), START_AT + timedelta(days=4)
    assert [(run.start_time, run.end_time) for run in flagged] == [*nights, last]
    assert all(run.depth < 0.1 for run in flagged)


def test_an_outage_under_way_when_the_window_starts_is_missed_by_the_detector_and_flagged() -> None:
    values = active_probing(3)
    values[0, : 10 * HOUR] *= 0.05  # it began before the series' first bin and ended at 10:00 on the first day

    assert detect(values, "active_probing", start=START_AT) == []
    [flagged] = below_long_run(values, "active_probing", start=START_AT)

    assert (flagged.start_time, flagged.end_time) == (START_AT, START_AT + timedelta(hours=10))


def test_a_normal_daily_cycle_is_not_below_its_long_run_level_even_with_deep_nights() -> None:
    assert below_long_run(active_probing(4), "active_probing") == []
    assert below_long_run(active_probing(4, swing=0.4), "active_probing") == []  # phones and homes off at night


def test_without_two_days_of_history_there_is_no_long_run_level() -> None:
    values = active_probing(1)
    values[0, : 4 * HOUR] *= 0.05

    assert below_long_run(values, "active_probing") == []


def test_an_outage_filling_the_whole_window_is_its_long_run_level_and_seen_by_neither() -> None:
    values = active_probing(3) * 0.05

    assert detect(values, "active_probing") == [] and below_long_run(values, "active_probing") == []
