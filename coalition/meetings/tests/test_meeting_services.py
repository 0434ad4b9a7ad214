"""A meeting's writes (issue 4): creating one with what its series carries, attendance, invitations,
rescheduling, cancelling and replies — what each refuses and what it leaves in the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.accounts.models import User
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory.models import Body, Organisation, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import BodyFactory, OrganisationFactory, PositionFactory
from coalition.meetings import services
from coalition.meetings.models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingSeries,
)
from coalition.meetings.tests.factories import create_series, focal_point, government, members
from coalition.meetings.tests.scenes import (
    AMSTERDAM,
    HOUR,
    MakeUser,
    at_local,
    circulated,
    days_from_today,
    events_since,
    fresh,
    item_titled,
    last_of,
    ledger_mark,
    titles,
    written,
)

pytestmark = pytest.mark.django_db


# --- create_meeting ---------------------------------------------------------------------------------------------


def test_a_new_meeting_of_a_series_carries_the_items_its_predecessor_did_not_reach(support: Any) -> None:
    series = create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-3),
        count=1,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nAny other business",
    )
    first = series.meetings.get()
    aob = item_titled(first, "Any other business")
    assert services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED) is None  # nowhere yet
    mark = ledger_mark()
    second = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(25), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert titles(second) == ["Welcome", "Any other business", "Any other business"]
    carried = second.agenda.get(carried_from=aob)
    assert carried.outcome == AgendaItem.Outcome.PENDING
    assert events_since(mark) == ["meetings.meeting_created"]
    third = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(55), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert not third.agenda.filter(carried_from=aob).exists()  # carried once, not again


def test_a_new_meeting_puts_the_circulated_minutes_and_open_actions_of_its_predecessor_on_its_agenda(
    support: Any,
) -> None:
    series = create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-3),
        count=1,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome",
    )
    first = series.meetings.get()
    services.assign_action(meeting=first, by=support, text="Share the checklist.", owner_organisation=government("NL"))
    circulated(first, support)
    second = services.create_meeting(
        by=support,
        title="Coordination",
        starts_at=at_local(days_from_today(25), "14:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert approval.approves == first
    assert second.agenda.filter(kind=AgendaItem.Kind.ACTION_REVIEW).exists()
    assert titles(second)[:3] == [approval.title, "Review of open action items", "Welcome"]


def test_a_meeting_of_a_series_takes_the_series_classification(support: Any) -> None:
    series = create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(20),
        count=1,
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    meeting = services.create_meeting(
        by=support,
        title="Extra",
        starts_at=at_local(days_from_today(30), "10:00"),
        host_time_zone=AMSTERDAM,
        series=series,
    )
    assert meeting.classification == Classification.COALITION


def test_a_meeting_less_restricted_than_its_series_is_refused(support: Any, series: MeetingSeries) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.create_meeting(
            by=support,
            title="Open day",
            starts_at=at_local(days_from_today(30), "10:00"),
            host_time_zone=AMSTERDAM,
            series=series,
            classification=Classification.PUBLIC,  # its agenda would carry the members' items
        )
    assert error.value.field == "classification"
    assert written() == before


def test_a_meeting_needs_an_aware_start(support: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        services.create_meeting(
            by=support, title="Call", starts_at=dt.datetime(2027, 1, 12, 14), host_time_zone=AMSTERDAM
        )
    assert error.value.field == "starts_at"


def test_a_single_meeting_is_stored_in_utc_with_its_host_zone(support: Any) -> None:
    meeting = services.create_meeting(
        by=support,
        title="Call",
        starts_at=at_local(dt.date(2027, 1, 12), "09:00", "Asia/Tokyo"),
        host_time_zone="Asia/Tokyo",
    )
    meeting = fresh(meeting)
    assert meeting.starts_at == dt.datetime(2027, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert meeting.local_start().strftime("%H:%M") == "09:00"
    assert meeting.classification == Classification.MEMBERS


# --- Attendance -------------------------------------------------------------------------------------------------


def test_attendance_with_one_bad_row_saves_nothing(support: Any, meetings: list[Meeting]) -> None:
    netherlands, japan = members("NL", "JP")
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.record_attendance(
            meeting=meetings[0],
            by=support,
            rows=[
                services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
                services.AttendanceRow(status="late", organisation=japan),
            ],
        )
    assert error.value.field == "status"
    assert "Row 2" in error.value.message
    with pytest.raises(InvalidInput) as error:
        services.record_attendance(
            meeting=meetings[0],
            by=support,
            rows=[
                services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
                services.AttendanceRow(status=Attendance.Status.PRESENT),
            ],
        )
    assert error.value.field == "organisation"
    assert written() == before


def test_attendance_is_recorded_once_per_member_and_person_and_updated_in_place(
    support: Any, meetings: list[Meeting]
) -> None:
    netherlands, japan = members("NL", "JP")
    person = focal_point(netherlands)
    mark = ledger_mark()
    count = services.record_attendance(
        meeting=meetings[0],
        by=support,
        rows=[
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands),
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=japan),
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=netherlands, person=person),
        ],
    )
    assert count == 3
    first_recorded = Attendance.objects.get(organisation=japan).recorded_at
    services.record_attendance(
        meeting=meetings[0],
        by=support,
        rows=[
            services.AttendanceRow(status=Attendance.Status.APOLOGIES, organisation=japan),
            services.AttendanceRow(status=Attendance.Status.ABSENT, person=person),
        ],
    )
    rows = {(a.organisation_id, a.person_id): a.status for a in Attendance.objects.filter(meeting=meetings[0])}
    assert rows == {
        (netherlands.pk, None): "present",
        (japan.pk, None): "apologies",
        (netherlands.pk, person.pk): "absent",
    }
    assert Attendance.objects.get(organisation=japan).recorded_at > first_recorded
    assert events_since(mark) == ["meetings.attendance_recorded", "meetings.attendance_recorded"]


# --- Invitations ------------------------------------------------------------------------------------------------


def names(invited: list[tuple[Any, Any]]) -> set[str]:
    return {person.full_name for person, _ in invited}


def test_the_invitees_are_the_members_focal_points_the_support_unit_and_the_chair(
    support: Any, chair: Any, series: MeetingSeries
) -> None:
    netherlands, japan = members("NL", "JP")
    no_zone = government("XK", tz="")  # a member whose capital's zone is not recorded is still invited
    brazil = government("BR", status="observer")
    focal_point(netherlands, full_name="Nl Focal")
    focal_point(japan, full_name="Jp Focal", account=False)
    focal_point(no_zone, full_name="Xk Focal")
    focal_point(netherlands, full_name="Nl Official", kind=Position.Kind.OFFICIAL)
    focal_point(brazil, full_name="Br Focal")
    focal_point(netherlands, full_name="Former Focal", starts_on=dt.date(2019, 1, 1)).positions.update(
        ends_on=dt.date(2020, 1, 1)
    )
    upcoming = last_of(series)
    assert names(services.invitees(upcoming)) == {
        "Nl Focal",
        "Jp Focal",
        "Xk Focal",
        support.person.full_name,
        chair.person.full_name,
    }


def test_people_who_cannot_see_the_meeting_are_not_invited(support: Any, make_user: MakeUser) -> None:
    task_force = BodyFactory.create(kind=Body.Kind.TASK_FORCE)
    netherlands = government("NL")
    delegate = focal_point(netherlands, full_name="Nl Delegate", kind=Position.Kind.MEMBER)
    PositionFactory.create(person=delegate, kind=Position.Kind.MEMBER, body=task_force, organisation=netherlands)
    advisor = make_user(Role.ADVISORY_NETWORK).person
    PositionFactory.create(person=advisor, kind=Position.Kind.MEMBER, body=task_force)
    cso = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)
    unregistered = focal_point(cso, full_name="No Account", kind=Position.Kind.MEMBER, account=False)
    PositionFactory.create(person=unregistered, kind=Position.Kind.MEMBER, body=task_force, organisation=cso)
    for classification, expected in [
        (Classification.MEMBERS, {"Nl Delegate", support.person.full_name}),
        (Classification.COALITION, {"Nl Delegate", advisor.full_name, support.person.full_name}),
    ]:
        series = create_series(
            by=support,
            title=f"Task force ({classification})",
            first_on=days_from_today(10),
            count=1,
            host_time_zone=AMSTERDAM,
            participation=MeetingSeries.Participation.BODY,
            body=task_force,
            classification=classification,
        )
        assert names(services.invitees(series.meetings.get())) == expected


def test_a_single_meeting_without_a_body_invites_the_members(support: Any) -> None:
    focal_point(government("NL"), full_name="Nl Focal")
    meeting = services.create_meeting(
        by=support, title="Call", starts_at=at_local(days_from_today(3), "10:00"), host_time_zone=AMSTERDAM
    )
    assert names(services.invitees(meeting)) == {"Nl Focal", support.person.full_name}


def test_inviting_twice_invites_each_person_once(support: Any, series: MeetingSeries) -> None:
    person = focal_point(government("NL"), full_name="Nl Focal", email="focal@example.nl")
    upcoming = last_of(series)
    mark = ledger_mark()
    created = services.invite(meeting=upcoming, by=support)
    assert {(i.person, i.reply) for i in created} == {(person, "NEEDS-ACTION"), (support.person, "NEEDS-ACTION")}
    assert Invitation.objects.get(person=person).email == "focal@example.nl"
    assert Invitation.objects.get(person=support.person).email == support.email  # no email of their own
    assert services.invite(meeting=upcoming, by=support) == []
    assert Invitation.objects.filter(meeting=upcoming).count() == 2
    assert events_since(mark) == ["meetings.invited", "meetings.invited"]


def test_a_cancelled_meeting_invites_nobody(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    services.cancel(meeting=upcoming, by=support)
    with pytest.raises(InvalidInput):
        services.invite(meeting=upcoming, by=support)  # the object in hand is stale: the service looks again
    assert Invitation.objects.count() == 0


# --- Reschedule, cancel, replies --------------------------------------------------------------------------------


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    uid = upcoming.uid
    mark = ledger_mark()
    moved = services.reschedule(
        meeting=upcoming, by=support, starts_at=at_local(days_from_today(6), "09:00", "Asia/Tokyo"), location=" Room 2 "
    )
    moved = fresh(moved)
    assert (moved.uid, moved.sequence, moved.location) == (uid, 1, "Room 2")
    assert moved.starts_at == at_local(days_from_today(6), "00:00", "UTC")
    assert moved.starts_at.tzinfo == dt.UTC
    assert events_since(mark) == ["meetings.rescheduled"]
    assert services.reschedule(meeting=moved, by=support, starts_at=moved.starts_at + HOUR).sequence == 2


def test_a_new_time_asks_everyone_to_reply_again(support: Any, series: MeetingSeries) -> None:
    upcoming = last_of(series)
    person = focal_point(government("NL"))
    services.invite(meeting=upcoming, by=support)
    invitation = Invitation.objects.get(person=person)
    services.record_reply(invitation=invitation, by=person.account, reply=Invitation.Reply.ACCEPTED)
    services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at, location="Room 3")
    assert fresh(invitation).reply == Invitation.Reply.ACCEPTED  # a new room is no new time
    services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at + HOUR)
    assert (fresh(invitation).reply, fresh(invitation).replied_at) == (Invitation.Reply.NEEDS_ACTION, None)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"starts_at": dt.datetime(2027, 1, 12, 14)}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
    ],
)
def test_a_bad_new_time_is_refused(support: Any, series: MeetingSeries, arguments: dict[str, Any], field: str) -> None:
    upcoming = last_of(series)
    options = {"starts_at": upcoming.starts_at, **arguments}
    with pytest.raises(InvalidInput) as error:
        services.reschedule(meeting=upcoming, by=support, **options)
    assert error.value.field == field
    assert fresh(upcoming).sequence == 0


def test_cancelling_raises_the_sequence_once_and_a_second_cancel_is_refused(
    support: Any, series: MeetingSeries
) -> None:
    upcoming = last_of(series)
    mark = ledger_mark()
    cancelled = services.cancel(meeting=upcoming, by=support, reason="  Holiday. ")
    assert (cancelled.state, cancelled.sequence, cancelled.uid) == ("cancelled", 1, upcoming.uid)
    assert events_since(mark) == ["meetings.cancelled"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["reason"] == "Holiday."
    with pytest.raises(InvalidInput) as error:
        services.cancel(meeting=upcoming, by=support)
    assert error.value.field == "meeting"
    assert fresh(upcoming).sequence == 1
    with pytest.raises(InvalidInput):
        services.reschedule(meeting=upcoming, by=support, starts_at=upcoming.starts_at + HOUR)
    assert fresh(upcoming).sequence == 1


def test_what_was_due_at_a_cancelled_meeting_moves_to_the_next(support: Any) -> None:
    series = create_series(
        by=support,
        title="Coordination",
        first_on=days_from_today(-7),
        count=3,
        interval=2,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nBudget",
    )
    held, cancelled, following = series.meetings.order_by("starts_at")
    budget = item_titled(held, "Budget")
    services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    services.assign_action(meeting=held, by=support, text="Report.", owner_organisation=government("NL"))
    circulated(held, support)
    assert cancelled.agenda.filter(carried_from=budget).exists()
    mark = ledger_mark()
    services.cancel(meeting=cancelled, by=support, reason="No quorum.")
    assert events_since(mark) == ["meetings.cancelled"]
    assert following.agenda.get(carried_from=budget).outcome == AgendaItem.Outcome.PENDING
    assert following.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL).approves == held
    assert following.agenda.filter(kind=AgendaItem.Kind.ACTION_REVIEW).exists()
    assert not cancelled.agenda.filter(carried_from=budget).exists()


@pytest.fixture
def invitation(support: Any, series: MeetingSeries) -> Invitation:
    person = focal_point(government("NL"))
    services.invite(meeting=last_of(series), by=support)
    return Invitation.objects.get(person=person)


def test_the_invited_person_replies(invitation: Invitation) -> None:
    mark = ledger_mark()
    reply = services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.TENTATIVE, sequence=0
    )
    assert (reply.reply, fresh(reply).reply) == ("TENTATIVE", "TENTATIVE")
    assert reply.replied_at is not None
    assert events_since(mark) == ["meetings.rsvp"]


def test_no_one_but_the_support_unit_replies_for_the_invited_person(
    invitation: Invitation, support: Any, make_user: MakeUser
) -> None:
    for someone in (make_user(Role.CHAIR), make_user(Role.FOCAL_POINT), AnonymousUser()):
        with pytest.raises(AccessDenied):
            services.record_reply(invitation=invitation, by=someone, reply=Invitation.Reply.ACCEPTED)
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION
    # A reply that reached the Support Unit by email is recorded on the person's behalf, under its own name.
    mark = ledger_mark()
    services.record_reply(invitation=invitation, by=support, reply=Invitation.Reply.DECLINED)
    assert fresh(invitation).reply == Invitation.Reply.DECLINED
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert (event.action, event.actor_id) == ("meetings.rsvp", support.pk)


def test_a_reply_answers_the_version_the_person_was_last_sent(invitation: Invitation, support: Any) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(sent_sequence=0)
    services.reschedule(meeting=invitation.meeting, by=support, starts_at=invitation.meeting.starts_at + HOUR)
    # The change has not been emailed yet: the invitation the person holds (version 0) is still the one to answer.
    services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.TENTATIVE, sequence=0
    )
    assert fresh(invitation).reply == Invitation.Reply.TENTATIVE
    Invitation.objects.filter(pk=invitation.pk).update(sent_sequence=1)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(
            invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=0
        )
    assert error.value.field == "sequence"


def test_a_reply_to_an_older_version_of_the_invitation_is_refused(invitation: Invitation, support: Any) -> None:
    services.reschedule(meeting=invitation.meeting, by=support, starts_at=invitation.meeting.starts_at + HOUR)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(
            invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=0
        )
    assert error.value.field == "sequence"
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION
    services.record_reply(
        invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED, sequence=1
    )
    assert fresh(invitation).reply == Invitation.Reply.ACCEPTED


def test_an_invited_person_who_can_no_longer_see_the_meeting_cannot_reply(invitation: Invitation) -> None:
    Position.objects.filter(person=invitation.person).update(ends_on=today() - dt.timedelta(days=1))
    account = User.objects.get(person=invitation.person)  # roles are worked out afresh
    with pytest.raises(AccessDenied):
        services.record_reply(invitation=invitation, by=account, reply=Invitation.Reply.ACCEPTED)
    assert fresh(invitation).reply == Invitation.Reply.NEEDS_ACTION


@pytest.mark.parametrize("reply", ["MAYBE", "NEEDS-ACTION", "accepted", ""])
def test_a_reply_other_than_accepted_tentative_or_declined_is_refused(invitation: Invitation, reply: str) -> None:
    with pytest.raises(InvalidInput) as error:
        services.record_reply(invitation=invitation, by=invitation.person.account, reply=reply)
    assert error.value.field == "reply"


def test_a_cancelled_meeting_takes_no_replies(invitation: Invitation, support: Any) -> None:
    services.cancel(meeting=invitation.meeting, by=support)
    with pytest.raises(InvalidInput) as error:
        services.record_reply(invitation=invitation, by=invitation.person.account, reply=Invitation.Reply.ACCEPTED)
    assert error.value.field == "reply"
