"""Corroboration replayed on real shutdown episodes (issue 15, item 4): after each arrival of signals, the alerts a
reviewer should see — no more, no fewer. The cases and their stories are in `replays.py`."""

from __future__ import annotations

import pytest

from coalition.response.models import Alert
from coalition.response.tests.replays import REPLAYS, Replay, replay

pytestmark = pytest.mark.django_db


def replayed(case: Replay) -> None:
    for step, alerts in replay(case):
        if step.expect is not None:
            assert alerts == list(step.expect), f"after the signals of {step.at:%Y-%m-%d %H:%M}"


def test_an_ongoing_regional_shutdown_confirms_each_new_national_outage_as_its_own_alert() -> None:
    replayed(REPLAYS[0])


def test_daily_curfew_shutdowns_make_one_alert_and_the_platform_block_beside_them_another() -> None:
    replayed(REPLAYS[1])


def test_routine_website_blocking_corroborates_no_district_shutdown() -> None:
    replayed(REPLAYS[2])


def test_a_nationwide_shutdown_in_stop_alone_raises_an_alert_labelled_single_source() -> None:
    labels = []
    for step, alerts in replay(REPLAYS[3]):
        assert alerts == list(step.expect or ())
        labels.append([alert.single_source for alert in Alert.objects.all()])
    assert labels == [[True], [False]]  # until IODA's record of Sudan confirms it
