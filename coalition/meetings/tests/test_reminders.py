"""Meeting reminders in the weekly digest: only to those who have not acted (a reply, minutes moved on, a quarterly
call recorded), gone once they act, and carried by the one weekly email rather than an email of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from coalition.core import digest
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.directory.queries import today
from coalition.directory.tests.factories import government
from coalition.meetings import services
from coalition.meetings.models import Invitation, Meeting, MeetingSeries, QuarterlyCall, quarter_bounds, quarter_of
from coalition.meetings.reminders import reminders_for
from coalition.meetings.tests.factories import create_series
from coalition.programme.models import Activity, DigestSent, Goal, Objective, Programme
from coalition.programme.tasks import iso_week, send_staleness_digests

pytestmark = pytest.mark.django_db

PREVIEW = "/programme/digest/"


def reminders(user: Any, on: dt.date | None = None, kind: str | None = None) -> list[digest.Reminder]:
    found = reminders_for(user.person, user, on or today())
    return [r for r in found if kind is None or r.kind == kind]


def series(by: Any, *, first_on: dt.date, count: int = 1, **fields: Any) -> MeetingSeries:
    return create_series(
        by=by,
        title=fields.pop("title", "Members' meeting"),
        first_on=first_on,
        count=count,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone="Europe/Tallinn",
        agenda_template="Welcome\nSituation updates",
        **fields,
    )


def invited(by: Any, *, in_days: int = 7, sent: bool = True, **fields: Any) -> Meeting:
    """A meeting of the members in `in_days` days, its invitations created (and, with `sent`, sent)."""
    meeting = series(by, first_on=today() + dt.timedelta(days=in_days), **fields).meetings.get()
    services.invite(meeting=meeting, by=by)
    if sent:
        Invitation.objects.filter(meeting=meeting).update(sent_sequence=meeting.sequence, sent_at=timezone.now())
    return meeting


def invitation_of(user: Any, meeting: Meeting) -> Invitation:
    return Invitation.objects.get(person=user.person, meeting=meeting)


# --- RSVP ---------------------------------------------------------------------------------------------------------


def test_an_unanswered_invitation_is_a_reminder_until_the_person_replies(make_user):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = invited(support, title="Strategy and Coordination")
    [reminder] = reminders(focal_point, kind="rsvp")
    assert reminder.path == f"/meetings/{meeting.pk}/"
    assert reminder.text.startswith("Reply to the invitation to “Strategy and Coordination” on ")
    assert "(Europe/Tallinn)" in reminder.text
    services.record_reply(invitation=invitation_of(focal_point, meeting), by=focal_point, reply="DECLINED")
    assert reminders(focal_point, kind="rsvp") == []


def test_an_invitation_not_yet_sent_is_no_reminder(make_user):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    invited(support, sent=False)
    assert reminders(focal_point, kind="rsvp") == []


def test_a_meeting_more_than_three_weeks_away_is_no_reminder_yet(make_user):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    invited(support, in_days=30)
    assert reminders(focal_point, kind="rsvp") == []
    assert len(reminders(focal_point, on=today() + dt.timedelta(days=10), kind="rsvp")) == 1


def test_a_cancelled_meeting_is_no_reminder(make_user):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = invited(support)
    services.cancel(meeting=meeting, by=support)
    assert reminders(focal_point, kind="rsvp") == []


def test_an_invitation_to_a_meeting_the_account_may_not_see_is_no_reminder(make_user):
    support, advisor = make_user(Role.SUPPORT_UNIT), make_user(Role.ADVISORY_NETWORK)
    meeting = invited(support, classification=Classification.MEMBERS)
    Invitation.objects.create(meeting=meeting, person=advisor.person, sent_sequence=0, sent_at=timezone.now())
    assert reminders(advisor) == []


# --- Minutes ------------------------------------------------------------------------------------------------------


def past_series(by: Any, *, weeks_ago: int, count: int = 2) -> list[Meeting]:
    first_on = today() - dt.timedelta(weeks=weeks_ago)
    return list(series(by, first_on=first_on, count=count).meetings.order_by("starts_at"))


def write_and_circulate(meeting: Meeting, by: Any) -> None:
    services.save_minutes(item=meeting.agenda.order_by("position")[0], by=by, text="Members shared updates.")
    services.circulate_minutes(meeting=meeting, by=by)


def about(found: list[digest.Reminder], meeting: Meeting) -> list[digest.Reminder]:
    return [r for r in found if r.subject == meeting]


def test_draft_minutes_two_weeks_after_the_meeting_remind_the_organiser_until_circulated(make_user):
    organiser, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    first, _second = past_series(organiser, weeks_ago=5)
    [reminder] = about(reminders(organiser, kind="minutes"), first)
    assert reminder.path == f"/meetings/{first.pk}/minutes/"
    assert "still a draft" in reminder.text
    assert reminders(focal_point, kind="minutes") == []  # not someone who manages meetings
    write_and_circulate(first, organiser)
    assert "still a draft" not in " ".join(r.text for r in about(reminders(organiser, kind="minutes"), first))


def test_draft_minutes_of_a_recent_meeting_are_no_reminder_yet(make_user):
    organiser = make_user(Role.SUPPORT_UNIT)
    past_series(organiser, weeks_ago=1, count=1)
    assert reminders(organiser, kind="minutes") == []


def test_circulated_minutes_not_approved_at_the_next_meeting_remind_the_organiser_until_approved(make_user):
    organiser = make_user(Role.SUPPORT_UNIT)
    first, second = past_series(organiser, weeks_ago=4)
    write_and_circulate(first, organiser)
    [reminder] = about(reminders(organiser, kind="minutes"), first)
    assert reminder.path == f"/meetings/{second.pk}/"
    assert "approval" in reminder.text
    services.approve_minutes(minutes_of=first, at=second, by=organiser)
    assert about(reminders(organiser, kind="minutes"), first) == []


def test_circulated_minutes_wait_for_the_next_meeting_to_take_place(make_user):
    organiser = make_user(Role.SUPPORT_UNIT)
    first = series(organiser, first_on=today() - dt.timedelta(days=3), count=2).meetings.order_by("starts_at")[0]
    write_and_circulate(first, organiser)
    assert reminders(organiser, kind="minutes") == []


def test_minutes_remind_only_the_organiser(make_user):
    organiser, chair, colleague = make_user(Role.SUPPORT_UNIT), make_user(Role.CHAIR), make_user(Role.SUPPORT_UNIT)
    past_series(organiser, weeks_ago=5)
    assert reminders(organiser, kind="minutes") != []
    assert reminders(chair, kind="minutes") == reminders(colleague, kind="minutes") == []


# --- Quarterly calls ----------------------------------------------------------------------------------------------


def a_day_of_the_last_quarter(days_in: int) -> tuple[dt.date, dt.date]:
    """A day `days_in` days into the quarter before today's, and that quarter's first day (both in the past)."""
    year, quarter = quarter_of(today())
    first, _ = quarter_bounds(*((year, quarter - 1) if quarter > 1 else (year - 1, 4)))
    return first + dt.timedelta(days=days_in), first


def test_a_focal_point_is_reminded_of_a_call_not_recorded_six_weeks_into_the_quarter(make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    estonia = government("EE")
    on, first = a_day_of_the_last_quarter(50)
    [reminder] = reminders(focal_point, on=on, kind="call")
    assert reminder.path == f"/meetings/calls/new/?organisation={estonia.pk}"
    assert "Government of EE has recorded no quarterly update call" in reminder.text
    services.record_quarterly_call(
        by=focal_point, organisation=estonia, held_on=first + dt.timedelta(days=10), topics="Elections."
    )
    assert reminders(focal_point, on=on, kind="call") == []


def test_no_call_reminder_in_the_first_six_weeks_of_a_quarter(make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    government("EE")
    on, _first = a_day_of_the_last_quarter(40)
    assert reminders(focal_point, on=on, kind="call") == []


def test_a_call_the_focal_point_may_not_read_still_counts_as_recorded(make_user):
    focal_point, support = make_user(Role.FOCAL_POINT), make_user(Role.SUPPORT_UNIT)
    estonia = government("EE")
    on, first = a_day_of_the_last_quarter(50)
    audience = Audience.objects.create(name="The Support Unit alone")
    AudienceMember.objects.create(audience=audience, principal="role:support_unit")
    QuarterlyCall.objects.create(
        organisation=estonia,
        held_on=first,
        topics="x",
        recorded_by=support,
        classification=Classification.RESTRICTED,
        audience=audience,
    )
    assert reminders(focal_point, on=on, kind="call") == []


def test_officials_who_are_not_focal_points_are_not_reminded_of_the_call(make_user):
    official = make_user(Role.MEMBER_OFFICIAL)
    government("EE")
    on, _first = a_day_of_the_last_quarter(50)
    assert reminders(official, on=on, kind="call") == []


# --- In the weekly digest -----------------------------------------------------------------------------------------


def send(on: dt.date | None = None) -> int:
    sent = send_staleness_digests.enqueue(on=on.isoformat() if on else None).return_value
    assert isinstance(sent, int)
    return sent


def to(user: Any) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    return html


@pytest.fixture
def call_recorded(make_user: Any) -> QuarterlyCall:
    """Estonia has recorded this quarter's call, so that late in a quarter no call reminder joins the others."""
    return services.record_quarterly_call(
        by=make_user(Role.SUPPORT_UNIT), organisation=government("EE"), held_on=today(), topics="Elections."
    )


