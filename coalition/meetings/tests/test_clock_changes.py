"""A meeting time typed into the hour the clocks skip or repeat (issue 17, item 9). The skipped spring hour was moved
an hour later without a word; the repeated autumn hour was read as its first occurrence and shown without saying
which. Now a skipped time is refused on its field with the times to choose instead, a repeated time asks which of the
two it is, and a repeated-hour time is shown with its UTC offset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from coalition.core.errors import InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.meetings import services
from coalition.meetings.models import Meeting, MeetingSeries
from coalition.meetings.tests.factories import create_series

pytestmark = pytest.mark.django_db

PARIS = "Europe/Paris"
# 2030: clocks go forward at 02:00 on 31 March and back at 03:00 on 27 October in Paris.
SPRING, AUTUMN = dt.date(2030, 3, 31), dt.date(2030, 10, 27)


@pytest.fixture
def support(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def manager(support: Any) -> Client:
    client = Client()
    client.force_login(support)
    return client


@pytest.fixture
def meeting(support: Any) -> Meeting:
    return services.create_meeting(
        by=support, title="Task Force call", starts_at=dt.datetime(2030, 3, 1, 13, tzinfo=dt.UTC), host_time_zone=PARIS
    )


def move(client: Client, meeting: Meeting, day: dt.date, clock: str, **fields: str) -> Any:
    data = {"starts_on": day.isoformat(), "start_time": clock, "duration_minutes": "60", "location": "", **fields}
    return client.post(f"/meetings/{meeting.pk}/reschedule/", data)


def test_a_time_the_clocks_skip_is_refused_on_its_field_with_the_times_to_choose(
    manager: Client, meeting: Meeting
) -> None:
    events = AuditEvent.objects.count()
    response = move(manager, meeting, SPRING, "02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_start_time_error"' in page
    assert "02:30 on 31 March does not exist in Europe/Paris (clocks go forward); choose 03:30 or 01:30." in page
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2030, 3, 1, 13, tzinfo=dt.UTC) and meeting.sequence == 0
    assert AuditEvent.objects.count() == events


def test_a_time_the_clocks_repeat_asks_which_of_the_two(manager: Client, meeting: Meeting) -> None:
    response = move(manager, meeting, AUTUMN, "02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_occurrence_error"' in page
    assert "02:30 on 27 October happens twice in Europe/Paris (clocks go back)" in page
    assert "02:30 (UTC+2), before the change, or 02:30 (UTC+1), after it." in page
    meeting.refresh_from_db()
    assert meeting.sequence == 0


@pytest.mark.parametrize(("occurrence", "utc"), [("first", dt.time(0, 30)), ("second", dt.time(1, 30))])
def test_the_chosen_occurrence_of_a_repeated_time_is_kept(
    manager: Client, meeting: Meeting, occurrence: str, utc: dt.time
) -> None:
    assert move(manager, meeting, AUTUMN, "02:30", occurrence=occurrence).status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime.combine(AUTUMN, utc, tzinfo=dt.UTC)


def test_an_ordinary_time_needs_no_occurrence(manager: Client, meeting: Meeting) -> None:
    assert move(manager, meeting, AUTUMN, "14:00").status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime.combine(AUTUMN, dt.time(13), tzinfo=dt.UTC)


def test_a_repeated_hour_time_is_shown_with_its_offset(manager: Client, meeting: Meeting, support: Any) -> None:
    services.reschedule(meeting=meeting, by=support, starts_at=dt.datetime(2030, 10, 27, 1, 30, tzinfo=dt.UTC))
    support.person.time_zone = PARIS
    support.person.save(update_fields=["time_zone"])
    page = manager.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "27 Oct 2030, 02:30 (UTC+1)" in page
    assert "02:30 (UTC+2)" not in page


def test_a_time_outside_the_repeated_hour_is_shown_without_an_offset(
    manager: Client, meeting: Meeting, support: Any
) -> None:
    support.person.time_zone = PARIS
    support.person.save(update_fields=["time_zone"])
    page = manager.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "1 Mar 2030, 14:00 <abbr" in page


def test_a_series_whose_start_the_clocks_skip_on_one_date_is_refused_naming_it(support: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_series(
            by=support,
            title="Weekly call",
            first_on=SPRING - dt.timedelta(days=7),
            count=3,
            frequency=MeetingSeries.Frequency.WEEKLY,
            local_start=dt.time(2, 30),
            host_time_zone=PARIS,
        )
    assert refused.value.field == "local_start"
    assert "02:30 on 31 March does not exist in Europe/Paris" in refused.value.message
    assert not MeetingSeries.objects.exists()
