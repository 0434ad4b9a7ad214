"""The calendar side of meetings (PoA 3B.2): RFC 5545 files for invitations and personal feeds, the reading of a
calendar's REPLY, the meeting time as each recipient reads it, and the feed tokens a person issues and revokes.

Builders take rows already chosen through the access policy (an invitation, or `visible_to` meetings) and put
nothing in a file beyond a meeting's title, times, place, agenda titles and a link: never agenda detail or minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration
from icalendar.parser import Contentline

from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.directory.models import Person
from coalition.meetings.models import CalendarFeed, Invitation, Meeting, hash_feed_token
from coalition.meetings.vtimezone import vtimezone

PRODID = "-//Coalition//Meetings//EN"
REQUEST, CANCEL, PUBLISH, REPLY = "REQUEST", "CANCEL", "PUBLISH", "REPLY"
ALARM_BEFORE = dt.timedelta(minutes=15)
MAX_REPLY_BYTES = 64 * 1024
FEED_HISTORY = dt.timedelta(days=90)


# --- Building files ---------------------------------------------------------------------------------------------


def meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("meetings:meeting", args=[meeting.pk])


def organiser_address() -> str:
    """The mailbox replies go to: the address of DEFAULT_FROM_EMAIL ("Coalition <x@y>" or "x@y")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def attendee_address(invitation: Invitation) -> str:
    """Where the invitation went; before it was sent, where it would go (the person's address, then their account's)."""
    if invitation.email:
        return invitation.email
    person = invitation.person
    account = getattr(person, "account", None)
    return person.email or (account.email if account is not None else "")


def _description(meeting: Meeting) -> str:
    # Titles only: an item's description may carry what the meeting's readers alone should see (e.g. the digest of
    # members' calls), and a calendar file travels further than the meeting page.
    titles = [item.title for item in meeting.agenda.all()]
    lines = [_("Agenda:"), *(f"{n}. {title}" for n, title in enumerate(titles, start=1))] if titles else []
    lines += ["", _("Meeting page: %(url)s") % {"url": meeting_url(meeting)}]
    return "\n".join(lines).strip()


def _in_zone(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The moment on the host's clock, which calendars show in the host's zone; but a wall-clock time that happens
    twice (the hour repeated when summer time ends) is written in UTC: clients do not agree on which of the two a
    local time means (ical.js reads the first as the second, vobject as the first), and a UTC time has one reading."""
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(dt.UTC)
    return local


def _event(meeting: Meeting, *, cancelled: bool, stamp: dt.datetime) -> Event:
    zone = ZoneInfo(meeting.host_time_zone)
    event = Event()
    event.add("UID", meeting.uid)
    event.add("SEQUENCE", meeting.sequence)
    event.add("DTSTAMP", stamp)
    event.add("LAST-MODIFIED", meeting.updated_at.astimezone(dt.UTC))
    event.add("DTSTART", _in_zone(meeting.starts_at, zone))
    event.add("DTEND", _in_zone(meeting.ends_at, zone))
    event.add("SUMMARY", meeting.title)
    location = meeting.location.strip()
    if meeting.virtual:
        event.add("LOCATION", location or _("Online"))
        if location.startswith(("https://", "http://")):
            event.add("URL", location)
    elif location:
        event.add("LOCATION", location)
    event.add("DESCRIPTION", _description(meeting))
    organiser = meeting.organiser
    event.add("ORGANIZER", vCalAddress(f"mailto:{organiser_address()}"), parameters={"CN": str(organiser)})
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    # Shared calendars show a private event as "busy" only: the meeting's readers are not the calendar's.
    event.add("CLASS", "PUBLIC" if meeting.classification == "public" else "PRIVATE")
    return event


def _alarm(meeting: Meeting) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", meeting.title)
    alarm.add("TRIGGER", -ALARM_BEFORE)
    return alarm


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar


def _finish(calendar: Calendar, meetings: Iterable[Meeting]) -> bytes:
    """Add a VTIMEZONE for every zone the events name, spanning the years they fall in (a small file)."""
    days = [meeting.starts_at.date() for meeting in meetings]
    if days:
        first, last = dt.date(min(days).year - 1, 1, 1), dt.date(max(days).year + 2, 1, 1)
        # Zones before the events that name them: some clients read a file in one pass.
        calendar.subcomponents[:0] = [vtimezone(tzid, first, last) for tzid in sorted(calendar.get_missing_tzids())]
    return calendar.to_ical()


def invitation_ics(meeting: Meeting, invitation: Invitation, method: str = REQUEST) -> bytes:
    """The iTIP message (RFC 5546) one invited person receives: REQUEST for the meeting as it stands, CANCEL once
    it is cancelled. The UID never changes and SEQUENCE is the meeting's, so calendars update the one event."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"An invitation is a REQUEST or a CANCEL, not {method!r}")
    cancelled = method == CANCEL
    calendar = _calendar(method)
    event = _event(meeting, cancelled=cancelled, stamp=timezone.now())
    address = attendee_address(invitation)
    if address:
        event.add(
            "ATTENDEE",
            vCalAddress(f"mailto:{address}"),
            parameters={
                "CN": invitation.person.full_name,
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": invitation.reply,
                "RSVP": "FALSE" if cancelled else "TRUE",
            },
        )
    if not cancelled:
        event.add_component(_alarm(meeting))
    calendar.add_component(event)
    return _finish(calendar, [meeting])


def feed_ics(person: Person, meetings: Iterable[Meeting]) -> bytes:
    """A person's subscribed calendar (METHOD PUBLISH): the meetings given, which the caller has already chosen with
    `policy.visible_to`; cancelled ones stay, marked CANCELLED, so subscribed calendars drop them."""
    meetings = list(meetings)
    calendar = _calendar(PUBLISH)
    name = _("Coalition meetings — %(name)s") % {"name": person.full_name}
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    # RFC 7986 3.7: a DURATION (PT1H). icalendar 6 has no type for this newer property and would write the
    # timedelta as text (1:00:00), which icalendar 7 refuses, with the whole feed.
    calendar.add("REFRESH-INTERVAL", vDuration(dt.timedelta(hours=1)), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, cancelled=meeting.is_cancelled, stamp=stamp))
    return _finish(calendar, meetings)