def test_the_meetings_section_is_registered_with_the_weekly_digest():
    assert "meetings" in digest.registered()


def test_someone_with_only_reminders_receives_the_digest_with_a_meetings_section(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = invited(support, title="Strategy and Coordination")
    send()
    [message] = to(focal_point)
    assert "1 reminder" in message.subject and iso_week(today()) in message.subject
    assert "activit" not in message.subject
    assert "\nMeetings\n" in message.body
    assert "Strategy and Coordination" in message.body and f"/meetings/{meeting.pk}/" in message.body
    assert "because the reminders above are waiting for you" in message.body
    html = html_of(message)
    assert ">Meetings</h3>" in html and f'/meetings/{meeting.pk}/"' in html
    assert DigestSent.objects.get(person=focal_point.person).activities == 0


def test_stale_activities_and_reminders_come_in_one_email(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    on = today()
    programme = Programme.objects.create(
        title="Program of Action", year=on.year, starts_on=on - dt.timedelta(days=300), ends_on=on + dt.timedelta(60)
    )
    objective = Objective.objects.create(
        goal=Goal.objects.create(programme=programme, number=1, title="Goal"), code="1A", title="Objective"
    )
    Activity.objects.create(
        objective=objective, number=1, code="1A.1", title="Joint statements", lead_organisation=government("EE")
    )
    invited(support)
    send()
    [message] = to(focal_point)
    assert "1 activity needs an update, 1 reminder" in message.subject
    assert "1A.1 Joint statements" in message.body and "\nMeetings\n" in message.body
    assert "because you lead these activities and the reminders above are waiting for you" in message.body


def test_one_email_per_person_per_week_however_many_reminders_and_runs(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    invited(support, in_days=3, title="First")
    invited(support, in_days=5, title="Second")
    assert send() >= 1
    assert send() == 0
    [message] = to(focal_point)
    assert "2 reminders" in message.subject
    assert "First" in message.body and "Second" in message.body
    assert DigestSent.objects.filter(person=focal_point.person, week=iso_week(today())).count() == 1


def test_someone_with_nothing_waiting_receives_nothing(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = invited(support)
    services.record_reply(invitation=invitation_of(focal_point, meeting), by=focal_point, reply="ACCEPTED")
    send()
    assert to(focal_point) == []
    assert not DigestSent.objects.filter(person=focal_point.person).exists()


def test_a_call_reminder_reaches_the_focal_point_in_the_digest_of_that_week(make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    government("EE")
    on, _first = a_day_of_the_last_quarter(50)
    assert send(on) == 1
    [message] = to(focal_point)
    assert "has recorded no quarterly update call" in message.body
    assert DigestSent.objects.get().week == iso_week(on)


def test_the_preview_shows_the_meetings_section_as_the_email_does(signed_in_client, make_user, call_recorded):
    client = signed_in_client(Role.FOCAL_POINT)
    support = make_user(Role.SUPPORT_UNIT)
    invited(support, title="Strategy and Coordination")
    page = client.get(PREVIEW)
    assert page.status_code == 200
    content = page.content.decode()
    assert ">Meetings</h3>" in content and "Reply to the invitation to “Strategy and Coordination”" in content
    send()
    [message] = to(client.user)
    assert message.subject in content


def test_the_preview_with_reminders_stays_within_the_query_budget(
    signed_in_client, make_user, django_assert_max_num_queries
):
    client = signed_in_client(Role.SUPPORT_UNIT)
    government("EE")
    for days in (2, 4, 6):
        invited(client.user, in_days=days)
    past_series(client.user, weeks_ago=5, count=3)
    assert len(reminders(client.user, kind="rsvp")) == 3
    client.get(PREVIEW)  # warms the process-wide content-type cache the notifications section reads through
    with django_assert_max_num_queries(14):  # 13, and the digest's notifications section (issue 19)
        assert client.get(PREVIEW).status_code == 200


# --- Action items (issue 17, item 9) --------------------------------------------------------------------------------


def past_meeting(by: Any) -> Meeting:
    """Last week's meeting, its minutes in draft (where actions are recorded)."""
    return series(by, first_on=today() - dt.timedelta(days=7), title="Strategy and Coordination").meetings.get()


def circulate(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(minutes_state=Meeting.MinutesState.CIRCULATED)


def test_an_action_owner_finds_their_open_actions_in_the_digest_overdue_first(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = past_meeting(support)
    owner = focal_point.person
    on = today()
    services.assign_action(meeting=meeting, by=support, text="Circulate the list", owner=owner)
    services.assign_action(
        meeting=meeting, by=support, text="Draft the démarche", owner=owner, due_on=on + dt.timedelta(5)
    )
    services.assign_action(
        meeting=meeting, by=support, text="Brief the capital", owner=owner, due_on=on - dt.timedelta(3)
    )
    circulate(meeting)
    send()
    [message] = to(focal_point)
    assert "3 reminders" in message.subject
    body = message.body
    overdue, due, undated = body.index("Brief the capital"), body.index("Draft the démarche"), body.index("Circulate")
    assert overdue < due < undated
    assert f"Overdue since {on - dt.timedelta(3):%d %b %Y}" in body
    assert f"Due {on + dt.timedelta(5):%d %b %Y}" in body
    assert f"/meetings/{meeting.pk}/" in body


def test_a_closed_action_or_one_owned_by_someone_else_is_not_reminded(make_user, call_recorded):
    support, focal_point = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    meeting = past_meeting(support)
    done = services.assign_action(meeting=meeting, by=support, text="Done already", owner=focal_point.person)
    services.close_action(action=done, by=support, state="done")
    services.assign_action(meeting=meeting, by=support, text="Someone else's", owner=support.person)
    circulate(meeting)
    assert reminders(focal_point, kind="action") == []


def test_an_action_of_draft_minutes_waits_until_its_owner_may_read_them(make_user, call_recorded):
    support, official = make_user(Role.SUPPORT_UNIT), make_user(Role.MEMBER_OFFICIAL)
    meeting = past_meeting(support)
    services.assign_action(meeting=meeting, by=support, text="Draft the démarche", owner=official.person)
    assert reminders(official, kind="action") == []
    circulate(meeting)
    assert [r.kind for r in reminders(official, kind="action")] == ["action"]
