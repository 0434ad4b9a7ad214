"""Every calendar file the platform writes, read by a parser that is not the one that wrote it (vobject, as
Thunderbird-era and CalDAV tools read files), on both sides of summer-time changes in both hemispheres: each event
must land at the instant the platform stored. Also what those readers refuse or read differently: comma-separated
RDATE lists, a REFRESH-INTERVAL that is not an RFC 5545 duration, a wall-clock time that happens twice, and a zone
whose summer time pauses for a month (Morocco's Ramadan hour). And the feed's secret address in the logs."""

from __future__ import annotations

import datetime as dt
import io
import logging
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from vobject.icalendar import stringToDurations

from coalition.meetings import calendar
from coalition.meetings.invitations import tell_invited
from coalition.meetings.logs import redact
from coalition.meetings.models import Meeting
from coalition.meetings.tests.test_calendar import invitation_of, invited_meeting
from coalition.meetings.tests.test_calendar_views import as_user, create_feed

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DURATION = dt.timedelta(minutes=90)


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# (host zone, stored instant, what it is there). 2027 and 2028, so that a feed's zones span several years of changes.
MOMENTS = [
    ("Europe/Paris", at(2027, 3, 27, 9, 0), "the day before spring forward"),
    ("Europe/Paris", at(2027, 3, 28, 1, 0), "03:00 CEST, the end of the skipped hour"),
    ("Europe/Paris", at(2027, 3, 28, 1, 30), "03:30 CEST: 02:30 was asked, which does not exist"),
    ("Europe/Paris", at(2027, 10, 31, 0, 30), "02:30 CEST, the first of the repeated hour"),
    ("Europe/Paris", at(2027, 10, 31, 1, 30), "02:30 CET, the second of the repeated hour"),
    ("Europe/Paris", at(2028, 7, 4, 8, 0), "summer, the year after"),
    ("Europe/Paris", at(2028, 10, 29, 0, 45), "02:45 CEST, the repeated hour the year after"),
    ("America/New_York", at(2027, 3, 14, 7, 30), "03:30 EDT: 02:30 was asked, which does not exist"),
    ("America/New_York", at(2027, 11, 7, 5, 30), "01:30 EDT, the first of the repeated hour"),
    ("America/New_York", at(2027, 11, 7, 6, 30), "01:30 EST, the second of the repeated hour"),
    ("America/New_York", at(2028, 6, 1, 14, 0), "summer, the year after"),
    ("Australia/Sydney", at(2027, 4, 3, 15, 30), "02:30 AEDT, the first of the repeated hour (autumn in April)"),
    ("Australia/Sydney", at(2027, 4, 3, 16, 30), "02:30 AEST, the second of the repeated hour"),
    ("Australia/Sydney", at(2027, 10, 2, 16, 30), "03:30 AEDT: 02:30 was asked, which does not exist"),
    ("Australia/Sydney", at(2028, 1, 10, 23, 0), "summer in January, the year after"),
    ("America/Santiago", at(2027, 4, 4, 2, 30), "23:30 -03 on Saturday, the first of the repeated hour"),
    ("America/Santiago", at(2027, 4, 4, 3, 30), "23:30 -04 on Saturday, the second of the repeated hour"),
    ("America/Santiago", at(2027, 9, 5, 4, 30), "01:30 -03: 00:30 was asked, which does not exist"),
    ("America/Santiago", at(2028, 2, 1, 15, 0), "summer in February, the year after"),
    ("Africa/Casablanca", at(2027, 2, 20, 12, 0), "the Ramadan hour (+00), a month between two changes"),
    ("Africa/Casablanca", at(2027, 3, 20, 12, 0), "after Ramadan (+01)"),
]
ZONES = sorted({zone for zone, _, _ in MOMENTS})


