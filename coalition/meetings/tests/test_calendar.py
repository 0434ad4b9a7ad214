"""RFC 5545 files of meetings: every generated file is parsed back with `icalendar` and its instant checked, in host
zones round the world and on the days next to their summer-time changes; and a calendar REPLY is read or refused
with a message naming what is wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from icalendar import Calendar

from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification, Role
from coalition.meetings import calendar, services
from coalition.meetings.models import Invitation, Meeting, MeetingSeries
from coalition.meetings.tests.factories import create_series

pytestmark = pytest.mark.django_db

UTC = dt.UTC


# --- Helpers shared with test_invitations and test_calendar_views ---------------------------------------------------


def meeting_at(
    by: Any,
    local: dt.datetime,
    zone: str,
    *,
    title: str = "Strategy and Coordination",
    agenda: str = "Opening\nBudget for 2027",
    classification: str = Classification.MEMBERS,
    duration_minutes: int = 90,
) -> Meeting:
    """A meeting of all members at wall-clock `local` (naive) in the host zone `zone`, made by the service."""
    series = create_series(
        by=by,
        title=title,
        first_on=local.date(),
        count=1,
        host_time_zone=zone,
        frequency=MeetingSeries.Frequency.WEEKLY,
        local_start=local.time(),
        duration_minutes=duration_minutes,
        agenda_template=agenda,
        classification=classification,
    )
    return series.meetings.get()


def person_in(make_user: Callable[..., Any], zone: str, role: Role = Role.FOCAL_POINT) -> Any:
    """An account whose person holds `role` (a focal point of a member is invited to members' meetings) in `zone`."""
    user = make_user(role)
    user.person.time_zone = zone
    user.person.save(update_fields=["time_zone"])
    return user


def invitation_of(meeting: Meeting, user: Any) -> Invitation:
    return Invitation.objects.select_related("person__account").get(meeting=meeting, person=user.person)


def parse(data: bytes) -> Calendar:
    parsed = Calendar.from_ical(data)
    assert parsed.name == "VCALENDAR"
    return parsed


def only_event(parsed: Calendar) -> Any:
    events = parsed.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def instant(event: Any, name: str = "DTSTART") -> dt.datetime:
    return event.decoded(name).astimezone(UTC)


def invited_meeting(organiser: Any, local: dt.datetime, zone: str, **kwargs: Any) -> Meeting:
    meeting = meeting_at(organiser, local, zone, **kwargs)
    services.invite(meeting=meeting, by=organiser)
    return meeting


# --- The instant survives, round the world and across summer time -------------------------------------------------

# (host zone, wall-clock time there, the UTC instant it is). Each summer-time change is met the day before and the
# day after: March/April and September/October/November, northern and southern hemispheres, and a zone without one.
INSTANTS = [
    ("Asia/Tokyo", dt.datetime(2027, 1, 12, 20, 0), dt.datetime(2027, 1, 12, 11, 0, tzinfo=UTC)),
    ("Asia/Tokyo", dt.datetime(2027, 7, 1, 9, 0), dt.datetime(2027, 7, 1, 0, 0, tzinfo=UTC)),
    ("Europe/Kyiv", dt.datetime(2027, 3, 27, 14, 0), dt.datetime(2027, 3, 27, 12, 0, tzinfo=UTC)),
    ("Europe/Kyiv", dt.datetime(2027, 3, 28, 14, 0), dt.datetime(2027, 3, 28, 11, 0, tzinfo=UTC)),
    ("Europe/Kyiv", dt.datetime(2027, 10, 30, 14, 0), dt.datetime(2027, 10, 30, 11, 0, tzinfo=UTC)),
    ("Europe/Kyiv", dt.datetime(2027, 10, 31, 14, 0), dt.datetime(2027, 10, 31, 12, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 3, 13, 10, 0), dt.datetime(2027, 3, 13, 15, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 3, 14, 10, 0), dt.datetime(2027, 3, 14, 14, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 11, 6, 10, 0), dt.datetime(2027, 11, 6, 14, 0, tzinfo=UTC)),
    ("America/New_York", dt.datetime(2027, 11, 7, 10, 0), dt.datetime(2027, 11, 7, 15, 0, tzinfo=UTC)),
    ("America/Santiago", dt.datetime(2027, 4, 3, 20, 0), dt.datetime(2027, 4, 3, 23, 0, tzinfo=UTC)),
    ("America/Santiago", dt.datetime(2027, 4, 4, 20, 0), dt.datetime(2027, 4, 5, 0, 0, tzinfo=UTC)),
    ("America/Santiago", dt.datetime(2027, 9, 4, 10, 0), dt.datetime(2027, 9, 4, 14, 0, tzinfo=UTC)),
    ("America/Santiago", dt.datetime(2027, 9, 5, 10, 0), dt.datetime(2027, 9, 5, 13, 0, tzinfo=UTC)),
    ("Pacific/Auckland", dt.datetime(2027, 4, 3, 9, 0), dt.datetime(2027, 4, 2, 20, 0, tzinfo=UTC)),
    ("Pacific/Auckland", dt.datetime(2027, 4, 4, 9, 0), dt.datetime(2027, 4, 3, 21, 0, tzinfo=UTC)),
    ("Pacific/Auckland", dt.datetime(2027, 9, 25, 9, 0), dt.datetime(2027, 9, 24, 21, 0, tzinfo=UTC)),
    ("Pacific/Auckland", dt.datetime(2027, 9, 26, 9, 0), dt.datetime(2027, 9, 25, 20, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "local", "expected"), INSTANTS, ids=[f"{z}-{lo:%m%d}" for z, lo, _ in INSTANTS])
def test_an_invitation_parses_back_to_the_meetings_instant_in_the_hosts_zone(organiser, guest, zone, local, expected):
    meeting = invited_meeting(organiser, local, zone)
    assert meeting.starts_at == expected
    event = only_event(parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest))))
    assert instant(event) == meeting.starts_at
    assert instant(event, "DTEND") == meeting.starts_at + dt.timedelta(minutes=90)
    assert event["DTSTART"].params["TZID"] == zone
    assert event.decoded("DTSTART").replace(tzinfo=None) == local  # the host's wall clock


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Kyiv", "America/New_York", "America/Santiago"])
def test_an_invitation_carries_the_vtimezone_its_tzid_names(organiser, guest, zone):
    meeting = invited_meeting(organiser, dt.datetime(2027, 9, 5, 10, 0), zone)
    parsed = parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest)))
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == [zone]
    assert parsed.get_missing_tzids() == set()


