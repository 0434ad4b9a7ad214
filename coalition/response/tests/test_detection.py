from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from coalition.response.detection import THRESHOLDS, Evidence, corroborate, detect

PER_DAY = 288  # 5-minute bins
START_AT = datetime(2026, 11, 23, tzinfo=UTC)


def daily_signal(days: int = 7, *, entities: int = 1, level: float = 1000.0, seed: int = 1) -> np.ndarray:
    """A daily cycle of ±10 % with 0.05 % noise: quiet enough for BGP's 99 % threshold."""
    rng = np.random.default_rng(seed)
    clock = np.arange(days * PER_DAY)
    cycle = 1 + 0.1 * np.sin(2 * np.pi * clock / PER_DAY)
    return level * cycle * (1 + 0.0005 * rng.standard_normal((entities, days * PER_DAY)))


def test_a_three_hour_outage_is_found_with_its_start_and_end() -> None:
    values = daily_signal()
    first = 3 * PER_DAY + 100
    values[0, first : first + 36] *= 0.05

    [outage] = detect(values, "active_probing", start=START_AT)

    assert abs(outage.start_bin - first) <= 1
    assert abs(outage.end_bin - (first + 36)) <= 1
    assert outage.start_time == START_AT + timedelta(minutes=5 * outage.start_bin)
    assert outage.duration == timedelta(minutes=5 * (outage.end_bin - outage.start_bin))
    assert outage.depth == pytest.approx(0.05, abs=0.01)
    assert outage.kind == "active_probing"


def test_a_single_bin_dip_is_not_an_outage() -> None:
    values = daily_signal()
    values[0, 4 * PER_DAY + 10] *= 0.3
    values[0, 4 * PER_DAY + 12] *= 0.3  # a second dip two bins later is still noise

    assert detect(values, "active_probing") == []


def test_missing_bins_do_not_create_outages() -> None:
    values = daily_signal()
    values[0, 2 * PER_DAY : 2 * PER_DAY + 60] = np.nan
    values[0, np.random.default_rng(2).random(values.shape[1]) < 0.05] = np.nan

    assert detect(values, "bgp") == []


def test_thresholds_differ_by_kind_of_signal() -> None:
    values = daily_signal()
    values[0, 3 * PER_DAY : 3 * PER_DAY + 24] *= 0.9

    assert THRESHOLDS["bgp"] > 0.9 > THRESHOLDS["active_probing"]
    assert len(detect(values, "bgp")) == 1
    assert detect(values, "active_probing") == []


def test_nothing_is_detected_on_the_first_day_which_has_no_baseline() -> None:
    values = daily_signal()
    values[0, 50:100] = 0.0

    assert detect(values, "active_probing") == []


def test_a_thirty_hour_outage_does_not_hide_a_second_one_two_days_later() -> None:
    values = daily_signal()
    first = PER_DAY + 20
    values[0, first : first + 360] *= 0.02  # 30 hours: the same time of day on two days
    second = first + 2 * PER_DAY
    values[0, second : second + 24] *= 0.3

    outages = detect(values, "active_probing")

    assert [(outage.start_bin, outage.end_bin) for outage in outages] == [
        (first, first + 360),
        (second, second + 24),
    ]


def test_outages_are_reported_per_entity() -> None:
    values = daily_signal(entities=3)
    values[1, 5 * PER_DAY : 5 * PER_DAY + 12] = 0.0

    assert [outage.entity for outage in detect(values, "telescope")] == [1]


def outage(key: str, source: str, country: str, began: datetime, hours: float, **fields: object) -> Evidence:
    fields.setdefault("family", "connectivity")
    return Evidence(key, source, country, began_at=began, ended_at=began + timedelta(hours=hours), **fields)  # type: ignore[arg-type]


def test_corroboration_needs_two_sources_with_overlapping_outages() -> None:
    began = START_AT + timedelta(hours=30)
    evidence = [
        outage("ir-bgp", "bgp", "IR", began, 3),
        outage("cu-bgp", "bgp", "CU", began, 1),
        outage("ir-probing", "active_probing", "IR", began + timedelta(minutes=20), 1.67),
        outage("cu-probing", "active_probing", "CU", began + timedelta(hours=6), 1),
        outage("sy-telescope", "telescope", "SY", began, 1),
    ]

    [alert] = corroborate(evidence, window=timedelta(minutes=30))

    assert alert.country == "IR"
    assert alert.first_seen == began
    assert alert.last_seen == began + timedelta(hours=3)
    assert alert.sources == ("active_probing", "bgp")
    assert alert.members == ("ir-bgp", "ir-probing")


def test_corroboration_accepts_outages_within_the_window() -> None:
    evidence = [
        outage("bgp", "bgp", "CU", START_AT, 1),
        outage("probing", "active_probing", "CU", START_AT + timedelta(hours=1, minutes=20), 0.67),
    ]

    assert corroborate(evidence, window=timedelta(minutes=10)) == []
    assert len(corroborate(evidence, window=timedelta(minutes=30))) == 1


def test_a_blocked_platform_does_not_corroborate_a_loss_of_connectivity() -> None:
    evidence = [
        outage("shutdown", "stop", "IN", START_AT, 24, area="Pulwama, Jammu and Kashmir"),
        outage("blocking", "ooni", "IN", START_AT + timedelta(hours=2), 0, family="content", network=55836),
    ]

    assert corroborate(evidence, window=timedelta(hours=24)) == []


def test_areas_corroborate_when_one_names_the_other_and_networks_when_they_are_the_same() -> None:
    window = timedelta(hours=24)
    rakhine = outage("stop", "stop", "MM", START_AT, 48, area="five townships in Rakhine State")

    def agree(**fields: object) -> bool:
        return bool(corroborate([rakhine, outage("ioda", "ioda", "MM", START_AT, 2, **fields)], window=window))

    assert agree(area="Rakhine") and agree(area="") and agree(network=9988)
    assert not agree(area="Chin")
    isp = outage("radar", "cloudflare", "MM", START_AT, 2, network=9988)
    assert corroborate([isp, outage("ioda", "ioda", "MM", START_AT, 2, network=9988)], window=window)
    assert not corroborate([isp, outage("ioda", "ioda", "MM", START_AT, 2, network=136465)], window=window)


def test_an_ongoing_event_supports_new_evidence_without_chaining_it_into_one_episode() -> None:
    window = timedelta(hours=24)
    years = outage("tigray", "stop", "ET", START_AT - timedelta(days=700), 24 * 730, area="Tigray")
    first = outage("first", "ioda", "ET", START_AT, 5)
    second = outage("second", "ioda", "ET", START_AT + timedelta(days=9), 5)

    found = corroborate([years, first, second], window=window)

    assert [(alert.members, alert.supporters) for alert in found] == [
        (("first",), ("tigray",)),
        (("second",), ("tigray",)),
    ]
    assert [alert.last_seen - alert.first_seen for alert in found] == [timedelta(hours=5)] * 2


@pytest.mark.parametrize(
    ("values", "kind", "message"),
    [
        (np.ones(PER_DAY * 2), "bgp", "2-dimensional"),
        (np.ones((2, 3, PER_DAY)), "bgp", "2-dimensional"),
        (np.ones((2, PER_DAY * 2)), "ooni_anomaly", "Unknown signal kind 'ooni_anomaly'"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(values: np.ndarray, kind: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        detect(values, kind)


def test_a_naive_start_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        detect(np.ones((1, PER_DAY * 2)), "bgp", start=datetime(2026, 11, 23))
