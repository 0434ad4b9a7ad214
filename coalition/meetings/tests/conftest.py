"""Fixtures shared by the calendar, invitation and reply tests."""

from __future__ import annotations

from typing import Any

import pytest

from coalition.core.policy import Role
from coalition.meetings.tests.test_calendar import person_in


@pytest.fixture
def organiser(make_user: Any) -> Any:
    """The Support Unit officer who organises the meetings."""
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def guest(make_user: Any) -> Any:
    """An invited member focal point who reads times in America/Santiago."""
    return person_in(make_user, "America/Santiago")
