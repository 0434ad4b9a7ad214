"""The meetings' home sections (issue 19, My work): the same lists as the digest reminders — invitations awaiting a
reply, minutes to move on, action items owned — for the person they concern only, and upcoming public events on the
public home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Classification, Role
from coalition.directory.queries import today
from coalition.meetings import services
from coalition.meetings.models import Invitation
from coalition.meetings.tests.test_reminders import circulate, invitation_of, invited, past_meeting, past_series

pytestmark = pytest.mark.django_db


def items(user: Any, key: str, scope: str = workplace.PERSONAL) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), scope)}
    return sections[key].items


def test_an_invitation_awaiting_a_reply_is_on_the_invitees_home_until_they_reply(make_user: Any) -> None:
    support, focal, advisor = (
        make_user(Role.SUPPORT_UNIT),
        make_user(Role.FOCAL_POINT),
        make_user(Role.ADVISORY_NETWORK),
    )
    meeting = invited(support, title="Strategy and Coordination", classification=Classification.MEMBERS)
    [item] = items(focal, "meetings.rsvp")
    assert item.path == f"/meetings/{meeting.pk}/"
    assert item.deadline == meeting.starts_at
    assert item.subject == meeting
    assert items(advisor, "meetings.rsvp") == []  # neither invited nor allowed to see a members' meeting
    services.record_reply(invitation=invitation_of(focal, meeting), by=focal, reply="ACCEPTED")
    assert items(focal, "meetings.rsvp") == []


def test_an_invitation_to_a_meeting_the_person_may_not_see_is_not_listed(make_user: Any) -> None:
    support, advisor = make_user(Role.SUPPORT_UNIT), make_user(Role.ADVISORY_NETWORK)
    meeting = invited(support, classification=Classification.MEMBERS)
    Invitation.objects.create(meeting=meeting, person=advisor.person, sent_sequence=0, sent_at=timezone.now())
    assert items(advisor, "meetings.rsvp") == []


def test_draft_minutes_two_weeks_on_are_for_the_organiser_only(make_user: Any) -> None:
    support, other = make_user(Role.SUPPORT_UNIT), make_user(Role.SUPPORT_UNIT)
    meeting = past_series(support, weeks_ago=3, count=1)[0]
    [item] = items(support, "meetings.minutes")
    assert item.subject == meeting
    assert item.path == f"/meetings/{meeting.pk}/minutes/"
    assert items(other, "meetings.minutes") == []


def test_open_actions_are_on_their_owners_home_overdue_first(make_user: Any) -> None:
    support, focal, official = (
        make_user(Role.SUPPORT_UNIT),
        make_user(Role.FOCAL_POINT),
        make_user(Role.MEMBER_OFFICIAL),
    )
    meeting = past_meeting(support)
    on = today()
    services.assign_action(meeting=meeting, by=support, text="Circulate the list", owner=focal.person)
    services.assign_action(
        meeting=meeting, by=support, text="Brief the capital", owner=focal.person, due_on=on - dt.timedelta(3)
    )
    assert items(focal, "meetings.actions") == []  # the minutes are a draft, which the owner may not read yet
    circulate(meeting)
    texts = [item.text for item in items(focal, "meetings.actions")]
    assert len(texts) == 2 and "Brief the capital" in texts[0] and "Circulate the list" in texts[1]
    assert items(official, "meetings.actions") == []


def test_the_public_home_lists_upcoming_public_events_only(make_user: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    invited(support, title="Open forum", classification=Classification.PUBLIC)
    invited(support, title="Members' huddle", classification=Classification.MEMBERS)
    public = [item.text for item in items(AnonymousUser(), "meetings.upcoming", workplace.PUBLIC)]
    assert public == ["Open forum"]
    signed_in = {item.text for item in workplace.sections_for(support, timezone.now(), workplace.PERSONAL)[0].items}
    assert "Open forum" not in signed_in  # the public sections are not among a signed-in person's own