def changes_of(zone: ZoneInfo, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The instants between `first` and `last` at which the zone's offset changes (found here by an hourly scan and
    halving to the second, not by the code under test)."""
    found, hour, moment = [], dt.timedelta(hours=1), first
    while moment < last:
        if (moment + hour).astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            before, after = moment, moment + hour
            while after - before > dt.timedelta(seconds=1):
                middle = before + (after - before) / 2
                if middle.astimezone(zone).utcoffset() == before.astimezone(zone).utcoffset():
                    before = middle
                else:
                    after = middle
            found.append(after.replace(microsecond=0))
        moment += hour
    return found


def coming_moments(years: int = 2) -> list[tuple[str, dt.datetime, str]]:
    """Moments half an hour either side of every summer-time change of each zone in the coming years, counted from
    today (a feed keeps 90 days back, and no invitation is emailed for a meeting that has ended): the repeated hour
    twice and the hour after the skipped one, in both hemispheres, whatever year the tests run in."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    moments = []
    for name in ZONES:
        zone = ZoneInfo(name)
        for change in changes_of(zone, start, start + dt.timedelta(days=366 * years)):
            for instant in (change - dt.timedelta(minutes=30), change + dt.timedelta(minutes=30)):
                local = instant.astimezone(zone)
                moments.append((name, instant, f"{local:%Y-%m-%d %H:%M} {local.tzname()}"))
    return moments


def repeated_hour(moments: list[tuple[str, dt.datetime, str]], zone: str) -> tuple[str, dt.datetime, str]:
    """The first moment in the zone whose wall-clock time happens twice (the clocks go back)."""

    def twice(instant: dt.datetime) -> bool:
        local = instant.astimezone(ZoneInfo(zone))
        return local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset()

    return next(moment for moment in moments if moment[0] == zone and twice(moment[1]))


def meetings_at(organiser: Any, moments: list[tuple[str, dt.datetime, str]]) -> list[Meeting]:
    """One invited meeting per moment, its instant set exactly (a moment in a repeated hour cannot be typed)."""
    made = []
    for n, (zone, instant, what) in enumerate(moments):
        meeting = invited_meeting(organiser, dt.datetime(2027, 1, 5, 10, 0), zone, title=f"{n}: {zone}, {what}")
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=instant)
        meeting.refresh_from_db()
        made.append(meeting)
    return made


def tzid_of(line: Any) -> str | None:
    """The TZID a date-time line was written with (vobject moves it aside when it reads the line)."""
    names = line.params.get("TZID") or line.params.get("X-VOBJ-ORIGINAL-TZID") or [None]
    return names[0]


def read(data: bytes) -> Any:
    """The file as vobject reads it, every zone its events name defined in the file itself. vobject keeps the first
    definition of each TZID it reads for the rest of the process and reads every later file with it: forgotten
    first, so that each file is read with its own (a feed of later years was read with an earlier file's years)."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    parsed = vobject.readOne(data.decode())
    defined = {zone.tzid.value for zone in getattr(parsed, "vtimezone_list", [])}
    named = {tzid_of(line) for event in getattr(parsed, "vevent_list", []) for line in (event.dtstart, event.dtend)}
    named.discard(None)
    assert named <= defined
    return parsed


def wrong_instants(data: bytes, meetings: list[Meeting]) -> list[str]:
    """The events vobject places elsewhere than the meeting's stored start and end."""
    stored = {meeting.uid: meeting for meeting in meetings}
    events = read(data).vevent_list
    assert sorted(event.uid.value for event in events) == sorted(stored)
    wrong = []
    for event in events:
        meeting = stored[event.uid.value]
        start, end = event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC)
        if (start, end) != (meeting.starts_at, meeting.starts_at + DURATION):
            wrong.append(f"{meeting.title}: read {start:%Y-%m-%d %H:%M}Z, stored {meeting.starts_at:%Y-%m-%d %H:%M}Z")
    return wrong


# --- Each file, read by vobject -----------------------------------------------------------------------------------


def test_the_feed_places_every_meeting_at_its_instant(organiser, guest):
    meetings = meetings_at(organiser, MOMENTS)
    assert wrong_instants(calendar.feed_ics(guest.person, meetings), meetings) == []


@pytest.mark.parametrize("method", [calendar.REQUEST, calendar.CANCEL])
def test_each_invitation_and_cancellation_places_its_meeting_at_its_instant(organiser, guest, method):
    wrong = []
    for meeting in meetings_at(organiser, MOMENTS):
        data = calendar.invitation_ics(meeting, invitation_of(meeting, guest), method)
        wrong += wrong_instants(data, [meeting])
    assert wrong == []