# --- The time as each recipient reads it -------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time_text(meeting: Meeting, zone: str) -> str:
    """The start in the recipient's zone, named, with the host's zone beside it when the two differ, e.g.
    "Tuesday 12 January 2027, 20:00 (America/Santiago) — 00:00 on 13 January in the host's zone Europe/Amsterdam"."""
    tz = _zone(zone)
    local = meeting.starts_at.astimezone(tz)
    text = f"{dateformat.format(local, 'l j F Y, H:i')} ({tz.key})"
    if tz.key == meeting.host_time_zone:
        return text
    host = meeting.starts_at.astimezone(_zone(meeting.host_time_zone))
    if host.date() == local.date():
        host_time = dateformat.format(host, "H:i")
    else:
        day = dateformat.format(host, "j F" if host.year == local.year else "j F Y")
        host_time = _("%(time)s on %(day)s") % {"time": dateformat.format(host, "H:i"), "day": day}
    beside = _("%(time)s in the host's zone %(zone)s") % {"time": host_time, "zone": meeting.host_time_zone}
    return f"{text} — {beside}"


# --- Reading a reply ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedReply:
    uid: str
    attendee_email: str
    partstat: str
    sequence: int


def _first_bad_line(text: str) -> tuple[int, str] | None:
    """The first content line icalendar cannot split into name, parameters and value, with the number of the
    physical line it starts on (folded continuation lines belong to the line before)."""
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if raw[:1] in (" ", "\t") and logical:
            start, line = logical[-1]
            logical[-1] = (start, line + raw[1:])
        elif raw.strip():
            logical.append((number, raw))
    for number, line in logical:
        try:
            Contentline(line).parts()
        except ValueError:
            return number, line
    return None


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, field="ics")


