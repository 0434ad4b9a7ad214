"""A series' dates, who takes part (with the zone their burden is counted in), and its meetings at given starts.

Times: a meeting's start is stored in UTC. A series without rotation keeps a fixed wall-clock time in its host's
zone, so its UTC start moves with the host's summer time; a series with rotation takes each date's UTC start from
`rotation.plan_rotation`. Either way the instant is fixed once, and every reader converts it to their own zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

from coalition.core import search
from coalition.core.errors import InvalidInput
from coalition.directory.models import Body, Organisation, Participation, Person, Position
from coalition.directory.queries import troika_on, with_status_on
from coalition.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingSeries,
)

MAX_MEETINGS_PER_SERIES = 60


def cadence_dates(
    *,
    frequency: str,
    first_on: dt.date,
    count: int,
    interval: int = 1,
    weekday: int | None = None,
    week_of_month: int | None = None,
) -> list[dt.date]:
    """The dates of a series (RFC 5545 recurrence through dateutil): "monthly, second Tuesday" is
    frequency=monthly, weekday=1, week_of_month=2; monthly without a weekday repeats the first date's day."""
    if not 1 <= count <= MAX_MEETINGS_PER_SERIES:
        raise InvalidInput(f"A series has between 1 and {MAX_MEETINGS_PER_SERIES} meetings.", field="count")
    if not 1 <= interval <= 12:
        raise InvalidInput("Repeat every 1 to 12 periods.", field="interval")
    if weekday is not None and weekday not in range(7):
        raise InvalidInput("Choose a weekday from Monday to Sunday.", field="weekday")
    if week_of_month is not None and week_of_month not in (1, 2, 3, 4, -1):
        raise InvalidInput("Choose the first, second, third, fourth or last week.", field="week_of_month")
    start = dt.datetime.combine(first_on, dt.time())
    options: dict[str, Any] = {"dtstart": start, "count": count, "interval": interval}
    if frequency == MeetingSeries.Frequency.WEEKLY:
        if week_of_month is not None:
            raise InvalidInput("A weekly series has no week of the month.", field="week_of_month")
        rule = rrule.rrule(rrule.WEEKLY, byweekday=weekday if weekday is not None else first_on.weekday(), **options)
    elif frequency in (MeetingSeries.Frequency.MONTHLY, MeetingSeries.Frequency.QUARTERLY):
        if frequency == MeetingSeries.Frequency.QUARTERLY:
            options["interval"] = 3 * interval
        if week_of_month is not None and weekday is None:
            raise InvalidInput("Say which weekday of that week, e.g. the second Tuesday.", field="weekday")
        if weekday is not None:
            nth = week_of_month if week_of_month is not None else 1
            rule = rrule.rrule(rrule.MONTHLY, byweekday=rrule.weekday(weekday, nth), **options)
        else:
            if first_on.day > 28:
                raise InvalidInput(
                    "A monthly series on a fixed day starts on the 1st to the 28th, or choose a weekday.",
                    field="first_on",
                )
            rule = rrule.rrule(rrule.MONTHLY, bymonthday=first_on.day, **options)
    else:
        raise InvalidInput("Choose weekly, monthly or quarterly.", field="frequency")
    return [moment.date() for moment in rule]


def fixed_local_starts(dates: Sequence[dt.date], local_start: dt.time, zone: str) -> list[dt.datetime]:
    """The same wall-clock time in the host's zone on each date, as UTC instants (moves with summer time).

    A wall-clock time skipped by a spring-forward change is read with the offset before the change (PEP 495
    fold=0), i.e. an hour later on the new clock; a time repeated by a fall-back change is its first occurrence.
    Both are RFC 5545's reading, so calendar clients agree."""
    tz = ZoneInfo(zone)
    return [dt.datetime.combine(day, local_start, tzinfo=tz).astimezone(dt.UTC) for day in dates]


@dataclass(frozen=True)
class SeriesParticipant:
    key: str  # the member's name, or a person's name where they sit in their own right
    tz: str
    organisation: Organisation | None = None
    person: Person | None = None


def participants_of(
    *, participation: str, body: Body | None, on: dt.date, host: Organisation | None = None
) -> list[SeriesParticipant]:
    """Who takes part in a series on a date, each with the zone their burden is counted in: a member's capital's
    zone, or a person's own zone where they sit for no government. Those without a known zone are left out, since
    no burden can be counted for them; a government host is added when it is not among them."""
    found = [entry for entry in everyone_taking_part(participation=participation, body=body, on=on) if entry.tz]
    if host is not None and host.kind == Organisation.Kind.GOVERNMENT and all(e.organisation != host for e in found):
        entry = _member(host)
        if entry.tz:
            found.append(entry)
    return found


def everyone_taking_part(*, participation: str, body: Body | None, on: dt.date) -> list[SeriesParticipant]:
    """Everyone taking part on a date, with or without a known zone."""
    found: list[SeriesParticipant]
    if participation == MeetingSeries.Participation.MEMBERS:
        members = with_status_on(Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT), on).filter(
            status=Participation.Status.MEMBER  # type: ignore[misc]
        )
        found = [_member(org) for org in members.select_related("country").order_by("name")]
    elif participation == MeetingSeries.Participation.TROIKA:
        troika = troika_on(on)
        found = [_member(term.organisation) for term in (troika.past, troika.current, troika.next) if term]
    elif participation == MeetingSeries.Participation.BODY:
        if body is None:
            raise InvalidInput("A body's series needs the body.", field="body")
        positions = (
            Position.objects.filter(Position.current_q(on), body=body)
            .select_related("person", "organisation__country")
            .order_by("organisation__name", "person__full_name")
        )
        found, seen = [], set()
        for position in positions:
            org = position.organisation
            if org is not None and org.kind == Organisation.Kind.GOVERNMENT and org.country and org.country.capital_tz:
                entry = _member(org)
            else:
                entry = SeriesParticipant(
                    key=position.person.full_name, tz=position.person.time_zone, person=position.person
                )
            if entry.key not in seen:
                seen.add(entry.key)
                found.append(entry)
    else:
        raise InvalidInput("Choose who takes part.", field="participation")
    return found


def _member(org: Organisation) -> SeriesParticipant:
    return SeriesParticipant(
        key=org.short_name or org.name, tz=org.country.capital_tz if org.country else "", organisation=org
    )


def agenda_from_template(meeting: Meeting, template: str) -> None:
    titles = [line.strip(" -*\t") for line in template.splitlines()]
    made = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=(n + 1) * 10, title=title[:300])
        for n, title in enumerate(t for t in titles if t)
    )
    search.refresh(AgendaItem, [item.pk for item in made])


def create_meetings(series: MeetingSeries, starts: Sequence[dt.datetime]) -> None:
    """The meetings of a series at the given starts, each with the series' agenda template."""
    for n, starts_at in enumerate(starts, start=1):
        meeting = Meeting.objects.create(
            series=series,
            title=f"{series.title} ({n})" if len(starts) > 1 else series.title,
            body=series.body,
            starts_at=starts_at,
            duration_minutes=series.duration_minutes,
            host_time_zone=series.host_time_zone,
            virtual=series.virtual,
            location=series.location,
            organiser=series.organiser,
            classification=series.classification,
        )
        agenda_from_template(meeting, series.agenda_template)