def test_the_feed_a_calendar_client_fetches_places_every_meeting_at_its_instant(organiser, guest):
    """The feed keeps meetings from 90 days back: the moments are the coming changes, not fixed dates that pass."""
    future = coming_moments()
    assert {"Europe/Paris", "America/New_York", "Australia/Sydney", "America/Santiago"} <= {z for z, _, _ in future}
    assert len({instant.year for _, instant, _ in future}) >= 2  # the zones' definitions span several years
    meetings = meetings_at(organiser, future)
    response = Client().get(create_feed(as_user(guest)))
    assert response.status_code == 200
    assert wrong_instants(response.content, meetings) == []


def test_the_invitation_downloaded_from_the_meeting_page_places_it_at_its_instant(organiser, guest):
    meetings = meetings_at(organiser, MOMENTS[-4:])
    for meeting in meetings:
        response = as_user(guest).get(reverse("meetings:my_invitation", args=[meeting.pk]))
        assert response.status_code == 200
        assert wrong_instants(response.content, [meeting]) == []


def test_the_emailed_invitation_places_the_meeting_at_its_instant(organiser, guest, worker):
    """In the coming repeated hour of Paris and of Sydney (no invitation is emailed for a meeting that has ended)."""
    coming = coming_moments(years=1)
    for meeting in meetings_at(
        organiser, [repeated_hour(coming, "Europe/Paris"), repeated_hour(coming, "Australia/Sydney")]
    ):
        mail.outbox.clear()
        with worker():
            tell_invited(meeting)
        message: Any = next(message for message in mail.outbox if message.to == [guest.email])
        inline = [content for content, mimetype in message.alternatives if mimetype.startswith("text/calendar")]
        attached = [content for _, content, _ in message.attachments]
        assert inline + attached
        for content in inline + attached:
            assert wrong_instants(content.encode() if isinstance(content, str) else content, [meeting]) == []


# --- What clients read differently ---------------------------------------------------------------------------------


def test_no_file_writes_a_wall_clock_time_that_happens_twice(organiser, guest):
    """ical.js reads the first 02:30 of a night that has two as the second; a time in UTC has one reading."""
    meetings = meetings_at(organiser, MOMENTS)
    files = [calendar.feed_ics(guest.person, meetings)]
    files += [calendar.invitation_ics(meeting, invitation_of(meeting, guest)) for meeting in meetings]
    twice = []
    for data in files:
        for event in read(data).vevent_list:
            for line in (event.dtstart, event.dtend):
                tzid = tzid_of(line)
                if tzid is None:
                    continue
                wall, zone = line.value.replace(tzinfo=None), ZoneInfo(tzid)
                if wall.replace(tzinfo=zone, fold=0).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset():
                    twice.append(f"{event.summary.value}: {line.name} {wall} {zone.key}")
    assert twice == []


def test_each_zone_change_has_an_rdate_line_of_its_own(organiser, guest):
    """RFC 5545 allows "RDATE:a,b,c", but ical.js 1.x, vobject and Radicale read only its first date."""
    text = calendar.feed_ics(guest.person, meetings_at(organiser, MOMENTS)).decode()
    rdates = [line for line in text.split("\r\n") if line.startswith("RDATE")]
    assert rdates
    assert [line for line in rdates if "," in line] == []


def test_the_feeds_refresh_interval_is_an_rfc_5545_duration(guest):
    """RFC 7986's REFRESH-INTERVAL is a DURATION (PT1H); icalendar 7 refuses a feed that writes 1:00:00."""
    parsed = read(calendar.feed_ics(guest.person, []))
    line = parsed.contents["refresh-interval"][0]
    assert line.params["VALUE"] == ["DURATION"]
    assert line.value == "PT1H"
    assert stringToDurations(line.value) == [dt.timedelta(hours=1)]