def _text(data: bytes) -> str:
    if len(data) > MAX_REPLY_BYTES:
        raise _invalid(
            _("The file is %(size)d KiB; a calendar reply is at most %(limit)d KiB. Upload the .ics file itself.")
            % {"size": len(data) // 1024, "limit": MAX_REPLY_BYTES // 1024}
        )
    if not data.strip():
        raise _invalid(_("The file is empty."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid(_("The file is not a calendar file: it is not text (UTF-8).")) from None


def _parse(text: str) -> Calendar:
    try:
        calendar = Calendar.from_ical(text)
    except Exception as error:  # icalendar's parse errors are ValueErrors mostly, but not only
        bad = _first_bad_line(text)
        if bad is not None:
            number, line = bad
            raise _invalid(
                _("The file is not a calendar file: %(where)s cannot be read (%(line)s).")
                % {"where": _("line %(number)d") % {"number": number}, "line": line[:60]}
            ) from None
        raise _invalid(_("The file is not a calendar file (%(error)s).") % {"error": str(error)[:120]}) from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise _invalid(_("The file is not a calendar file: it does not begin with BEGIN:VCALENDAR."))
    # Inside an event icalendar keeps going past what it cannot read, and notes it; a reply we act on must be whole.
    for component in calendar.walk():
        for name, message in getattr(component, "errors", []):
            if name is None:
                bad = _first_bad_line(text)
                where = _("line %(number)d") % {"number": bad[0]} if bad else _("a line")
                raise _invalid(
                    _("The file is not a calendar file: %(where)s cannot be read (%(line)s).")
                    % {"where": where, "line": (bad[1] if bad else message)[:60]}
                )
            if name.upper() == "SEQUENCE":
                raise _invalid(_("The reply's SEQUENCE is not a whole number (%(error)s).") % {"error": message[:80]})
            raise _invalid(
                _("The %(component)s's %(name)s cannot be read (%(error)s).")
                % {"component": component.name, "name": name, "error": message[:80]}
            )
    return calendar


def parse_reply(data: bytes) -> ParsedReply:
    """Read an iTIP REPLY (RFC 5546 3.2.3) to one of our invitations: who replies, to which meeting and version, and
    what. Anything else is refused with an `InvalidInput` that says what is wrong, before anything is looked up."""
    calendar = _parse(_text(data))
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method != REPLY:
        found = f"METHOD:{method}" if method else _("no METHOD")
        raise _invalid(
            _("The calendar file is not a reply: it has %(found)s where a reply has METHOD:REPLY.") % {"found": found}
        )
    events = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    if not events:
        raise _invalid(_("The reply holds no event (VEVENT): there is nothing to answer."))
    if len(events) > 1:
        raise _invalid(_("The reply holds %(n)d events; a reply answers one meeting.") % {"n": len(events)})
    event = events[0]
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise _invalid(_("The reply has no UID, so it cannot be matched to a meeting."))
    attendees = event.get("ATTENDEE")
    if attendees is None:
        raise _invalid(_("The reply names no ATTENDEE: it does not say who is replying."))
    if isinstance(attendees, list):
        if len(attendees) != 1:
            raise _invalid(_("The reply names %(n)d attendees; a reply speaks for one person.") % {"n": len(attendees)})
        attendees = attendees[0]
    address = str(attendees).strip()
    email = address[7:] if address.lower().startswith("mailto:") else address
    try:
        validate_email(email)
    except ValidationError:
        raise _invalid(
            _("The ATTENDEE %(address)s is not an email address (mailto:…).") % {"address": address[:100]}
        ) from None
    params = getattr(attendees, "params", {})
    partstat = str(params.get("PARTSTAT", "")).strip().upper()
    if partstat not in Invitation.REPLIES:
        raise _invalid(
            _("The reply's PARTSTAT is %(found)s; a reply says ACCEPTED, TENTATIVE or DECLINED.")
            % {"found": partstat or _("missing")}
        )
    raw_sequence = event.get("SEQUENCE", 0)  # RFC 5545 3.8.7.4: absent means 0
    try:
        sequence = int(raw_sequence)
    except (TypeError, ValueError):
        raise _invalid(_("The reply's SEQUENCE is not a whole number.")) from None
    if sequence < 0:
        raise _invalid(_("The reply's SEQUENCE is negative (%(n)d).") % {"n": sequence})
    return ParsedReply(uid=uid, attendee_email=email.lower(), partstat=partstat, sequence=sequence)


# --- Feeds ------------------------------------------------------------------------------------------------------


def _require_own(by: Any, person: Person) -> None:
    policy.require(by, "meetings.calendar")
    if policy.actor_for(by).person_id != person.pk:
        raise AccessDenied(_("A calendar feed is its own person's to issue and revoke."))


def issue_feed(*, person: Person, by: Any) -> tuple[CalendarFeed, str]:
    """A person issues a calendar feed for themselves; the raw token is returned once and only its hash is kept."""
    _require_own(by, person)
    with transaction.atomic():
        feed, raw = CalendarFeed.issue(person)
        ledger.record("meetings.feed_issued", actor=by, subject=person, data={"feed": feed.pk, "prefix": feed.prefix})
    return feed, raw


def revoke_feed(*, feed: CalendarFeed, by: Any) -> CalendarFeed:
    """Revoking ends a feed at once: its address answers 404 from then on. Revoking twice changes nothing."""
    _require_own(by, feed.person)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().select_related("person").get(pk=feed.pk)
        if feed.revoked_at is None:
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            ledger.record(
                "meetings.feed_revoked", actor=by, subject=feed.person, data={"feed": feed.pk, "prefix": feed.prefix}
            )
    return feed


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The live feed a token stands for (None for an unknown or revoked token); its use is noted."""
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_feed_token(raw), revoked_at__isnull=True)
        .select_related("person__account")
        .first()
    )
    if feed is not None:
        feed.note_use()  # in the cache: a GET request writes no row
    return feed


def feed_meetings(person: Person) -> QuerySet[Meeting]:
    """The meetings a person's feed shows: those they are invited to that their own account may see today, from
    90 days back. A person without an active account sees nothing: the token is not a login of its own."""
    account = getattr(person, "account", None)
    if account is None or not account.is_active:
        return Meeting.objects.none()
    return (
        policy.visible_to(account, Meeting)
        .filter(invitations__person=person, starts_at__gte=timezone.now() - FEED_HISTORY)
        .select_related("organiser__person")
        .prefetch_related("agenda")
        .order_by("starts_at")
    )
