"""Invitations by email, told through the notification service: a REQUEST to each invited person with the time in
their zone, an update when the meeting moves, a CANCEL when it is cancelled; nothing twice, and what the mail server
refused is sent by the service's next attempt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from coalition.core.errors import AccessDenied
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.meetings import services
from coalition.meetings.invitations import queue_invitations, queue_updates, read_rsvp_token, tell_invited
from coalition.meetings.models import Invitation, Meeting
from coalition.meetings.tests.test_calendar import invitation_of, meeting_at, person_in
from coalition.notifications import service
from coalition.notifications.models import Delivery

REFUSING = "coalition.notifications.tests.helpers.RefusingBackend"

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def meeting(organiser: Any, guest: Any) -> Meeting:
    """Midnight in Amsterdam, which is the evening before in Santiago."""
    return meeting_at(organiser, dt.datetime(2027, 1, 13, 0, 0), "Europe/Amsterdam")


@pytest.fixture
def queue(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what the code queues after commit (the service's sending), as the test-settings task backend runs it:
    at once."""

    def run(action: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def message_to(address: str) -> Any:
    found = [message for message in mail.outbox if message.to == [address]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def calendar_parts(message: Any) -> tuple[Calendar, Calendar, str]:
    """The inline text/calendar alternative and the attached .ics, parsed, and the attachment's content type."""
    inline = [content for content, mimetype in message.alternatives if mimetype.startswith("text/calendar")]
    attached = [(content, mimetype) for _, content, mimetype in message.attachments]
    assert len(inline) == 1 and len(attached) == 1
    return Calendar.from_ical(inline[0]), Calendar.from_ical(attached[0][0]), attached[0][1]


def test_inviting_emails_each_invited_person_a_request_with_the_ics(meeting, organiser, guest, queue):
    created = queue(lambda: queue_invitations(meeting, organiser))
    assert {invitation.person_id for invitation in created} == {organiser.person_id, guest.person_id}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([organiser.email, guest.email])
    message = message_to(guest.email)
    assert message.subject == "[Coalition] Invitation: Strategy and Coordination"
    inline, attached, content_type = calendar_parts(message)
    assert content_type == "text/calendar; method=REQUEST"
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html", "text/calendar; method=REQUEST"]
    for parsed in (inline, attached):
        event = parsed.walk("VEVENT")[0]
        assert parsed["METHOD"] == "REQUEST"
        assert event["UID"] == meeting.uid
        assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at
        assert str(event["ATTENDEE"]) == f"mailto:{guest.email}"


def test_the_email_gives_the_time_in_the_recipients_zone(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    expected = (
        "Tuesday 12 January 2027, 20:00 (America/Santiago) — 00:00 on 13 January in the host's zone Europe/Amsterdam"
    )
    message = message_to(guest.email)
    assert expected in message.body
    assert escape(expected) in message.alternatives[0][0]  # the HTML part


def test_sending_marks_the_sequence_each_person_received(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    invitation = invitation_of(meeting, guest)
    assert invitation.sent_sequence == 0
    assert invitation.sent_at is not None
    assert invitation.cancelled_sent_at is None


def test_sending_again_sends_nothing_twice(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    queue(lambda: queue_invitations(meeting, organiser))
    assert queue(lambda: tell_invited(meeting)) == 0
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="meetings.invitations_sent").count() == 1


def test_each_run_that_sends_is_recorded_once_in_the_ledger(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    event = AuditEvent.objects.get(action="meetings.invitations_sent")
    assert event.subject_id == str(meeting.pk)
    assert event.data["method"] == "REQUEST"
    assert event.data["sequence"] == 0
    assert sorted(event.data["sent"]) == sorted(meeting.invitations.values_list("pk", flat=True))


def test_the_email_links_reply_in_one_click_for_this_version(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    body = message_to(guest.email).body
    links = [line.split(": ", 1)[1] for line in body.splitlines() if "/meetings/rsvp/" in line]
    assert len(links) == 3
    tokens = [read_rsvp_token(link.rsplit("/rsvp/", 1)[1].rstrip("/")) for link in links]
    invitation = invitation_of(meeting, guest)
    assert {(t.invitation_id, t.sequence) for t in tokens} == {(invitation.pk, 0)}
    assert [t.reply for t in tokens] == ["ACCEPTED", "TENTATIVE", "DECLINED"]


def test_a_rescheduled_meeting_sends_an_update_of_the_same_event(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    mail.outbox.clear()
    moved = queue(
        lambda: services.reschedule(meeting=meeting, by=organiser, starts_at=dt.datetime(2027, 1, 14, 15, tzinfo=UTC))
    )
    queue(lambda: queue_updates(moved))
    message = message_to(guest.email)
    assert message.subject == "[Coalition] Updated invitation: Strategy and Coordination"
    assert "Thursday 14 January 2027, 12:00 (America/Santiago)" in message.body
    _, attached, _ = calendar_parts(message)
    event = attached.walk("VEVENT")[0]
    assert event["UID"] == meeting.uid
    assert event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART").astimezone(UTC) == dt.datetime(2027, 1, 14, 15, tzinfo=UTC)
    assert invitation_of(meeting, guest).sent_sequence == 1


def test_a_cancelled_meeting_sends_a_cancel_to_those_who_had_the_request(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    mail.outbox.clear()
    cancelled = services.cancel(meeting=meeting, by=organiser)
    queue(lambda: queue_updates(cancelled))
    message = message_to(guest.email)
    assert message.subject == "[Coalition] Cancelled: Strategy and Coordination"
    inline, attached, content_type = calendar_parts(message)
    assert content_type == "text/calendar; method=CANCEL"
    assert attached["METHOD"] == inline["METHOD"] == "CANCEL"
    event = attached.walk("VEVENT")[0]
    assert (event["UID"], event["STATUS"], event.decoded("SEQUENCE")) == (meeting.uid, "CANCELLED", 1)
    assert "/meetings/rsvp/" not in message.body
    invitation = invitation_of(meeting, guest)
    assert invitation.cancelled_sent_at is not None
    assert invitation.sent_sequence == 1
    assert queue(lambda: tell_invited(meeting)) == 0
    assert len(mail.outbox) == 2


def test_a_meeting_cancelled_before_anyone_was_sent_it_sends_nothing(meeting, organiser, guest, queue):
    services.invite(meeting=meeting, by=organiser)
    services.cancel(meeting=meeting, by=organiser)
    assert queue(lambda: tell_invited(meeting)) == 0
    assert mail.outbox == []


def test_nothing_is_sent_for_invitations_that_roll_back(meeting, organiser, guest, queue):
    class Abandoned(Exception):
        pass

    def invite_then_fail() -> None:
        with transaction.atomic():
            queue_invitations(meeting, organiser)
            raise Abandoned

    with pytest.raises(Abandoned):
        queue(invite_then_fail)
    assert mail.outbox == []
    assert not Invitation.objects.filter(meeting=meeting).exists()


def test_a_person_who_can_no_longer_see_the_meeting_is_not_sent_it(meeting, organiser, guest, queue):
    services.invite(meeting=meeting, by=organiser)
    guest.is_active = False  # a disabled account reads nothing
    guest.save(update_fields=["is_active"])
    queue(lambda: tell_invited(meeting))
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert invitation_of(meeting, guest).sent_sequence is None


def test_an_invitation_without_an_address_is_left_unsent(meeting, organiser, guest, queue):
    services.invite(meeting=meeting, by=organiser)
    Invitation.objects.filter(person=guest.person).update(email="")
    queue(lambda: tell_invited(meeting))
    assert [m.to for m in mail.outbox] == [[organiser.email]]


def test_a_meeting_that_has_ended_gets_no_more_email(organiser, guest, queue):
    past = meeting_at(organiser, dt.datetime(2026, 6, 1, 10, 0), "Europe/Amsterdam")
    services.invite(meeting=past, by=organiser)
    assert queue(lambda: tell_invited(past)) == 0
    assert mail.outbox == []


def make_due() -> None:
    Delivery.objects.update(next_attempt_at=dt.datetime(2020, 1, 1, tzinfo=UTC))


def test_an_invitation_the_mail_server_refused_is_sent_by_the_services_next_attempt(meeting, organiser, guest, queue):
    with override_settings(EMAIL_BACKEND=REFUSING):
        queue(lambda: queue_invitations(meeting, organiser))
    assert mail.outbox == []
    delivery = Delivery.objects.get(recipient=guest)
    assert (delivery.kind, delivery.status, delivery.attempts) == ("meetings.invitation", "queued", 1)
    assert invitation_of(meeting, guest).sent_sequence == 0  # told: the service owns the retries
    make_due()
    assert service.deliver_due() == {"sent": 2}
    inline, attached, _ = calendar_parts(message_to(guest.email))
    assert inline["METHOD"] == attached["METHOD"] == "REQUEST"


def test_a_cancel_the_mail_server_refused_is_sent_by_the_services_next_attempt(meeting, organiser, guest, queue):
    queue(lambda: queue_invitations(meeting, organiser))
    cancelled = services.cancel(meeting=meeting, by=organiser)
    with override_settings(EMAIL_BACKEND=REFUSING):
        queue(lambda: queue_updates(cancelled))
    mail.outbox.clear()
    make_due()
    assert service.deliver_due() == {"sent": 2}
    assert message_to(guest.email).subject.startswith("[Coalition] Cancelled")


def test_only_the_meetings_managers_invite(meeting, guest):
    with pytest.raises(AccessDenied):
        queue_invitations(meeting, guest)
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_invitations_go_through_the_database_queue_as_deployed(make_user):
    organiser = make_user(Role.SUPPORT_UNIT)
    guest = person_in(make_user, "Asia/Tokyo")
    meeting = meeting_at(organiser, dt.datetime(2027, 5, 4, 9, 0), "Pacific/Auckland")
    queue_invitations(meeting, organiser)
    assert DBTaskResult.objects.count() == 1  # the service's sending of every notification written
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert "Tuesday 4 May 2027, 06:00 (Asia/Tokyo)" in message_to(guest.email).body
