"""A meeting's time as each reader sees it: the `show_time` tag shows the moment on the viewer's own clock, naming
the zone, and the host's wall-clock time beside it with a warning when the zones differ — across summer time in
both hemispheres (issue 4)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from coalition.meetings import services

AMSTERDAM = "Europe/Amsterdam"
WARNING = "differs from your zone"


def render(value: dt.datetime | None, *, host_tz: str = "", viewer_tz: str | None = None) -> str:
    """The tag's output as a reader sees it: tags stripped, spaces collapsed."""
    context = {"value": value, "host_tz": host_tz}
    if viewer_tz is not None:
        context["viewer_tz"] = viewer_tz
    with translation.override("en"):
        html = Template("{% load coalition %}{% show_time value host_tz %}").render(Context(context))
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("( ", "(").replace(" )", ")")


def amsterdam_14_00(day: dt.date) -> dt.datetime:
    [start] = services.fixed_local_starts([day], dt.time(14, 0), AMSTERDAM)
    return start


def offset_hours(zone: str, day: dt.date) -> float:
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# Dates either side of each 2026 clock change: Amsterdam's (29 March, 25 October) and Santiago's (5 April,
# 6 September); what a 14:00 Amsterdam meeting shows in Tokyo (no summer time) and in Santiago.
CASES = [
    # day, Tokyo, Santiago
    (dt.date(2026, 3, 24), "24 Mar 2026, 22:00", "24 Mar 2026, 10:00"),
    (dt.date(2026, 3, 31), "31 Mar 2026, 21:00", "31 Mar 2026, 09:00"),  # Amsterdam on summer time
    (dt.date(2026, 4, 7), "7 Apr 2026, 21:00", "7 Apr 2026, 08:00"),  # Santiago off summer time
    (dt.date(2026, 9, 1), "1 Sep 2026, 21:00", "1 Sep 2026, 08:00"),
    (dt.date(2026, 9, 8), "8 Sep 2026, 21:00", "8 Sep 2026, 09:00"),  # Santiago on summer time
    (dt.date(2026, 10, 20), "20 Oct 2026, 21:00", "20 Oct 2026, 09:00"),
    (dt.date(2026, 10, 27), "27 Oct 2026, 22:00", "27 Oct 2026, 10:00"),  # Amsterdam off summer time
]
STRADDLED = [
    (AMSTERDAM, dt.date(2026, 3, 24), dt.date(2026, 3, 31)),
    ("America/Santiago", dt.date(2026, 3, 31), dt.date(2026, 4, 7)),
    ("America/Santiago", dt.date(2026, 9, 1), dt.date(2026, 9, 8)),
    (AMSTERDAM, dt.date(2026, 10, 20), dt.date(2026, 10, 27)),
]


@pytest.mark.parametrize(("zone", "before", "after"), STRADDLED)
def test_the_chosen_dates_straddle_a_clock_change(zone: str, before: dt.date, after: dt.date) -> None:
    assert offset_hours(zone, before) != offset_hours(zone, after)
    assert offset_hours("Asia/Tokyo", before) == offset_hours("Asia/Tokyo", after) == 9


@pytest.mark.parametrize(("day", "tokyo", "santiago"), CASES)
def test_a_viewer_in_tokyo_sees_their_own_time_and_the_hosts_beside_it(day: dt.date, tokyo: str, santiago: str) -> None:
    host = f"{day.day} {day:%b %Y}, 14:00"
    assert render(amsterdam_14_00(day), host_tz=AMSTERDAM, viewer_tz="Asia/Tokyo") == (
        f"{tokyo} Asia/Tokyo ({host} Europe/Amsterdam — {WARNING})"
    )


@pytest.mark.parametrize(("day", "tokyo", "santiago"), CASES)
def test_a_viewer_in_santiago_sees_their_own_time_and_the_hosts_beside_it(
    day: dt.date, tokyo: str, santiago: str
) -> None:
    host = f"{day.day} {day:%b %Y}, 14:00"
    assert render(amsterdam_14_00(day), host_tz=AMSTERDAM, viewer_tz="America/Santiago") == (
        f"{santiago} America/Santiago ({host} Europe/Amsterdam — {WARNING})"
    )


@pytest.mark.parametrize(("day", "tokyo", "santiago"), CASES)
def test_a_viewer_in_the_hosts_zone_sees_the_hosts_time_without_a_warning(
    day: dt.date, tokyo: str, santiago: str
) -> None:
    shown = render(amsterdam_14_00(day), host_tz=AMSTERDAM, viewer_tz=AMSTERDAM)
    assert shown == f"{day.day} {day:%b %Y}, 14:00 Europe/Amsterdam"
    assert WARNING not in shown


def test_a_late_evening_meeting_shows_the_next_day_to_a_viewer_in_tokyo() -> None:
    [start] = services.fixed_local_starts([dt.date(2027, 1, 12)], dt.time(18, 0), AMSTERDAM)
    assert render(start, host_tz=AMSTERDAM, viewer_tz="Asia/Tokyo") == (
        f"13 Jan 2027, 02:00 Asia/Tokyo (12 Jan 2027, 18:00 Europe/Amsterdam — {WARNING})"
    )


def test_a_host_in_santiago_seen_from_its_own_zone_has_no_warning_either_side_of_its_april_change() -> None:
    starts = services.fixed_local_starts([dt.date(2026, 3, 31), dt.date(2026, 4, 7)], dt.time(9, 0), "America/Santiago")
    assert [render(s, host_tz="America/Santiago", viewer_tz="America/Santiago") for s in starts] == [
        "31 Mar 2026, 09:00 America/Santiago",
        "7 Apr 2026, 09:00 America/Santiago",
    ]
    assert [s.isoformat() for s in starts] == ["2026-03-31T12:00:00+00:00", "2026-04-07T13:00:00+00:00"]


def test_the_machine_readable_time_is_the_utc_instant() -> None:
    with translation.override("en"):
        html = Template("{% load coalition %}{% show_time value host_tz %}").render(
            Context({"value": amsterdam_14_00(dt.date(2026, 3, 31)), "host_tz": AMSTERDAM, "viewer_tz": "Asia/Tokyo"})
        )
    assert '<time datetime="2026-03-31T12:00:00+00:00">' in html


def test_without_a_host_zone_there_is_no_warning() -> None:
    assert render(amsterdam_14_00(dt.date(2026, 3, 24)), viewer_tz="Asia/Tokyo") == "24 Mar 2026, 22:00 Asia/Tokyo"


def test_without_a_viewer_zone_the_time_is_shown_in_utc() -> None:
    assert render(amsterdam_14_00(dt.date(2026, 3, 24)), host_tz=AMSTERDAM) == (
        f"24 Mar 2026, 13:00 UTC (24 Mar 2026, 14:00 Europe/Amsterdam — {WARNING})"
    )


def test_no_time_shows_a_dash() -> None:
    assert render(None, host_tz=AMSTERDAM, viewer_tz="Asia/Tokyo") == "—"