def points_to_check(zone: ZoneInfo, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """Noon UTC of every day, and every 15 minutes of the two days around each change (found here by an hourly
    scan, not by the code under test)."""
    points, hour, moment = [], dt.timedelta(hours=1), first
    while moment < last:
        points.append(moment.replace(hour=12))
        moment += dt.timedelta(days=1)
    moment = first
    while moment < last:
        if (moment + hour).astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            points += [moment + dt.timedelta(minutes=15 * k) for k in range(-96, 97)]
        moment += hour
    return points


@pytest.mark.parametrize(
    "zone", [*ZONES, "Asia/Gaza", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Auckland", "Asia/Tokyo"]
)
def test_every_vtimezone_gives_the_tz_databases_offset_across_the_feeds_years(organiser, guest, zone):
    """The zone's definition in the feed, read by vobject, turns each unambiguous local time of 2026 to 2029 into the
    instant the tz database gives: every year's changes are there (not the first alone), and short periods too."""
    meetings = meetings_at(organiser, [(zone, at(2027, 6, 1, 12, 0), "June"), (zone, at(2028, 6, 1, 12, 0), "June")])
    (defined,) = [tz for tz in read(calendar.feed_ics(guest.person, meetings)).vtimezone_list if tz.tzid.value == zone]
    theirs, ours = defined.gettzinfo(), ZoneInfo(zone)
    wrong = []
    for instant in points_to_check(ours, at(2026, 1, 2, 0, 0), at(2029, 12, 31, 0, 0)):
        local = instant.astimezone(ours)
        wall = local.replace(tzinfo=None)
        if wall.replace(tzinfo=ours, fold=1 - local.fold).utcoffset() != local.utcoffset():
            continue  # a time that happens twice: the files write it in UTC
        read_back = wall.replace(tzinfo=theirs).astimezone(UTC)
        if read_back != instant:
            wrong.append(f"{wall} read as {read_back:%Y-%m-%d %H:%M}Z, is {instant:%Y-%m-%d %H:%M}Z")
    assert wrong[:5] == []


# --- The feed's address stays out of the logs ----------------------------------------------------------------------


@pytest.fixture
def request_logs() -> Any:
    """What the request loggers write (the development server's lines, Django's 4xx/5xx warnings), as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger("django.server"), logging.getLogger("django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_no_feed_token_reaches_the_request_logs(organiser, guest, request_logs):
    meetings_at(organiser, MOMENTS[-1:])
    client = as_user(guest)
    address = create_feed(client)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    feed = guest.person.calendar_feeds.get()
    assert Client().get(address).status_code == 200
    # The line the development server (run_platform's runserver) logs for each request, by Django's own handler.
    server = SimpleNamespace(request=None, log_date_time_string=lambda: "07/Dec/2026 12:00:00")
    WSGIRequestHandler.log_message(server, '"%s" %s %s', f"GET {address} HTTP/1.1", "200", "1234")  # type: ignore[arg-type]
    client.post("/meetings/calendar/", {"action": "revoke", "feed": feed.pk})
    assert Client().get(address).status_code == 404  # Django logs "Not Found: <path>"
    assert Client().get(address.replace(token, token[:-3] + "xyz")).status_code == 404
    logged = request_logs.getvalue()
    assert "Not Found: /meetings/calendar/" in logged
    assert f"GET /meetings/calendar/{token[:12]}… HTTP/1.1" in logged  # the public prefix, to match a feed
    assert token[12:20] not in logged


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/calendar/{token}.ics",
        "/meetings/calendar/{token}.ICS",  # the route refuses it (404), but the token in it is valid
        "/meetings/calendar/{token}%2Eics",  # decoded to ".ics" before routing: served
        "/meetings/calendar/{token}",
        "/Meetings/Calendar/{token}.ics",
    ],
)
def test_a_feed_token_is_redacted_however_its_address_is_written(path):
    """Review of issue 17 item 2: only "<token>.ics" was redacted; a token under another ending reached the log."""
    token = "cal_AbCdEfGh" + "x" * 30
    line = redact(f'"GET {path.format(token=token)} HTTP/1.1" 404 179')
    assert "x" * 8 not in line and "cal_AbCdEfGh…" in line
    assert redact('"GET /meetings/calendar/ HTTP/1.1" 200 5120') == '"GET /meetings/calendar/ HTTP/1.1" 200 5120'