def test_the_hour_repeated_when_summer_time_ends_keeps_its_instant(organiser, guest):
    """01:30 happens twice in New York on 7 November 2027; a meeting at the second one must not move an hour."""
    meeting = invited_meeting(organiser, dt.datetime(2027, 11, 1, 10, 0), "America/New_York")
    second = dt.datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, after 01:30 EDT
    meeting = services.reschedule(meeting=meeting, by=organiser, starts_at=second)
    event = only_event(parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest))))
    assert instant(event) == second


def test_a_wall_clock_time_skipped_by_spring_forward_is_refused_and_the_hour_after_is_written_as_stored(
    organiser, guest
):
    """02:30 on 14 March 2027 never happens in New York. It was once moved silently to 03:30 EDT; since issue 17 item
    9 it is refused, naming the times to choose; the time after the change is written at its instant."""
    with pytest.raises(InvalidInput, match="does not exist in America/New_York"):
        meeting_at(organiser, dt.datetime(2027, 3, 14, 2, 30), "America/New_York")
    meeting = invited_meeting(organiser, dt.datetime(2027, 3, 14, 3, 30), "America/New_York")
    event = only_event(parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest))))
    assert meeting.starts_at == dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert instant(event) == meeting.starts_at


# --- What an invitation says ----------------------------------------------------------------------------------------


@pytest.fixture
def tokyo_meeting(organiser: Any, guest: Any) -> Meeting:
    return invited_meeting(organiser, dt.datetime(2027, 1, 12, 20, 0), "Asia/Tokyo")


