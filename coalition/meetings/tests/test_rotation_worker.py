"""A fair rotation the solver cannot prove optimal within the request's budget is solved by the task worker (issue
17, item 9): a year of weekly meetings took 9.9 s inside the request. The page follows the work, reading only, and
the proven-optimal plan is kept when the worker finishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.queries import today
from coalition.meetings import rotation, services
from coalition.meetings.models import Meeting, MeetingSeries
from coalition.meetings.tests.factories import members
from coalition.meetings.tests.test_views import series_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.SUPPORT_UNIT))
    return client


def test_a_rotation_not_proven_within_the_request_budget_is_solved_by_the_worker(
    manager: Client, django_capture_on_commit_callbacks: Any
) -> None:
    members("NL", "US", "JP", "KE")
    with override_settings(MEETINGS_ROTATION_IN_REQUEST_SECONDS=0), django_capture_on_commit_callbacks() as queued:
        response = manager.post("/meetings/series/new/", series_form(rotate="on"))
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 0  # nothing solved in the request
    assert (series.rotation or {}).get("state") == services.ROTATION_QUEUED
    assert len(queued) == 1  # the worker's task, sent once the series is committed

    events = AuditEvent.objects.count()
    page = manager.get(response["Location"]).content.decode()
    assert "Waiting for the task worker" in page
    assert "its meetings follow once the fair rotation is worked out" in page
    assert '<progress id="rotation-progress-bar">' in page
    assert AuditEvent.objects.count() == events and series.meetings.count() == 0  # reading the page wrote nothing

    queued[0]()  # the worker runs the task (the immediate backend in tests)
    series.refresh_from_db()
    assert series.meetings.count() == 4
    assert (series.rotation or {}).get("solver") == rotation.SOLVER_OPTIMAL
    page = manager.get(response["Location"]).content.decode()
    assert "Waiting for the task worker" not in page
    assert "Fair rotation of the meeting time" in page


def test_a_large_rotation_goes_to_the_worker_without_being_solved_in_the_request(
    manager: Client, django_capture_on_commit_callbacks: Any
) -> None:
    members("NL", "US", "JP", "KE")  # 4 meetings × 4 participants: 16 seats
    with (
        override_settings(MEETINGS_ROTATION_IN_REQUEST_SEATS=15, MEETINGS_ROTATION_IN_REQUEST_SECONDS=60),
        django_capture_on_commit_callbacks() as queued,
    ):
        assert manager.post("/meetings/series/new/", series_form(rotate="on")).status_code == 302
    series = MeetingSeries.objects.get()
    assert (series.rotation or {}).get("state") == services.ROTATION_QUEUED and series.meetings.count() == 0
    queued[0]()
    assert series.meetings.count() == 4


def test_a_rotation_task_delivered_twice_makes_the_meetings_once(support_series: MeetingSeries) -> None:
    services.finish_queued_rotation(series=support_series, time_limit_seconds=10)
    assert services.finish_queued_rotation(series=support_series, time_limit_seconds=10) is None
    assert Meeting.objects.filter(series=support_series).count() == 4


def test_a_small_rotation_proven_within_the_budget_is_solved_in_the_request(manager: Client) -> None:
    members("NL", "US", "JP", "KE")
    with override_settings(MEETINGS_ROTATION_IN_REQUEST_SECONDS=10):
        response = manager.post("/meetings/series/new/", series_form(rotate="on"))
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 4 and (series.rotation or {}).get("solver") == rotation.SOLVER_OPTIMAL


@pytest.fixture
def support_series(make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any) -> MeetingSeries:
    """A rotating series handed to the worker, its task not yet run."""
    members("NL", "US", "JP", "KE")
    with override_settings(MEETINGS_ROTATION_IN_REQUEST_SECONDS=0), django_capture_on_commit_callbacks():
        return services.create_series(
            by=make_user(Role.SUPPORT_UNIT),
            title="Strategy and Coordination",
            first_on=today() - dt.timedelta(days=60),
            count=4,
            host_time_zone="Europe/Amsterdam",
            weekday=1,
            week_of_month=2,
            rotate=True,
        )
