"""Helpers of the meetings services tests: the ledger read before and after a write, everything a write could
leave behind counted, times in Amsterdam, a meeting's agenda titles, minutes circulated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max

from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.queries import today
from coalition.meetings import services
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    MinutesApproval,
    MinutesRevision,
    QuarterlyCall,
)
from coalition.meetings.tests.factories import GLOBE
from coalition.programme.models import EvidenceLink

MakeUser = Callable[..., Any]
AMSTERDAM = "Europe/Amsterdam"
HOUR = dt.timedelta(hours=1)
GLOBE_KEYS = list(GLOBE)
NON_MANAGERS = [Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST]


def ledger_mark() -> int:
    return AuditEvent.objects.aggregate(top=Max("seq"))["top"] or 0


def events_since(mark: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=mark).order_by("seq").values_list("action", flat=True))


def written() -> tuple[int, ...]:
    """Everything a meetings write could leave behind, counted, so a refused write can be shown to write nothing."""
    return tuple(
        model.objects.count()
        for model in (
            MeetingSeries,
            Meeting,
            AgendaItem,
            MinutesRevision,
            MinutesApproval,
            Decision,
            ActionItem,
            Attendance,
            Invitation,
            QuarterlyCall,
            EvidenceLink,
            AuditEvent,
        )
    )


def at_local(day: dt.date, clock: str, zone: str = AMSTERDAM) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=ZoneInfo(zone))


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda.order_by("position", "pk").values_list("title", flat=True))


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def last_of(series: MeetingSeries) -> Meeting:
    return series.meetings.order_by("-starts_at")[0]


def item_titled(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.agenda.get(title=title)


def circulated(meeting: Meeting, by: Any) -> Meeting:
    services.save_minutes(item=meeting.agenda.order_by("position", "pk")[0], by=by, text="Members were welcomed.")
    return services.circulate_minutes(meeting=meeting, by=by)
