"""VTIMEZONE components (RFC 5545 3.6.5) written from the same tz database the platform converts times with, so a
calendar reads a meeting's local time at the instant the platform stored.

Why not icalendar's own generator (`Timezone.from_tzid`, icalendar 6 and 7 alike): it writes an observance's later
onsets as one comma-separated RDATE, which RFC 5545 allows but ical.js (1.5 and 2.2), vobject and so Radicale read as
their first date only (every later year kept the old offset: events an hour off), and its search for changes steps 64
days at a time, so it misses a summer-time pause shorter than that (Morocco's Ramadan hour: Africa/Casablanca, 2027).
Here every change is found by stepping a day and halving to the second, and each onset has an RDATE line of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# No zone changes its clock twice within a day; Morocco's shortest period, Ramadan, lasts about a month.
STEP = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def _state(zone: ZoneInfo, moment: dt.datetime) -> tuple[dt.timedelta | None, str | None, bool]:
    local = moment.astimezone(zone)
    return local.utcoffset(), local.tzname(), bool(local.dst())


def _change_within(zone: ZoneInfo, before: dt.datetime, after: dt.datetime) -> dt.datetime:
    """The first second of the new state, halving [before, after): `before` has the old state, `after` the new."""
    old = _state(zone, before)
    while after - before > SECOND:
        middle = before + ((after - before) // 2 // SECOND) * SECOND
        if _state(zone, middle) == old:
            before = middle
        else:
            after = middle
    return after


@functools.lru_cache(maxsize=256)
def transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, ...]:
    """The instants (UTC) in [start, end) at which the zone's offset, name or summer time changes: the first second
    that has the new state. Kept per zone and span: a feed asks for the same few on every refresh."""
    found = []
    moment, state = start, _state(zone, start)
    while moment < end:
        following = min(moment + STEP, end)
        following_state = _state(zone, following)
        if following_state != state:
            found.append(_change_within(zone, moment, following))
        moment, state = following, following_state
    return tuple(found)


def _observance(
    daylight: bool, onset: dt.datetime, offset_from: dt.timedelta, offset_to: dt.timedelta, name: str
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    observance.add("DTSTART", onset)
    observance.add("TZOFFSETFROM", offset_from)
    observance.add("TZOFFSETTO", offset_to)
    observance.add("TZNAME", name)
    return observance


def vtimezone(tzid: str, first: dt.date, last: dt.date) -> Timezone:
    """The zone's VTIMEZONE from `first` to `last`: its state on `first`, then one observance per kind of change
    (offset from, offset to, name, summer time or not) starting at its first onset, with every later onset on an RDATE
    line of its own. Onsets are local times on the clock before the change (TZOFFSETFROM), as RFC 5545 reads them."""
    zone = ZoneInfo(tzid)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last, dt.time(), zone).astimezone(dt.UTC)
    component = Timezone()
    component.add("TZID", tzid)
    offset, name, daylight = _state(zone, start)
    assert offset is not None
    component.add_component(
        _observance(daylight, start.astimezone(zone).replace(tzinfo=None), offset, offset, name or "")
    )
    observances: dict[tuple[dt.timedelta, dt.timedelta, str, bool], TimezoneStandard | TimezoneDaylight] = {}
    for change in transitions(zone, start, end):
        offset_from = (change - SECOND).astimezone(zone).utcoffset()
        offset_to, name, daylight = _state(zone, change)
        assert offset_from is not None and offset_to is not None
        onset = (change + offset_from).replace(tzinfo=None)
        key = (offset_from, offset_to, name or "", daylight)
        if key in observances:
            observances[key].add("RDATE", onset)
        else:
            observances[key] = _observance(daylight, onset, offset_from, offset_to, name or "")
            component.add_component(observances[key])
    return component
