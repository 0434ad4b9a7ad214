"""Members' quarterly update calls (PoA 1B.2, 3B.2) and the digest of them on the next meeting's agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification
from coalition.directory.models import Body, Office, Organisation, Participation
from coalition.directory.queries import status_of, today
from coalition.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingSeries,
    QuarterlyCall,
)
from coalition.meetings.services.agenda import ensure_digest
from coalition.meetings.services.checks import check_classification


def record_quarterly_call(
    *,
    by: Any,
    organisation: Organisation,
    held_on: dt.date,
    topics: str,
    posts: Iterable[Office] = (),
    proposed_actions: str = "",
    asks: str = "",
    classification: str = Classification.MEMBERS,
) -> QuarterlyCall:
    """A member records its capital–embassy call; the next Strategy and Coordination meeting's digest follows."""
    policy.require(by, "meetings.record_call", organisation)
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput("Quarterly calls are a member government's.", field="organisation")
    if status_of(organisation, held_on) != Participation.Status.MEMBER:
        raise InvalidInput(f"{organisation} was not a member on {held_on:%d %B %Y}.", field="organisation")
    if held_on > today() + dt.timedelta(days=1):
        raise InvalidInput("Record a call once it has been held: the date is in the future.", field="held_on")
    topics = topics.strip()
    if not topics:
        raise InvalidInput("Say which topics the call covered.", field="topics")
    check_classification(by, classification)
    posts = list(posts)
    foreign = [post for post in posts if post.organisation_id != organisation.pk]
    if foreign:
        raise InvalidInput(f"{foreign[0]} is not a post of {organisation}.", field="posts")
    with transaction.atomic():
        call = QuarterlyCall.objects.create(
            organisation=organisation,
            held_on=held_on,
            topics=topics,
            proposed_actions=proposed_actions.strip(),
            asks=asks.strip(),
            recorded_by=by,
            classification=classification,
        )
        call.posts.set(posts)
        ledger.record("meetings.quarterly_call_recorded", actor=by, subject=call, on_behalf_of=organisation)
        refresh_quarterly_digests()
    return call


def refresh_quarterly_digests(on: dt.date | None = None) -> list[AgendaItem]:
    """Put (or refresh) the digest of the quarter's calls on the next meeting of every Strategy and Coordination
    series (PoA 3B.2). Called when a call is recorded; safe to run again."""
    now = timezone.now() if on is None else dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)
    items = []
    series_ids = MeetingSeries.objects.filter(body__kind=Body.Kind.STRATEGY).values_list("pk", flat=True)
    for series_id in series_ids:
        upcoming = (
            Meeting.objects.filter(series_id=series_id, starts_at__gte=now, state=Meeting.State.SCHEDULED)
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            continue
        item = ensure_digest(upcoming)
        if item is not None:
            items.append(item)
    return items
