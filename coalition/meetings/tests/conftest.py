"""Fixtures shared by the calendar, invitation and reply tests, and by the services tests (the Support Unit, the
Chair, a weekly series with two meetings held and one to come)."""

from __future__ import annotations

from typing import Any

import pytest

from coalition.core.policy import Role
from coalition.meetings.models import Meeting, MeetingSeries
from coalition.meetings.tests.factories import create_series
from coalition.meetings.tests.scenes import AMSTERDAM, MakeUser, days_from_today
from coalition.meetings.tests.test_calendar import person_in


@pytest.fixture
def organiser(make_user: Any) -> Any:
    """The Support Unit officer who organises the meetings."""
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def guest(make_user: Any) -> Any:
    """An invited member focal point who reads times in America/Santiago."""
    return person_in(make_user, "America/Santiago")


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def chair(make_user: MakeUser) -> Any:
    return make_user(Role.CHAIR)


@pytest.fixture
def series(support: Any) -> MeetingSeries:
    """A weekly members' series at 14:00 Amsterdam: two meetings held (10 and 3 days ago) and one to come."""
    return create_series(
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