def test_an_invitation_is_a_request_with_stable_uid_and_sequence(tokyo_meeting, guest):
    parsed = parse(calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest)))
    event = only_event(parsed)
    assert parsed["METHOD"] == "REQUEST"
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"] == calendar.PRODID
    assert event["UID"] == tokyo_meeting.uid
    assert event.decoded("SEQUENCE") == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Strategy and Coordination"
    assert "DTSTAMP" in event


def test_an_invitation_names_the_organiser_and_the_attendee_with_rsvp(tokyo_meeting, organiser, guest, settings):
    settings.DEFAULT_FROM_EMAIL = "Coalition Support Unit <support@coalition.example>"
    event = only_event(parse(calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest))))
    assert str(event["ORGANIZER"]) == "mailto:support@coalition.example"
    assert event["ORGANIZER"].params["CN"] == organiser.person.full_name
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{guest.email}"
    assert attendee.params["CN"] == guest.person.full_name
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


def test_an_invitation_shows_the_reply_already_given(tokyo_meeting, guest):
    invitation = services.record_reply(invitation=invitation_of(tokyo_meeting, guest), by=guest, reply="TENTATIVE")
    event = only_event(parse(calendar.invitation_ics(tokyo_meeting, invitation)))
    assert event["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"


def test_an_invitation_reminds_fifteen_minutes_before(tokyo_meeting, guest):
    event = only_event(parse(calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest))))
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0]["ACTION"] == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -dt.timedelta(minutes=15)


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(tokyo_meeting, organiser, guest):
    before = only_event(parse(calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest))))
    moved = services.reschedule(
        meeting=tokyo_meeting, by=organiser, starts_at=dt.datetime(2027, 1, 13, 21, 0, tzinfo=dt.UTC)
    )
    after = only_event(parse(calendar.invitation_ics(moved, invitation_of(moved, guest))))
    assert after["UID"] == before["UID"] == tokyo_meeting.uid
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1 == 1
    assert instant(after) == dt.datetime(2027, 1, 13, 21, 0, tzinfo=UTC)


def test_a_cancelled_meeting_gives_a_cancel_of_the_same_event(tokyo_meeting, organiser, guest):
    cancelled = services.cancel(meeting=tokyo_meeting, by=organiser)
    parsed = parse(calendar.invitation_ics(cancelled, invitation_of(cancelled, guest), calendar.CANCEL))
    event = only_event(parsed)
    assert parsed["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == tokyo_meeting.uid
    assert event.decoded("SEQUENCE") == 1
    assert instant(event) == tokyo_meeting.starts_at
    assert str(event["ATTENDEE"]) == f"mailto:{guest.email}"
    assert event.walk("VALARM") == []


def test_an_invitation_is_only_a_request_or_a_cancel(tokyo_meeting, guest):
    with pytest.raises(ValueError, match="REQUEST or a CANCEL"):
        calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest), "PUBLISH")


def test_the_description_lists_agenda_titles_and_the_page_but_no_item_detail_or_minutes(
    tokyo_meeting, organiser, guest
):
    item = services.add_agenda_item(
        meeting=tokyo_meeting, by=organiser, title="Members' positions", description="Country X will abstain"
    )
    services.save_minutes(item=item, by=organiser, text="The minutes say who said what")
    text = calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest)).decode()
    description = str(only_event(parse(text.encode()))["DESCRIPTION"])
    assert "1. Opening" in description
    assert "3. Members' positions" in description
    assert f"/meetings/{tokyo_meeting.pk}/" in description
    assert "abstain" not in text
    assert "who said what" not in text


def test_a_virtual_meeting_with_a_video_link_gives_it_as_location_and_url(organiser, guest):
    meeting = invited_meeting(organiser, dt.datetime(2027, 2, 2, 9, 0), "Europe/Kyiv")
    Meeting.objects.filter(pk=meeting.pk).update(location="https://video.example/room-42")
    meeting.refresh_from_db()
    event = only_event(parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest))))
    assert str(event["LOCATION"]) == "https://video.example/room-42"
    assert str(event["URL"]) == "https://video.example/room-42"


