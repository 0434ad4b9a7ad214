"""The calendar pages over HTTP: one's own invitation file, replies from the meeting page, the emailed link and an
uploaded calendar REPLY (each refusal says why and changes nothing), and the personal feed behind its token."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from icalendar import Calendar

from coalition.core.models import Audience, AudienceMember, AuditEvent
from coalition.core.policy import Classification, Role
from coalition.meetings import services
from coalition.meetings.invitations import rsvp_token, tell_invited
from coalition.meetings.models import CalendarFeed, Invitation, Meeting
from coalition.meetings.tests.test_calendar import invitation_of, meeting_at, person_in

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def other_guest(make_user: Any) -> Any:
    """A second focal point, invited to the same meetings."""
    return person_in(make_user, "Asia/Tokyo")


@pytest.fixture
def meeting(organiser: Any, guest: Any, other_guest: Any) -> Meeting:
    meeting = meeting_at(organiser, dt.datetime(2027, 3, 28, 14, 0), "Europe/Kyiv")
    services.invite(meeting=meeting, by=organiser)
    tell_invited(meeting)
    return meeting


def restrict(meeting: Meeting) -> None:
    """Make the meeting restricted to an audience none of the test's people belong to."""
    audience = Audience.objects.create(name="Another member's delegation")
    AudienceMember.objects.create(audience=audience, principal="org:999999")
    Meeting.objects.filter(pk=meeting.pk).update(classification=Classification.RESTRICTED, audience=audience)


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reply_of(meeting: Meeting, user: Any) -> str:
    return invitation_of(meeting, user).reply


def rsvp_events() -> int:
    return AuditEvent.objects.filter(action="meetings.rsvp").count()


# --- One's own invitation file -------------------------------------------------------------------------------------


def test_an_invited_person_downloads_their_invitation(meeting, guest):
    response = as_user(guest).get(f"/meetings/{meeting.pk}/invitation.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at
    assert str(event["ATTENDEE"]) == f"mailto:{guest.email}"


def test_the_invitation_of_a_cancelled_meeting_is_a_cancel(meeting, organiser, guest):
    services.cancel(meeting=meeting, by=organiser)
    response = as_user(guest).get(f"/meetings/{meeting.pk}/invitation.ics")
    assert Calendar.from_ical(response.content)["METHOD"] == "CANCEL"


def test_someone_not_invited_gets_no_invitation_file(meeting, make_user):
    official = make_user(Role.MEMBER_OFFICIAL)  # reads members' meetings, but only focal points are invited
    assert as_user(official).get(f"/meetings/{meeting.pk}/invitation.ics").status_code == 404


def test_someone_who_cannot_see_the_meeting_gets_no_invitation_file(meeting, guest, make_user):
    restrict(meeting)
    assert as_user(guest).get(f"/meetings/{meeting.pk}/invitation.ics").status_code == 404
    assert Client().get(f"/meetings/{meeting.pk}/invitation.ics").status_code == 404


# --- Replying from the meeting page --------------------------------------------------------------------------------


def test_the_invited_person_replies_from_the_meeting_page(meeting, guest):
    response = as_user(guest).post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "ACCEPTED"})
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert reply_of(meeting, guest) == "ACCEPTED"
    assert rsvp_events() == 1


def test_a_reply_that_is_not_one_of_the_three_is_refused_and_changes_nothing(meeting, guest):
    response = as_user(guest).post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "MAYBE"})
    assert response.status_code == 400
    assert b"Reply accepted, tentative or declined." in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"
    assert rsvp_events() == 0


def test_someone_not_invited_cannot_reply(meeting, make_user):
    official = make_user(Role.MEMBER_OFFICIAL)
    assert as_user(official).post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "ACCEPTED"}).status_code == 404
    assert rsvp_events() == 0


def test_an_account_without_a_person_cannot_reply(meeting, make_user):
    nobody = make_user(None)
    assert as_user(nobody).post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "ACCEPTED"}).status_code == 403


def test_an_anonymous_reply_is_sent_to_sign_in(meeting):
    response = Client().post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "ACCEPTED"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_replying_to_a_cancelled_meeting_is_refused(meeting, organiser, guest):
    services.cancel(meeting=meeting, by=organiser)
    response = as_user(guest).post(f"/meetings/{meeting.pk}/rsvp/", {"reply": "ACCEPTED"})
    assert response.status_code == 400
    assert b"The meeting is cancelled" in response.content


# --- Replying through the emailed link -----------------------------------------------------------------------------


def link(meeting: Meeting, user: Any, reply: str = "DECLINED", sequence: int | None = None) -> str:
    invitation = invitation_of(meeting, user)
    token = rsvp_token(invitation, sequence=meeting.sequence if sequence is None else sequence, reply=reply)
    return f"/meetings/rsvp/{token}/"


