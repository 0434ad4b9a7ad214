"""An invited person without an account (a minister, an expert) is emailed the invitation, its update and its
cancellation at their invitation's address, through the notification service (`service.notify_address`): the same
calendar parts as everyone, in their zone, once per SEQUENCE, retried when refused, and nothing in any centre."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from coalition.core.policy import Role
from coalition.directory.tests.factories import person_with_role
from coalition.meetings import services
from coalition.meetings.invitations import queue_invitations, queue_updates, read_rsvp_token, tell_invited
from coalition.meetings.models import Invitation, Meeting
from coalition.meetings.tests.test_calendar import meeting_at
from coalition.meetings.tests.test_invitations import REFUSING, calendar_parts, make_due, message_to
from coalition.notifications import service
from coalition.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MINISTER = "minister@example.org"


@pytest.fixture
def minister() -> Any:
    """A focal point of a member government, in Santiago, with an email address and no account."""
    return person_with_role(Role.FOCAL_POINT, email=MINISTER, time_zone="America/Santiago", full_name="Ana Rojas")


@pytest.fixture
def meeting(organiser: Any, guest: Any, minister: Any) -> Meeting:
    return meeting_at(organiser, dt.datetime(2027, 1, 13, 0, 0), "Europe/Amsterdam")


@pytest.fixture
def queue(django_capture_on_commit_callbacks: Any) -> Any:
    def run(action: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def invitation_of(meeting: Meeting, person: Any) -> Invitation:
    return Invitation.objects.get(meeting=meeting, person=person)


def test_a_person_without_an_account_is_emailed_the_invitation(meeting, organiser, minister, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    assert not hasattr(minister, "account")
    message = message_to(MINISTER)
    assert message.subject == "[Coalition] Invitation: Strategy and Coordination"
    inline, attached, content_type = calendar_parts(message)
    assert content_type == "text/calendar; method=REQUEST"
    for parsed in (inline, attached):
        event = parsed.walk("VEVENT")[0]
        assert parsed["METHOD"] == "REQUEST"
        assert event["UID"] == meeting.uid
        assert str(event["ATTENDEE"]) == f"mailto:{MINISTER}"
    assert "Dear Ana Rojas," in message.body
    assert "Tuesday 12 January 2027, 20:00 (America/Santiago)" in message.body
    assert "You have no Coalition account" in message.body
    assert "You have no Coalition account" in message.alternatives[0][0]
    assert "/notifications/preferences" not in message.body + message.alternatives[0][0]
    assert "List-Unsubscribe" not in message.extra_headers
    invitation = invitation_of(meeting, minister)
    assert invitation.sent_sequence == 0
    delivery = Delivery.objects.get(to=MINISTER)
    assert (delivery.kind, delivery.status, delivery.recipient, delivery.subject) == (
        "meetings.invitation",
        "sent",
        None,
        meeting,
    )
    assert delivery.person == minister
    assert not Notification.objects.filter(kind="meetings.invitation", recipient__person=minister).exists()


def test_the_reply_links_are_for_their_own_invitation(meeting, organiser, minister, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    body = message_to(MINISTER).body
    links = [line.split(": ", 1)[1] for line in body.splitlines() if "/meetings/rsvp/" in line]
    tokens = [read_rsvp_token(link.rsplit("/rsvp/", 1)[1].rstrip("/")) for link in links]
    assert {(t.invitation_id, t.sequence) for t in tokens} == {(invitation_of(meeting, minister).pk, 0)}
    assert [t.reply for t in tokens] == ["ACCEPTED", "TENTATIVE", "DECLINED"]


def test_they_are_emailed_once_per_sequence(meeting, organiser, minister, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    invitation = invitation_of(meeting, minister)
    Invitation.objects.filter(pk=invitation.pk).update(sent_sequence=None)  # as if the record were lost
    queue(lambda: tell_invited(meeting))
    queue(lambda: tell_invited(meeting))
    assert len([m for m in mail.outbox if m.to == [MINISTER]]) == 1
    assert Delivery.objects.filter(to=MINISTER).count() == 1


def test_they_are_emailed_the_update_and_the_cancellation(meeting, organiser, minister, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    mail.outbox.clear()
    moved = services.reschedule(meeting=meeting, by=organiser, starts_at=dt.datetime(2027, 1, 14, 15, tzinfo=UTC))
    queue(lambda: queue_updates(moved))
    update = message_to(MINISTER)
    assert update.subject == "[Coalition] Updated invitation: Strategy and Coordination"
    assert "Thursday 14 January 2027, 12:00 (America/Santiago)" in update.body
    _, attached, _ = calendar_parts(update)
    assert (attached["METHOD"], attached.walk("VEVENT")[0].decoded("SEQUENCE")) == ("REQUEST", 1)
    mail.outbox.clear()
    cancelled = services.cancel(meeting=moved, by=organiser)
    queue(lambda: queue_updates(cancelled))
    cancel = message_to(MINISTER)
    assert cancel.subject == "[Coalition] Cancelled: Strategy and Coordination"
    inline, attached, content_type = calendar_parts(cancel)
    assert content_type == "text/calendar; method=CANCEL"
    assert inline["METHOD"] == attached["METHOD"] == "CANCEL"
    assert str(attached.walk("VEVENT")[0]["ATTENDEE"]) == f"mailto:{MINISTER}"
    assert invitation_of(meeting, minister).cancelled_sent_at is not None
    assert sorted(Delivery.objects.filter(to=MINISTER).values_list("kind", flat=True)) == [
        "meetings.invitation",
        "meetings.invitation_updated",
        "meetings.meeting_cancelled",
    ]
    assert queue(lambda: tell_invited(meeting)) == 0


def test_a_refused_email_is_sent_by_the_services_next_attempt(meeting, organiser, minister, queue):
    with override_settings(EMAIL_BACKEND=REFUSING):
        queue(lambda: queue_invitations(meeting, organiser))
    assert mail.outbox == []
    delivery = Delivery.objects.get(to=MINISTER)
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert "went away" in delivery.last_error
    make_due()
    assert service.deliver_due() == {"sent": 3}
    inline, attached, _ = calendar_parts(message_to(MINISTER))
    assert inline["METHOD"] == attached["METHOD"] == "REQUEST"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_person_no_longer_invited_when_it_is_sent_is_not_emailed(meeting, organiser, minister, queue):
    with override_settings(EMAIL_BACKEND=REFUSING):
        queue(lambda: queue_invitations(meeting, organiser))
    invitation_of(meeting, minister).delete()
    make_due()
    service.deliver_due()
    assert [m for m in mail.outbox if m.to == [MINISTER]] == []
    assert Delivery.objects.get(to=MINISTER).status == "dropped"