def test_a_meeting_in_a_room_gives_the_room_and_no_url(organiser, guest):
    meeting = invited_meeting(organiser, dt.datetime(2027, 2, 2, 9, 0), "Europe/Kyiv")
    Meeting.objects.filter(pk=meeting.pk).update(virtual=False, location="Hotel Rus, Kyiv")
    meeting.refresh_from_db()
    event = only_event(parse(calendar.invitation_ics(meeting, invitation_of(meeting, guest))))
    assert str(event["LOCATION"]) == "Hotel Rus, Kyiv"
    assert "URL" not in event


# --- The feed file ---------------------------------------------------------------------------------------------------


def test_a_feed_publishes_each_meeting_with_its_zone_and_marks_the_cancelled(organiser, guest):
    tokyo = invited_meeting(organiser, dt.datetime(2027, 1, 12, 20, 0), "Asia/Tokyo", title="Tokyo")
    auckland = invited_meeting(organiser, dt.datetime(2027, 9, 26, 9, 0), "Pacific/Auckland", title="Auckland")
    auckland = services.cancel(meeting=auckland, by=organiser)
    parsed = parse(calendar.feed_ics(guest.person, [tokyo, auckland]))
    assert parsed["METHOD"] == "PUBLISH"
    assert sorted(tz["TZID"] for tz in parsed.walk("VTIMEZONE")) == ["Asia/Tokyo", "Pacific/Auckland"]
    events = {str(event["SUMMARY"]): event for event in parsed.walk("VEVENT")}
    assert instant(events["Tokyo"]) == tokyo.starts_at
    assert instant(events["Auckland"]) == auckland.starts_at
    assert events["Tokyo"]["STATUS"] == "CONFIRMED"
    assert events["Auckland"]["STATUS"] == "CANCELLED"
    assert events["Auckland"].decoded("SEQUENCE") == 1
    assert "ATTENDEE" not in events["Tokyo"]


def test_an_empty_feed_is_still_a_calendar(guest):
    parsed = parse(calendar.feed_ics(guest.person, []))
    assert parsed.walk("VEVENT") == []


# --- The time in the recipient's zone ---------------------------------------------------------------------------


def test_the_time_is_given_in_the_recipients_zone_with_the_hosts_beside_it(organiser):
    meeting = meeting_at(organiser, dt.datetime(2027, 1, 13, 0, 0), "Europe/Amsterdam")
    assert calendar.local_time_text(meeting, "America/Santiago") == (
        "Tuesday 12 January 2027, 20:00 (America/Santiago) — 00:00 on 13 January in the host's zone Europe/Amsterdam"
    )


def test_the_time_in_the_hosts_own_zone_needs_no_note(organiser):
    meeting = meeting_at(organiser, dt.datetime(2027, 1, 13, 0, 0), "Europe/Amsterdam")
    assert (
        calendar.local_time_text(meeting, "Europe/Amsterdam") == "Wednesday 13 January 2027, 00:00 (Europe/Amsterdam)"
    )


def test_the_time_on_the_same_day_names_only_the_hosts_hour(organiser):
    meeting = meeting_at(organiser, dt.datetime(2027, 6, 1, 15, 0), "Europe/Kyiv")
    assert calendar.local_time_text(meeting, "Asia/Tokyo") == (
        "Tuesday 1 June 2027, 21:00 (Asia/Tokyo) — 15:00 in the host's zone Europe/Kyiv"
    )


# --- Reading a reply --------------------------------------------------------------------------------------------