def test_the_link_asks_to_confirm_the_reply_it_offers(meeting, guest):
    response = as_user(guest).get(link(meeting, guest, "DECLINED"))
    assert response.status_code == 200
    page = response.content.decode()
    assert meeting.title in page
    assert 'value="DECLINED" id="id_reply_2" checked' in page
    assert reply_of(meeting, guest) == "NEEDS-ACTION"  # a GET (or a mail scanner) records nothing


def test_confirming_the_link_records_the_reply(meeting, guest):
    response = as_user(guest).post(link(meeting, guest, "DECLINED"), {"reply": "DECLINED"})
    assert response.status_code == 302
    assert reply_of(meeting, guest) == "DECLINED"


def test_a_tampered_link_is_refused_and_changes_nothing(meeting, guest, other_guest):
    genuine = link(meeting, guest, "ACCEPTED")
    head, signature = genuine.rstrip("/").rsplit(":", 1)
    forged = f"{head}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}/"
    client = as_user(guest)
    for url in (forged, "/meetings/rsvp/not-a-token/"):
        response = client.post(url, {"reply": "ACCEPTED"})
        assert response.status_code == 400
        assert b"This reply link is not valid" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"
    assert rsvp_events() == 0


def test_an_expired_link_is_refused_and_changes_nothing(meeting, guest):
    sixty_one_days_ago = time.time() - 61 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=sixty_one_days_ago):
        old = link(meeting, guest, "ACCEPTED")
    response = as_user(guest).post(old, {"reply": "ACCEPTED"})
    assert response.status_code == 400
    assert b"This reply link has expired" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_another_persons_link_is_refused_and_changes_nothing(meeting, guest, other_guest):
    response = as_user(other_guest).post(link(meeting, guest, "DECLINED"), {"reply": "DECLINED"})
    assert response.status_code == 403
    assert b"sent to someone else" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"
    assert reply_of(meeting, other_guest) == "NEEDS-ACTION"


def test_a_link_to_a_meeting_that_has_since_moved_is_refused(meeting, organiser, guest):
    old = link(meeting, guest, "ACCEPTED")
    services.reschedule(meeting=meeting, by=organiser, starts_at=dt.datetime(2027, 3, 29, 12, tzinfo=UTC))
    tell_invited(meeting)  # the change reaches the person: their old invitation is outdated
    response = as_user(guest).post(old, {"reply": "ACCEPTED"})
    assert response.status_code == 400
    assert b"the meeting has changed since" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_a_link_confirmed_without_a_choice_asks_for_one(meeting, guest):
    response = as_user(guest).post(link(meeting, guest, ""), {})
    assert response.status_code == 400
    assert b"Choose accepted, tentative or declined." in response.content
    assert b'aria-describedby="id_reply-error"' in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_an_anonymous_visitor_with_a_link_is_sent_to_sign_in(meeting, guest):
    response = Client().get(link(meeting, guest))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- Uploading a calendar's REPLY ----------------------------------------------------------------------------------


def calendar_reply(meeting: Meeting, email: str, partstat: str = "ACCEPTED", sequence: int | None = None) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Example Mail//Calendar//EN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}",
        f"SEQUENCE:{meeting.sequence if sequence is None else sequence}",
        "DTSTAMP:20261201T120000Z",
        f"ATTENDEE;PARTSTAT={partstat};CN=Someone:mailto:{email}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(client: Client, data: bytes) -> Any:
    return client.post("/meetings/reply/", {"ics": SimpleUploadedFile("reply.ics", data, "text/calendar")})


def test_the_upload_form_is_labelled_and_described(meeting, guest):
    response = as_user(guest).get("/meetings/reply/")
    assert response.status_code == 200
    assert b'<label for="id_ics">' in response.content
    assert b'aria-describedby="id_ics-help"' in response.content


def test_an_invited_person_uploads_their_calendars_reply(meeting, guest):
    response = upload(as_user(guest), calendar_reply(meeting, guest.email.upper(), "TENTATIVE"))
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert reply_of(meeting, guest) == "TENTATIVE"


MALFORMED_UPLOADS = {
    "not a calendar": (b"Yes, I will come.\r\n", "line 1 cannot be read"),
    "a request": (b"METHOD:REQUEST", "where a reply has METHOD:REPLY"),
    "no attendee": (b"ATTENDEE", "names no ATTENDEE"),
    "needs action": (b"PARTSTAT=NEEDS-ACTION", "a reply says ACCEPTED, TENTATIVE or DECLINED"),
    "sequence not a number": (b"SEQUENCE:one", "SEQUENCE is not a whole number"),
    "too large": (b"X" * (64 * 1024 + 10), "at most 64 KiB"),
}


