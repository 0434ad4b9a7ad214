"""What meetings tell people through the notification service (issue 19): who receives each kind and who does not,
the invitation email as calendar clients need it, one-click links that belong to their recipient alone, and nobody
told about a meeting they may not see — including one reclassified between queueing and sending."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from icalendar import Calendar

from coalition.core.policy import Role
from coalition.directory.queries import today
from coalition.directory.tests.factories import person_with_role
from coalition.meetings import notices, services
from coalition.meetings.invitations import queue_invitations, queue_updates, read_rsvp_token
from coalition.meetings.models import Invitation, Meeting
from coalition.meetings.tests.scenes import item_titled
from coalition.meetings.tests.test_calendar import invitation_of, meeting_at, person_in
from coalition.meetings.tests.test_calendar_views import restrict
from coalition.notifications import kinds, sections, service
from coalition.notifications.models import Delivery, Mode, Notification

pytestmark = pytest.mark.django_db

UTC = dt.UTC
INVITATION, UPDATED, CANCELLED, MINUTES = (
    notices.INVITATION,
    notices.INVITATION_UPDATED,
    notices.MEETING_CANCELLED,
    notices.MINUTES_CIRCULATED,
)


@pytest.fixture
def other_guest(make_user: Any) -> Any:
    """A second focal point, invited to the same meetings, who reads times in Tokyo."""
    return person_in(make_user, "Asia/Tokyo")


@pytest.fixture
def meeting(organiser: Any, guest: Any, other_guest: Any) -> Meeting:
    return meeting_at(organiser, dt.datetime(2027, 1, 13, 0, 0), "Europe/Amsterdam")


def emails_to(user: Any) -> list[Any]:
    return [message for message in mail.outbox if message.to == [user.email]]


def kinds_told(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def rsvp_invitations(text: str) -> set[int]:
    """The invitations the one-click links in `text` reply for."""
    return {read_rsvp_token(token).invitation_id for token in re.findall(r"/meetings/rsvp/([^/\s\"<]+)/", text)}


def moved(meeting: Meeting, organiser: Any) -> Meeting:
    return services.reschedule(meeting=meeting, by=organiser, starts_at=dt.datetime(2027, 1, 14, 15, tzinfo=UTC))


def circulated_minutes(series_meetings: list[Meeting], support: Any) -> Meeting:
    first = series_meetings[0]
    services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="The chair opened the meeting.")
    return services.circulate_minutes(meeting=first, by=support)


def test_meetings_registers_its_kinds_about_meetings():
    for key in (INVITATION, UPDATED, CANCELLED, MINUTES):
        assert kinds.get(key).model is Meeting
    assert kinds.get(INVITATION).urgent and kinds.get(UPDATED).urgent and kinds.get(CANCELLED).urgent
    assert not kinds.get(MINUTES).urgent  # the digest, unless the person asks for it at once


# --- Who is told ------------------------------------------------------------------------------------------------


def test_an_invitation_reaches_each_invited_account_and_no_one_else(meeting, organiser, guest, advisory, worker):
    no_account = person_with_role(Role.FOCAL_POINT, email="no-account@example.org")
    with worker():
        queue_invitations(meeting, organiser)
    assert invitation_of(meeting, guest).sent_sequence == 0
    # A person without an account is emailed at their address (service.notify_address), with no centre row.
    assert Invitation.objects.get(meeting=meeting, person=no_account).sent_sequence == 0
    told = set(Notification.objects.filter(kind=INVITATION).values_list("recipient__email", flat=True))
    assert {m.to[0] for m in mail.outbox} == told | {"no-account@example.org"}
    assert kinds_told(guest) == [INVITATION] and len(emails_to(guest)) == 1
    assert kinds_told(organiser) == [INVITATION]
    assert kinds_told(advisory) == [] and emails_to(advisory) == []
    assert "no-account@example.org" not in told


def test_an_update_and_a_cancellation_reach_only_those_told_of_the_meeting(
    meeting, organiser, guest, other_guest, worker
):
    service.set_preference(user=other_guest, kind=INVITATION, delivery=Mode.OFF)
    with worker():
        queue_invitations(meeting, organiser)
    assert kinds_told(other_guest) == []
    with worker():
        queue_updates(moved(meeting, organiser))
    assert kinds_told(guest) == [INVITATION, UPDATED]
    assert kinds_told(other_guest) == []  # never told of the meeting: an invitation is still all it could be
    with worker():
        queue_updates(services.cancel(meeting=meeting, by=organiser))
    assert kinds_told(guest) == [INVITATION, UPDATED, CANCELLED]
    assert kinds_told(other_guest) == []
    assert [m.subject for m in emails_to(guest)] == [
        "[Coalition] Invitation: Strategy and Coordination",
        "[Coalition] Updated invitation: Strategy and Coordination",
        "[Coalition] Cancelled: Strategy and Coordination",
    ]


def test_circulated_minutes_are_told_to_those_invited_but_not_to_whoever_circulated_them(
    series, meetings, support, chair, guest, advisory, worker
):
    services.invite(meeting=meetings[0], by=support)
    with worker():
        circulated_minutes(meetings, support)
    told = set(Notification.objects.filter(kind=MINUTES).values_list("recipient_id", flat=True))
    assert guest.pk in told and chair.pk in told
    assert support.pk not in told and advisory.pk not in told
    assert Notification.objects.get(kind=MINUTES, recipient=guest).mode == Mode.DIGEST  # normal urgency
    assert mail.outbox == []


def test_circulated_minutes_are_in_the_digest_and_say_where_they_are_approved(series, meetings, support, guest):
    services.invite(meeting=meetings[0], by=support)
    circulated_minutes(meetings, support)
    [reminder] = sections.collect(guest.person, guest, today())
    assert reminder.text == f"Minutes to approve: {meetings[0].title} of {meetings[0].local_start():%d %b %Y}"
    assert reminder.path == f"/meetings/{meetings[0].pk}/#minutes"
    [shown] = service.rendered(list(service.visible_notifications(guest)), guest)
    assert f"They are approved at “{meetings[1].title}” on {meetings[1].local_start():%d %b %Y}" in shown.message.text


def test_minutes_sent_back_to_draft_are_told_as_they_stand(series, meetings, support, guest):
    services.invite(meeting=meetings[0], by=support)
    circulated_minutes(meetings, support)
    services.return_to_draft(meeting=meetings[0], by=support, reason="A name was misspelt.")
    [shown] = service.rendered(list(service.visible_notifications(guest)), guest)
    assert "went back to draft" in shown.message.text and "chair opened" not in shown.message.text


# --- The email, as calendar clients need it ----------------------------------------------------------------------


def test_the_invitation_email_carries_text_html_and_the_ics_inline_and_attached(meeting, organiser, guest, worker):
    with worker():
        queue_invitations(meeting, organiser)
    [message] = emails_to(guest)
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html", "text/calendar; method=REQUEST"]
    [(filename, attached, mimetype)] = message.attachments
    assert (filename, mimetype) == ("invitation.ics", "text/calendar; method=REQUEST")
    inline = Calendar.from_ical(message.alternatives[1][0])
    for parsed in (inline, Calendar.from_ical(attached)):
        event = parsed.walk("VEVENT")[0]
        assert parsed["METHOD"] == "REQUEST"
        assert (event["UID"], event.decoded("SEQUENCE")) == (meeting.uid, 0)
        assert str(event["ATTENDEE"]) == f"mailto:{guest.email}"
    html = str(message.alternatives[0][0])
    assert f'href="{settings.SITE_URL}/meetings/{meeting.pk}/"' in html  # the meeting page
    assert html.count(f'href="{settings.SITE_URL}/meetings/rsvp/') == 3  # accept, tentative, decline
    assert "/notifications/unsubscribe/" in html and "/notifications/preferences/" in html
    assert "Reply in one click" in message.body and f"/meetings/{meeting.pk}/" in message.body
    assert "You are invited to this meeting." in message.body  # why they are told
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.get(recipient=guest).status == Delivery.Status.SENT


def test_each_persons_reply_links_are_their_own(meeting, organiser, guest, other_guest, worker):
    with worker():
        queue_invitations(meeting, organiser)
    for user in (guest, other_guest):
        [message] = emails_to(user)
        own = {invitation_of(meeting, user).pk}
        assert rsvp_invitations(message.body) == own
        assert rsvp_invitations(str(message.alternatives[0][0])) == own
        [shown] = service.rendered(list(service.visible_notifications(user)), user)  # the centre renders it too
        assert rsvp_invitations(shown.message.text) == own


def test_a_meeting_cancelled_before_its_invitation_left_is_sent_as_a_cancellation(meeting, organiser, guest, worker):
    with worker():
        queue_invitations(meeting, organiser)
        services.cancel(meeting=meeting, by=organiser)  # between queueing and sending
    [message] = emails_to(guest)
    assert message.subject == "[Coalition] Cancelled: Strategy and Coordination"
    assert Calendar.from_ical(message.attachments[0][1])["METHOD"] == "CANCEL"
    assert "/meetings/rsvp/" not in message.body


def test_an_invitation_set_to_the_digest_arrives_in_the_digest_and_not_by_email(meeting, organiser, guest, worker):
    service.set_preference(user=guest, kind=INVITATION, delivery=Mode.DIGEST)
    with worker():
        queue_invitations(meeting, organiser)
    assert emails_to(guest) == []
    assert emails_to(organiser)  # the others' choice is theirs
    [reminder] = sections.collect(guest.person, guest, today())
    assert (reminder.kind, reminder.text) == (INVITATION, "Invitation: Strategy and Coordination")
    assert reminder.path == f"/meetings/{meeting.pk}/"
    assert invitation_of(meeting, guest).sent_sequence == 0  # told, so the digest's RSVP reminder follows too


# --- Never about what they may not see ---------------------------------------------------------------------------


def _invite(meeting: Meeting, organiser: Any) -> None:
    queue_invitations(meeting, organiser)


def _update(meeting: Meeting, organiser: Any) -> None:
    queue_updates(moved(meeting, organiser))


def _cancel(meeting: Meeting, organiser: Any) -> None:
    queue_updates(services.cancel(meeting=meeting, by=organiser))


@pytest.mark.parametrize(
    ("kind", "before", "action"),
    [(INVITATION, None, _invite), (UPDATED, _invite, _update), (CANCELLED, _invite, _cancel)],
    ids=["invitation", "update", "cancellation"],
)
def test_a_meeting_reclassified_between_queueing_and_sending_reaches_no_one_who_may_not_see_it(
    meeting, organiser, guest, worker, kind, before, action
):
    if before is not None:
        with worker():
            before(meeting, organiser)
        mail.outbox.clear()
    with worker():
        action(meeting, organiser)
        assert Notification.objects.filter(kind=kind, recipient=guest).exists()  # queued for the guest
        restrict(meeting)  # reclassified before the worker sends
    assert emails_to(guest) == []
    assert Delivery.objects.get(kind=kind, recipient=guest).status == Delivery.Status.DROPPED
    assert not service.visible_notifications(guest).exists()
    assert service.unread_count(guest) == 0
    assert [m.subject for m in emails_to(organiser)]  # the Support Unit still sees the restricted meeting


def test_circulated_minutes_of_a_meeting_reclassified_before_sending_reach_no_one_who_may_not_see_it(
    series, meetings, support, guest, worker
):
    services.invite(meeting=meetings[0], by=support)
    service.set_preference(user=guest, kind=MINUTES, delivery=Mode.IMMEDIATE)
    with worker():
        circulated_minutes(meetings, support)
        assert Notification.objects.filter(kind=MINUTES, recipient=guest).exists()
        restrict(meetings[0])
    assert emails_to(guest) == []
    assert Delivery.objects.get(kind=MINUTES, recipient=guest).status == Delivery.Status.DROPPED
    assert not service.visible_notifications(guest).exists()
    assert sections.collect(guest.person, guest, today()) == []


def test_no_one_is_told_of_a_meeting_they_may_not_see_even_if_invited(meeting, organiser, guest, worker):
    services.invite(meeting=meeting, by=organiser)
    restrict(meeting)  # invited, then the meeting was restricted to another audience
    with worker():
        queue_updates(Meeting.objects.get(pk=meeting.pk))
    assert kinds_told(guest) == [] and emails_to(guest) == []
    assert invitation_of(meeting, guest).sent_at is None
    assert kinds_told(organiser) == [INVITATION]