def reply(
    *,
    method: str | None = "REPLY",
    uid: str | None = "meeting-1@coalition.example",
    attendees: tuple[str, ...] = ("ATTENDEE;PARTSTAT=ACCEPTED;CN=Ana:mailto:Ana@Example.org",),
    sequence: str | None = "2",
    events: int = 1,
) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Reply//EN"]
    if method is not None:
        lines.append(f"METHOD:{method}")
    for _ in range(events):
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261201T120000Z"]
        if uid is not None:
            lines.append(f"UID:{uid}")
        if sequence is not None:
            lines.append(f"SEQUENCE:{sequence}")
        lines += [*attendees, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_reply_gives_uid_attendee_partstat_and_sequence():
    parsed = calendar.parse_reply(reply())
    assert parsed == calendar.ParsedReply(
        uid="meeting-1@coalition.example", attendee_email="ana@example.org", partstat="ACCEPTED", sequence=2
    )


def test_a_reply_without_sequence_answers_version_zero():
    assert calendar.parse_reply(reply(sequence=None)).sequence == 0


def test_a_reply_from_our_own_invitation_file_reads_back(tokyo_meeting, guest):
    """A calendar's REPLY is our REQUEST with METHOD:REPLY and the attendee's PARTSTAT: read it like one."""
    request = calendar.invitation_ics(tokyo_meeting, invitation_of(tokyo_meeting, guest)).decode()
    answer = request.replace("METHOD:REQUEST", "METHOD:REPLY").replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=DECLINED")
    parsed = calendar.parse_reply(answer.encode())
    assert (parsed.uid, parsed.attendee_email, parsed.partstat, parsed.sequence) == (
        tokyo_meeting.uid,
        guest.email,
        "DECLINED",
        0,
    )


MALFORMED = {
    "not a calendar": (b"Dear Support Unit,\r\nyes, I will come.\r\n", "line 1 cannot be read (Dear Support Unit,)"),
    "not text": (b"\xff\xfe\x00B\x00E\x00G", "not text (UTF-8)"),
    "empty": (b"  \r\n", "The file is empty"),
    "too large": (b"X" * (64 * 1024 + 1), "at most 64 KiB"),
    "an event alone": (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "does not begin with BEGIN:VCALENDAR"),
    "unterminated": (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "not a calendar file"),
    "a request": (reply(method="REQUEST"), "it has METHOD:REQUEST where a reply has METHOD:REPLY"),
    "no method": (reply(method=None), "it has no METHOD where a reply has METHOD:REPLY"),
    "no event": (reply(events=0), "holds no event (VEVENT)"),
    "two events": (reply(events=2), "holds 2 events; a reply answers one meeting"),
    "no uid": (reply(uid=None), "has no UID"),
    "no attendee": (reply(attendees=()), "names no ATTENDEE"),
    "two attendees": (
        reply(
            attendees=("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.org", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@x.org")
        ),
        "names 2 attendees; a reply speaks for one person",
    ),
    "attendee not an address": (reply(attendees=("ATTENDEE;PARTSTAT=ACCEPTED:mailto:nobody",)), "not an email address"),
    "partstat needs-action": (
        reply(attendees=("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@example.org",)),
        "PARTSTAT is NEEDS-ACTION; a reply says ACCEPTED, TENTATIVE or DECLINED",
    ),
    "partstat missing": (reply(attendees=("ATTENDEE:mailto:a@example.org",)), "PARTSTAT is missing"),
    "sequence not a number": (reply(sequence="two"), "SEQUENCE is not a whole number"),
    "sequence negative": (reply(sequence="-1"), "SEQUENCE is negative"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_reply_is_refused_naming_what_is_wrong(case):
    data, message = MALFORMED[case]
    with pytest.raises(InvalidInput) as refused:
        calendar.parse_reply(data)
    assert message in refused.value.message
    assert refused.value.field == "ics"


def test_a_bad_line_deep_in_a_reply_is_named_by_its_number():
    data = reply().replace(b"SEQUENCE:2\r\n", b"SEQUENCE:2\r\nthis is not a property\r\n")
    with pytest.raises(InvalidInput, match="line 9 cannot be read"):
        calendar.parse_reply(data)


def test_a_reply_with_an_unreadable_date_is_refused_naming_the_property():
    data = reply().replace(b"DTSTAMP:20261201T120000Z", b"DTSTAMP:yesterday")
    with pytest.raises(InvalidInput, match="VEVENT's DTSTAMP cannot be read"):
        calendar.parse_reply(data)
