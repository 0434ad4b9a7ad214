"""The demo's meetings: a rotating Strategy and Coordination series with minutes, a troika series, quarterly calls."""

from __future__ import annotations

import datetime as dt

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo.logins import DEMO_DOMAIN
from coalition.directory.models import (
    Body,
    Office,
    Organisation,
    Person,
)
from coalition.meetings import services as meetings
from coalition.meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries
from coalition.programme.models import Activity


def _months_before(on: dt.date, months: int) -> dt.date:
    index = on.year * 12 + on.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def load(governments: dict[str, Organisation], bodies: dict[str, Body], on: dt.date) -> None:
    """A monthly Strategy and Coordination series on the second Tuesday with a fair rotation of times, begun two
    months ago: the first meeting's minutes approved at the second, an action still open, a draft in progress;
    a troika call series; and some members' quarterly calls (PoA 1B.2, 3A.2, 3B.2, 3B.3). Nobody is emailed."""
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    official = User.objects.get(email=f"official@{DEMO_DOMAIN}")
    focal = Person.objects.get(full_name="Freya Sample")
    current = {a.code: a for a in Activity.objects.filter(objective__goal__programme__year=on.year)}
    spec = meetings.SeriesSpec(
        title="Strategy and Coordination",
        body=bodies["strategy-coordination"],
        first_on=_months_before(on, 2),
        count=12,
        frequency=MeetingSeries.Frequency.MONTHLY,
        weekday=1,
        week_of_month=2,
        host_time_zone="America/Santiago",
        host_organisation=governments["CL"],
        rotate=True,
        host_in_working_hours=True,
        agenda_template="Programme of Action: progress review\nRapid response: situations update\nAny other business",
        classification=Classification.MEMBERS,
    )
    # The demo waits for its rotation: its meetings are used just below.
    series = meetings.create_series(spec, by=support, time_limit_seconds=4.0)
    first, second = list(series.meetings.order_by("starts_at")[:2])
    review, situations, other = list(first.agenda.order_by("position"))
    review.activity = current.get("1B.3")
    review.save(update_fields=["activity"])
    meetings.save_minutes(
        item=review,
        by=support,
        text="The Support Unit presented the tracker. Three activities are overdue; leads were asked to update.",
    )
    meetings.save_minutes(item=situations, by=support, text="Members exchanged views on two network disruptions.")
    meetings.save_minutes(item=other, by=support, text="No other business was raised.")
    terms = meetings.add_agenda_item(
        meeting=first,
        by=support,
        title="Terms of Reference review: timetable (PoA 3B.4)",
        activity=current.get("3B.4"),
    )
    meetings.set_outcome(item=terms, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    meetings.record_decision(
        meeting=first,
        by=support,
        item=review,
        text="Members agreed to circulate the draft rapid response procedure for comment.",
        activity=current.get("1B.3"),
    )
    meetings.assign_action(
        meeting=first,
        by=support,
        item=review,
        text="Estonia to share its national shutdown-response checklist with the Support Unit.",
        owner=focal,
        owner_organisation=governments["EE"],
        due_on=first.starts_at.date() + dt.timedelta(days=60),
        activity=current.get("1B.1"),
    )
    meetings.record_attendance(
        meeting=first,
        by=support,
        rows=[
            meetings.AttendanceRow(status=Attendance.Status.PRESENT, organisation=governments[code])
            for code in ("CL", "EE", "GH", "CA", "NL", "JP")
        ]
        + [meetings.AttendanceRow(status=Attendance.Status.APOLOGIES, organisation=governments["KE"])],
    )
    meetings.circulate_minutes(meeting=first, by=support)
    meetings.approve_minutes(minutes_of=first, at=second, by=support)
    meetings.save_minutes(
        item=second.agenda.filter(title__startswith="Programme").first() or second.agenda.first(),  # type: ignore[arg-type]
        by=support,
        text="Draft: members reviewed the carry-over from the previous chair.",
    )
    upcoming = series.meetings.filter(starts_at__gte=dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)).first()
    if upcoming is not None:
        meetings.invite(meeting=upcoming, by=support)
    troika = meetings.SeriesSpec(
        title="Troika call",
        body=bodies["troika"],
        participation=MeetingSeries.Participation.TROIKA,
        first_on=_months_before(on, 0),
        count=6,
        frequency=MeetingSeries.Frequency.MONTHLY,
        weekday=3,
        week_of_month=1,
        host_time_zone="America/Santiago",
        host_organisation=governments["CL"],
        rotate=True,
        duration_minutes=45,
        classification=Classification.MEMBERS,
    )
    # Solved here, as before, rather than left to a worker the demo may not have yet.
    meetings.create_series(troika, by=support, time_limit_seconds=4.0)
    last_quarter = _months_before(on, 3)
    for code, by, posts in [("GH", official, ["Geneva", "New York"]), ("EE", support, ["Vienna"])]:
        member = governments[code]
        meetings.record_quarterly_call(
            by=by,
            organisation=member,
            held_on=last_quarter + dt.timedelta(days=20),
            posts=Office.objects.filter(organisation=member, city__in=posts),
            topics="Preparations for the Human Rights Council session; shutdown monitoring in the region.",
            proposed_actions="Co-sponsor a side event with the Advisory Network.",
            asks="A briefing by the Support Unit on the rapid response procedure.",
        )
    assert Meeting.objects.filter(series=series).count() == 12