@pytest.mark.parametrize("case", list(MALFORMED_UPLOADS))
def test_a_malformed_upload_is_refused_on_the_form_and_changes_nothing(meeting, guest, case):
    good = calendar_reply(meeting, guest.email)
    breakage, message = MALFORMED_UPLOADS[case]
    if case == "not a calendar" or case == "too large":
        data = breakage
    elif case == "a request":
        data = good.replace(b"METHOD:REPLY", breakage)
    elif case == "no attendee":
        data = b"\r\n".join(line for line in good.split(b"\r\n") if not line.startswith(breakage))
    elif case == "needs action":
        data = good.replace(b"PARTSTAT=ACCEPTED", breakage)
    else:
        data = good.replace(f"SEQUENCE:{meeting.sequence}".encode(), breakage)
    client = as_user(guest)
    before = AuditEvent.objects.count()
    response = upload(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_ics-help id_ics-error"' in page
    assert reply_of(meeting, guest) == "NEEDS-ACTION"
    assert AuditEvent.objects.count() == before


def test_an_upload_without_a_file_asks_for_one(meeting, guest):
    response = as_user(guest).post("/meetings/reply/", {})
    assert response.status_code == 400
    assert b"Choose the .ics file to upload." in response.content


def test_a_reply_to_an_older_version_is_refused(meeting, organiser, guest):
    services.reschedule(meeting=meeting, by=organiser, starts_at=dt.datetime(2027, 3, 29, 12, tzinfo=UTC))
    tell_invited(meeting)  # the change reaches the person: their old invitation is outdated
    response = upload(as_user(guest), calendar_reply(meeting, guest.email, sequence=0))
    assert response.status_code == 400
    assert b"This reply answers version 0 of the invitation" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_a_reply_for_an_unknown_meeting_is_refused(meeting, guest):
    data = calendar_reply(meeting, guest.email).replace(meeting.uid.encode(), b"someone-else@example.org")
    response = upload(as_user(guest), data)
    assert response.status_code == 400
    assert b"not one of the meetings you can see" in response.content


def test_a_reply_for_a_meeting_the_uploader_cannot_see_is_refused_as_unknown(meeting, guest):
    restrict(meeting)
    response = upload(as_user(guest), calendar_reply(meeting, guest.email))
    assert response.status_code == 400
    assert b"not one of the meetings you can see" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_a_reply_from_an_address_that_was_not_invited_is_refused(meeting, guest):
    response = upload(as_user(guest), calendar_reply(meeting, "stranger@example.org"))
    assert response.status_code == 400
    assert b"stranger@example.org was not invited" in response.content


def test_a_person_cannot_upload_someone_elses_reply(meeting, guest, other_guest):
    response = upload(as_user(other_guest), calendar_reply(meeting, guest.email, "DECLINED"))
    assert response.status_code == 403
    assert b"you may upload your own replies only" in response.content
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_the_support_unit_records_a_reply_received_by_email(meeting, organiser, guest):
    """A reply the Support Unit's mailbox received is recorded on the person's behalf ("meetings.record_reply_for")."""
    response = upload(as_user(organiser), calendar_reply(meeting, guest.email, "DECLINED"))
    assert response.status_code == 302
    assert reply_of(meeting, guest) == "DECLINED"


def test_the_chair_may_not_record_someone_elses_reply(meeting, make_user, guest):
    chair = make_user(Role.CHAIR)
    response = upload(as_user(chair), calendar_reply(meeting, guest.email, "DECLINED"))
    assert response.status_code in (403, 400)
    assert reply_of(meeting, guest) == "NEEDS-ACTION"


def test_an_anonymous_visitor_is_sent_to_sign_in_to_upload(meeting):
    response = Client().get("/meetings/reply/")
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- The personal feed --------------------------------------------------------------------------------------------


def create_feed(client: Client) -> str:
    response = client.post("/meetings/calendar/", {"action": "create"})
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('value="http://127.0.0.1:8000/meetings/calendar/cal_') + len('value="http://127.0.0.1:8000')
    return page[start:].split('"', 1)[0]


def feed_events(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    assert parsed["METHOD"] == "PUBLISH"
    return {str(event["SUMMARY"]): event for event in parsed.walk("VEVENT")}


def test_a_new_feed_address_is_shown_once(meeting, guest):
    client = as_user(guest)
    address = create_feed(client)
    assert "no-store" in client.post("/meetings/calendar/", {"action": "create"})["Cache-Control"]
    listing = client.get("/meetings/calendar/")
    assert listing.status_code == 200
    assert address.encode() not in listing.content
    feed = CalendarFeed.objects.filter(person=guest.person).order_by("created_at")[0]
    assert f"cal_{feed.prefix}".encode() in listing.content
    assert AuditEvent.objects.filter(action="meetings.feed_issued").count() == 2


def test_the_feed_serves_the_persons_meetings_to_a_calendar_client(meeting, guest):
    address = create_feed(as_user(guest))
    events = feed_events(Client().get(address))
    assert list(events) == [meeting.title]
    event = events[meeting.title]
    assert event["UID"] == meeting.uid
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at
    assert CalendarFeed.objects.get(person=guest.person).last_used is not None


def test_a_revoked_feed_answers_404(meeting, guest):
    client = as_user(guest)
    address = create_feed(client)
    feed = CalendarFeed.objects.get(person=guest.person)
    response = client.post("/meetings/calendar/", {"action": "revoke", "feed": feed.pk})
    assert response.status_code == 302
    assert Client().get(address).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert AuditEvent.objects.filter(action="meetings.feed_revoked").count() == 1


def test_an_unknown_token_answers_404(db):
    assert Client().get("/meetings/calendar/cal_not-a-real-token.ics").status_code == 404


def test_a_person_cannot_revoke_someone_elses_feed(meeting, guest, other_guest):
    create_feed(as_user(guest))
    feed = CalendarFeed.objects.get(person=guest.person)
    response = as_user(other_guest).post("/meetings/calendar/", {"action": "revoke", "feed": feed.pk})
    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_the_feed_shows_cancelled_meetings_as_cancelled(meeting, organiser, guest):
    services.cancel(meeting=meeting, by=organiser)
    events = feed_events(Client().get(create_feed(as_user(guest))))
    assert events[meeting.title]["STATUS"] == "CANCELLED"


def test_the_feed_shows_only_meetings_the_persons_account_may_see(meeting, organiser, guest):
    hidden = meeting_at(organiser, dt.datetime(2027, 4, 1, 9, 0), "Asia/Tokyo", title="Restricted meeting")
    services.invite(meeting=hidden, by=organiser)
    restrict(hidden)
    assert Invitation.objects.filter(meeting=hidden, person=guest.person).exists()
    events = feed_events(Client().get(create_feed(as_user(guest))))
    assert list(events) == [meeting.title]


def test_the_feed_never_shows_another_persons_meetings(organiser, make_user):
    early = person_in(make_user, "Europe/Kyiv")
    before = meeting_at(organiser, dt.datetime(2027, 2, 1, 9, 0), "Europe/Kyiv", title="Before the newcomer")
    services.invite(meeting=before, by=organiser)
    newcomer = person_in(make_user, "Pacific/Auckland")
    both = meeting_at(organiser, dt.datetime(2027, 2, 8, 9, 0), "Europe/Kyiv", title="With the newcomer")
    services.invite(meeting=both, by=organiser)
    assert list(feed_events(Client().get(create_feed(as_user(newcomer))))) == ["With the newcomer"]
    assert sorted(feed_events(Client().get(create_feed(as_user(early))))) == [
        "Before the newcomer",
        "With the newcomer",
    ]


def test_the_feed_leaves_out_meetings_more_than_ninety_days_old(organiser, guest):
    old = meeting_at(organiser, dt.datetime(2026, 6, 1, 9, 0), "Europe/Kyiv", title="Last summer")
    services.invite(meeting=old, by=organiser)
    assert feed_events(Client().get(create_feed(as_user(guest)))) == {}


def test_the_feed_of_a_disabled_account_is_empty(meeting, guest):
    address = create_feed(as_user(guest))
    guest.is_active = False
    guest.save(update_fields=["is_active"])
    assert feed_events(Client().get(address)) == {}


def test_the_feed_costs_a_fixed_number_of_queries(organiser, guest, django_assert_max_num_queries):
    for day in (1, 8, 15, 22):
        services.invite(
            meeting=meeting_at(organiser, dt.datetime(2027, 2, day, 9, 0), "Europe/Kyiv", title=f"February {day}"),
            by=organiser,
        )
    address = create_feed(as_user(guest))
    with django_assert_max_num_queries(7):  # feed, last use, the account's roles (3), meetings, agendas
        assert len(feed_events(Client().get(address))) == 4


def test_an_account_without_a_person_has_no_feed_to_create(make_user):
    client = as_user(make_user(None))
    assert b"not linked to a person" in client.get("/meetings/calendar/").content
    assert client.post("/meetings/calendar/", {"action": "create"}).status_code == 400
    assert not CalendarFeed.objects.exists()


def test_feed_settings_need_a_signed_in_person(db):
    response = Client().get("/meetings/calendar/")
    assert response.status_code == 302
    assert "login" in response["Location"]
