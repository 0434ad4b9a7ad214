"""The meetings' sections of the home page (`coalition.core.workplace`): what the weekly digest reminds a person of
(`meetings.reminders`: invitations awaiting a reply, minutes to move on, quarterly calls due, open action items),
each as its own section, and the upcoming public events on the public home."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from coalition.core import policy, wallclock, workplace
from coalition.core.workplace import Item
from coalition.directory.models import Person
from coalition.meetings import reminders
from coalition.meetings.models import Meeting

UPCOMING = 5


def register() -> None:
    """Called from MeetingsConfig.ready()."""
    workplace.register_section(
        "meetings.rsvp",
        gettext_lazy("Invitations awaiting your reply"),
        gettext_lazy("Invitations to meetings in the next three weeks that you have not answered will appear here."),
        invitations,
        order=20,
    )
    workplace.register_section(
        "meetings.minutes",
        gettext_lazy("Minutes to approve"),
        gettext_lazy(
            "Minutes of the meetings you organise that are still a draft two weeks on, or whose approval was not "
            "recorded at the next meeting, will appear here."
        ),
        minutes,
        order=30,
    )
    workplace.register_section(
        "meetings.actions",
        gettext_lazy("Action items you own"),
        gettext_lazy("Open action items assigned to you in meeting minutes will appear here, overdue ones first."),
        actions,
        order=40,
    )
    workplace.register_section(
        "meetings.calls",
        gettext_lazy("Quarterly calls due"),
        gettext_lazy(
            "When six weeks of a quarter have gone without a recorded update call for a member you are focal point "
            "of, it will appear here."
        ),
        calls,
        order=80,
    )
    workplace.register_section(
        "meetings.upcoming",
        gettext_lazy("Upcoming public events"),
        gettext_lazy("Public meetings and events of the coalition will appear here once they are scheduled."),
        upcoming_public,
        scope=workplace.PUBLIC,
        order=20,
    )


def _person(user: Any, actor: policy.Actor) -> Person | None:
    return getattr(user, "person", None) if actor.person_id else None


def invitations(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    person = _person(user, actor)
    if person is None:
        return []
    return [
        workplace.from_reminder(reminder, deadline=reminder.subject.starts_at)
        for reminder in reminders._rsvp_reminders(person, user, now)
    ]


def minutes(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    return [workplace.from_reminder(reminder) for reminder in reminders._minutes_reminders(user, now)]


def actions(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    person = _person(user, actor)
    if person is None:
        return []
    return [workplace.from_reminder(r) for r in reminders._action_reminders(person, user, now.date())]


def calls(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    person = _person(user, actor)
    if person is None or not actor.focal_point_for:
        return []
    return [workplace.from_reminder(r) for r in reminders._call_reminders(person, user, now.date())]


def upcoming_public(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The next scheduled meetings the viewer may see (on the public home: the public ones), with when they start in
    the viewer's zone."""
    meetings = (
        policy.visible_to(user, Meeting)
        .filter(state=Meeting.State.SCHEDULED, starts_at__gte=now)
        .order_by("starts_at", "pk")[:UPCOMING]
    )
    zone = timezone.get_current_timezone_name()
    items = []
    for meeting in meetings:
        local = timezone.localtime(meeting.starts_at)
        items.append(
            Item(
                text=meeting.title,
                path=reverse("meetings:meeting", args=[meeting.pk]),
                detail=f"{wallclock.clock_with_offset(local, date_format(local, 'j M Y, H:i'))} ({zone})",
                subject=meeting,
            )
        )
    return items
