"""Agendas that carry over, minutes with revisions, circulation and approval, decisions and action items
(issue 4) — what each write refuses and what it leaves in the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coalition.core.errors import InvalidInput
from coalition.core.models import AuditEvent
from coalition.directory.queries import today
from coalition.meetings import services
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    MinutesApproval,
    MinutesRevision,
)
from coalition.meetings.tests.factories import activity, focal_point, government
from coalition.meetings.tests.scenes import (
    AMSTERDAM,
    HOUR,
    at_local,
    circulated,
    days_from_today,
    events_since,
    fresh,
    item_titled,
    ledger_mark,
    titles,
    written,
)
from coalition.programme.models import EvidenceLink

pytestmark = pytest.mark.django_db


# --- Agenda: outcomes and carry-over ----------------------------------------------------------------------------


def test_an_item_not_reached_is_copied_to_the_next_meeting(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    review = item_titled(first, "Programme review")
    services.add_agenda_item(meeting=first, by=support, title="Budget", description="The 2027 budget.")
    budget = item_titled(first, "Budget")
    mark = ledger_mark()
    carried = services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert carried is not None
    assert (carried.meeting, carried.title, carried.description, carried.carried_from) == (
        second,
        "Budget",
        "The 2027 budget.",
        budget,
    )
    assert titles(second) == ["Welcome", "Programme review", "Any other business", "Budget"]
    assert fresh(budget).outcome == AgendaItem.Outcome.NOT_REACHED
    assert events_since(mark) == ["meetings.agenda_outcome"]
    assert services.set_outcome(item=budget, by=support, outcome=AgendaItem.Outcome.NOT_REACHED) is None
    assert second.agenda.filter(carried_from=budget).count() == 1
    assert not second.agenda.filter(carried_from=review).exists()


def test_an_item_taken_after_all_withdraws_its_unminuted_copy(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert second.agenda.filter(carried_from=aob).exists()
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert not second.agenda.filter(carried_from=aob).exists()
    assert fresh(aob).outcome == AgendaItem.Outcome.TAKEN


def test_a_copy_with_minutes_stays_when_the_original_is_taken_after_all(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    copy = services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None
    services.save_minutes(item=copy, by=support, text="Discussed at last.")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert second.agenda.filter(carried_from=aob).exists()


def test_a_copy_with_a_decision_stays_when_the_original_is_taken_after_all(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    aob = item_titled(first, "Any other business")
    copy = services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None
    decision = services.record_decision(meeting=second, by=support, item=copy, text="Agreed to meet in person.")
    services.set_outcome(item=aob, by=support, outcome=AgendaItem.Outcome.TAKEN)
    assert fresh(decision).item == copy


def test_an_unknown_outcome_is_refused(support: Any, meetings: list[Meeting]) -> None:
    with pytest.raises(InvalidInput) as error:
        services.set_outcome(item=item_titled(meetings[0], "Welcome"), by=support, outcome="postponed")
    assert error.value.field == "outcome"


def test_an_agenda_item_needs_a_title(support: Any, meetings: list[Meeting]) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.add_agenda_item(meeting=meetings[0], by=support, title=" ")
    assert error.value.field == "title"
    assert written() == before


def test_an_added_agenda_item_goes_last_and_is_recorded(support: Any, meetings: list[Meeting]) -> None:
    mark = ledger_mark()
    item = services.add_agenda_item(meeting=meetings[2], by=support, title="  Budget  ")
    assert titles(meetings[2])[-1] == "Budget"
    assert item.position > max(i.position for i in meetings[2].agenda.exclude(pk=item.pk))
    assert events_since(mark) == ["meetings.agenda_item_added"]


# --- Minutes ----------------------------------------------------------------------------------------------------


def test_each_save_of_the_minutes_is_a_new_numbered_revision(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    mark = ledger_mark()
    first = services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    second = services.save_minutes(item=item, by=support, text="The chair opened the meeting at 14:05.")
    assert first is not None and second is not None
    assert [(r.number, r.text) for r in item.minutes_revisions.order_by("number")] == [
        (1, "The chair opened the meeting."),
        (2, "The chair opened the meeting at 14:05."),
    ]
    assert item.current_minutes() == second
    assert events_since(mark) == ["meetings.minutes_saved", "meetings.minutes_saved"]


def test_saving_unchanged_minutes_makes_no_revision(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    mark = ledger_mark()
    assert services.save_minutes(item=item, by=support, text="  The chair opened the meeting.\n") is None
    assert services.save_minutes(item=item_titled(meetings[0], "Programme review"), by=support, text=" ") is None
    assert MinutesRevision.objects.count() == 1
    assert events_since(mark) == []


def test_circulated_minutes_refuse_edits(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="The chair opened the meeting.")
    services.circulate_minutes(meeting=meetings[0], by=support)
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.save_minutes(item=item, by=support, text="Rewritten after circulation.")  # item.meeting is stale
    assert error.value.field == "text"
    with pytest.raises(InvalidInput):
        services.record_decision(meeting=meetings[0], by=support, text="A decision slipped in later.")
    with pytest.raises(InvalidInput):
        services.assign_action(meeting=meetings[0], by=support, text="Late", owner_organisation=government("NL"))
    assert written() == before


def test_minutes_are_circulated_once_the_meeting_has_started_and_go_on_the_next_agenda_for_approval(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="The chair opened the meeting.")
    mark = ledger_mark()
    meeting = services.circulate_minutes(meeting=first, by=support)
    assert meeting.minutes_state == Meeting.MinutesState.CIRCULATED
    assert meeting.minutes_circulated_at is not None
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert approval.approves == first
    assert approval.outcome == AgendaItem.Outcome.PENDING
    assert events_since(mark) == ["meetings.minutes_circulated"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["hash"] == services.minutes_hash(first)


def test_minutes_of_a_meeting_not_yet_started_are_not_circulated(support: Any, meetings: list[Meeting]) -> None:
    upcoming = meetings[2]
    services.save_minutes(item=item_titled(upcoming, "Welcome"), by=support, text="Prepared in advance.")
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.circulate_minutes(meeting=upcoming, by=support)
    assert error.value.field == "minutes_state"
    assert written() == before
    assert fresh(upcoming).minutes_state == Meeting.MinutesState.DRAFT


def test_minutes_without_any_text_are_not_circulated(support: Any, meetings: list[Meeting]) -> None:
    item = item_titled(meetings[0], "Welcome")
    services.save_minutes(item=item, by=support, text="Written by mistake.")
    services.save_minutes(item=item, by=support, text="")  # and blanked again
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.circulate_minutes(meeting=meetings[0], by=support)
    assert error.value.field == "minutes_state"
    assert written() == before


def test_a_decision_alone_is_minutes_enough_to_circulate(support: Any, meetings: list[Meeting]) -> None:
    services.record_decision(meeting=meetings[0], by=support, text="Members agreed the workplan.")
    assert services.circulate_minutes(meeting=meetings[0], by=support).minutes_state == "circulated"


def test_minutes_are_approved_at_a_later_meeting_with_the_digest_of_what_was_approved(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, _ = meetings
    decided, acted, discussed = activity("3B.2"), activity("1B.2"), activity("1B.3")
    review = item_titled(first, "Programme review")
    review.activity = discussed
    review.save(update_fields=["activity"])
    services.save_minutes(item=review, by=support, text="The tracker was reviewed.")
    services.record_decision(meeting=first, by=support, item=review, text="Adopt the tracker.", activity=decided)
    services.assign_action(
        meeting=first, by=support, text="Report on 1B.2.", owner_organisation=government("NL"), activity=acted
    )
    circulated(first, support)
    digest = services.minutes_hash(first)
    mark = ledger_mark()
    approval = services.approve_minutes(minutes_of=first, at=second, by=support)
    approval = fresh(approval)
    assert (approval.minutes_of, approval.approved_at, approval.approved_by) == (first, second, support)
    assert approval.content_hash == digest == services.minutes_hash(first)
    assert fresh(first).minutes_state == Meeting.MinutesState.APPROVED
    item = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert (item.approves, item.outcome) == (first, AgendaItem.Outcome.TAKEN)
    links = EvidenceLink.objects.filter(record_type="meetings.meeting", record_id=str(first.pk))
    assert {link.activity for link in links} == {decided, acted, discussed}
    # The evidence goes through the programme's own service, which records each link.
    assert events_since(mark) == ["meetings.minutes_approved", *["programme.evidence_linked"] * 3]


def test_minutes_are_approved_at_a_meeting_starting_within_a_day(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    soon = services.reschedule(meeting=meetings[2], by=support, starts_at=dt.datetime.now(dt.UTC) + 20 * HOUR)
    circulated(first, support)
    assert services.approve_minutes(minutes_of=first, at=soon, by=support).approved_at == soon


def test_minutes_are_not_approved_at_a_meeting_more_than_a_day_ahead(support: Any, meetings: list[Meeting]) -> None:
    first, _, upcoming = meetings
    circulated(first, support)
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=first, at=upcoming, by=support)
    assert error.value.field == "at"
    assert written() == before


def test_minutes_are_not_approved_at_the_same_or_an_earlier_meeting(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(second, support)
    for at in (first, second):
        with pytest.raises(InvalidInput) as error:
            services.approve_minutes(minutes_of=second, at=at, by=support)
        assert error.value.field == "at"
    assert MinutesApproval.objects.count() == 0


def test_minutes_are_not_approved_at_a_meeting_of_another_series(support: Any, meetings: list[Meeting]) -> None:
    other = services.create_meeting(
        by=support, title="Other", starts_at=at_local(days_from_today(-1), "10:00"), host_time_zone=AMSTERDAM
    )
    circulated(meetings[0], support)
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=meetings[0], at=other, by=support)
    assert error.value.field == "at"


def test_draft_minutes_are_not_approved(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="Opened.")
    with pytest.raises(InvalidInput) as error:
        services.approve_minutes(minutes_of=first, at=second, by=support)
    assert error.value.field == "minutes_state"
    assert MinutesApproval.objects.count() == 0


def test_approved_minutes_are_not_approved_twice(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(first, support)
    services.approve_minutes(minutes_of=first, at=second, by=support)
    with pytest.raises(InvalidInput):
        services.approve_minutes(minutes_of=first, at=second, by=support)
    assert MinutesApproval.objects.count() == 1


def test_approving_other_minutes_leaves_the_meetings_own_approval_item_alone(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    circulated(first, support)
    circulated(second, support)  # its approval item goes on the third meeting
    soon = services.reschedule(meeting=third, by=support, starts_at=dt.datetime.now(dt.UTC) + 2 * HOUR)
    services.approve_minutes(minutes_of=first, at=soon, by=support)  # late: not approved at the second
    own = soon.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    assert (own.approves, own.outcome) == (second, AgendaItem.Outcome.PENDING)
    assert soon.agenda.get(approves=first).outcome == AgendaItem.Outcome.TAKEN
    services.approve_minutes(minutes_of=second, at=soon, by=support)
    assert fresh(own).outcome == AgendaItem.Outcome.TAKEN


def test_an_approval_not_reached_is_carried_and_taken_when_the_minutes_are_approved_later(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    circulated(first, support)
    approval = second.agenda.get(kind=AgendaItem.Kind.MINUTES_APPROVAL)
    copy = services.set_outcome(item=approval, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert copy is not None and (copy.meeting, copy.approves) == (third, first)
    soon = services.reschedule(meeting=third, by=support, starts_at=dt.datetime.now(dt.UTC) + 2 * HOUR)
    services.approve_minutes(minutes_of=first, at=soon, by=support)
    assert fresh(copy).outcome == AgendaItem.Outcome.TAKEN
    assert soon.agenda.filter(approves=first).count() == 1


def test_a_review_of_actions_not_reached_is_not_copied_beside_the_next_meetings_own(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    services.assign_action(meeting=first, by=support, text="Report.", owner_organisation=government("NL"))
    review = second.agenda.get(kind=AgendaItem.Kind.ACTION_REVIEW)
    services.set_outcome(item=review, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    assert list(third.agenda.filter(title="Review of open action items").values_list("kind", flat=True)) == [
        AgendaItem.Kind.ACTION_REVIEW
    ]


def test_circulated_minutes_go_back_to_draft_only_with_a_reason(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    circulated(first, support)
    with pytest.raises(InvalidInput) as error:
        services.return_to_draft(meeting=first, by=support, reason="  ")
    assert error.value.field == "reason"
    assert fresh(first).minutes_state == Meeting.MinutesState.CIRCULATED
    mark = ledger_mark()
    meeting = services.return_to_draft(meeting=first, by=support, reason="The Netherlands asked for a correction.")
    assert meeting.minutes_state == Meeting.MinutesState.DRAFT
    assert events_since(mark) == ["meetings.minutes_returned"]
    [event] = AuditEvent.objects.filter(seq__gt=mark)
    assert event.data["reason"] == "The Netherlands asked for a correction."
    assert services.save_minutes(item=item_titled(first, "Welcome"), by=support, text="Corrected.") is not None


def test_draft_minutes_do_not_go_back_to_draft(support: Any, meetings: list[Meeting]) -> None:
    with pytest.raises(InvalidInput) as error:
        services.return_to_draft(meeting=meetings[0], by=support, reason="Why not.")
    assert error.value.field == "minutes_state"


def test_an_approved_meetings_agenda_is_closed(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    circulated(first, support)
    services.approve_minutes(minutes_of=first, at=second, by=support)
    with pytest.raises(InvalidInput):
        services.add_agenda_item(meeting=first, by=support, title="Afterthought")
    with pytest.raises(InvalidInput):
        services.set_outcome(item=item_titled(first, "Welcome"), by=support, outcome=AgendaItem.Outcome.NOT_REACHED)


# --- Decisions and actions --------------------------------------------------------------------------------------


def test_a_decision_is_recorded_against_its_meetings_own_item(support: Any, meetings: list[Meeting]) -> None:
    first, second, _ = meetings
    mark = ledger_mark()
    decision = services.record_decision(
        meeting=first, by=support, item=item_titled(first, "Welcome"), text="  Adopt the agenda. "
    )
    assert (decision.text, decision.recorded_by) == ("Adopt the agenda.", support)
    assert events_since(mark) == ["meetings.decision_recorded"]
    with pytest.raises(InvalidInput) as error:
        services.record_decision(meeting=first, by=support, item=item_titled(second, "Welcome"), text="Elsewhere.")
    assert error.value.field == "item"
    with pytest.raises(InvalidInput) as error:
        services.record_decision(meeting=first, by=support, text=" ")
    assert error.value.field == "text"


def test_an_action_needs_an_owner(support: Any, meetings: list[Meeting]) -> None:
    before = written()
    with pytest.raises(InvalidInput) as error:
        services.assign_action(meeting=meetings[0], by=support, text="Share the checklist.")
    assert error.value.field == "owner"
    assert written() == before


def test_an_action_is_not_due_before_its_meeting(support: Any, meetings: list[Meeting]) -> None:
    first = meetings[0]
    with pytest.raises(InvalidInput) as error:
        services.assign_action(
            meeting=first,
            by=support,
            text="Share the checklist.",
            owner_organisation=government("NL"),
            due_on=first.starts_at.date() - dt.timedelta(days=1),
        )
    assert error.value.field == "due_on"
    action = services.assign_action(
        meeting=first, by=support, text="Today.", owner_organisation=government("NL"), due_on=first.starts_at.date()
    )
    assert action.due_on == first.starts_at.date()


def test_an_action_may_fall_due_on_the_day_of_an_evening_meeting_as_its_host_reads_it(support: Any) -> None:
    evening = services.create_meeting(
        by=support,
        title="Call",
        starts_at=at_local(dt.date(2027, 1, 12), "22:00", "America/Santiago"),  # 01:00 UTC on 13 January
        host_time_zone="America/Santiago",
    )
    action = services.assign_action(
        meeting=evening, by=support, text="Report.", owner_organisation=government("CL"), due_on=dt.date(2027, 1, 12)
    )
    assert action.due_on == dt.date(2027, 1, 12)


def test_an_open_action_comes_back_at_the_next_meeting_until_it_is_closed(
    support: Any, meetings: list[Meeting]
) -> None:
    first, second, third = meetings
    person = focal_point(government("NL"))
    mark = ledger_mark()
    action = services.assign_action(
        meeting=first, by=support, text="Share the checklist.", owner=person, due_on=days_from_today(30)
    )
    assert events_since(mark) == ["meetings.action_assigned"]
    assert services.open_actions_before(second) == [action]
    assert services.open_actions_before(first) == []
    review = second.agenda.get(kind=AgendaItem.Kind.ACTION_REVIEW)
    assert review.title == "Review of open action items"
    mark = ledger_mark()
    closed = services.close_action(action=action, by=support, state=ActionItem.State.DONE, at=second)
    assert (closed.state, closed.closed_at_meeting, closed.closed_on) == ("done", second, today())
    assert events_since(mark) == ["meetings.action_closed"]
    assert services.open_actions_before(second) == [action]  # its minutes show what was closed there
    assert services.open_actions_before(third) == []


@pytest.mark.parametrize("when", ["same", "earlier"])
def test_an_action_is_closed_only_at_a_later_meeting_of_its_series(
    support: Any, meetings: list[Meeting], when: str
) -> None:
    first, second, _ = meetings
    action = services.assign_action(meeting=second, by=support, text="Report.", owner_organisation=government("NL"))
    with pytest.raises(InvalidInput) as error:
        services.close_action(
            action=action, by=support, state=ActionItem.State.DONE, at=second if when == "same" else first
        )
    assert error.value.field == "at"
    assert fresh(action).state == ActionItem.State.OPEN


def test_an_action_is_not_closed_at_a_meeting_outside_its_series(support: Any) -> None:
    single = services.create_meeting(
        by=support, title="Call", starts_at=at_local(days_from_today(-5), "10:00"), host_time_zone=AMSTERDAM
    )
    later = services.create_meeting(
        by=support, title="Another call", starts_at=at_local(days_from_today(-1), "10:00"), host_time_zone=AMSTERDAM
    )
    action = services.assign_action(meeting=single, by=support, text="Report.", owner_organisation=government("NL"))
    with pytest.raises(InvalidInput) as error:
        services.close_action(action=action, by=support, state=ActionItem.State.DONE, at=later)
    assert error.value.field == "at"


def test_an_action_is_closed_done_dropped_or_reopened_only(support: Any, meetings: list[Meeting]) -> None:
    action = services.assign_action(
        meeting=meetings[0], by=support, text="Report.", owner_organisation=government("NL")
    )
    with pytest.raises(InvalidInput) as error:
        services.close_action(action=action, by=support, state="forgotten")
    assert error.value.field == "state"
    services.close_action(action=action, by=support, state=ActionItem.State.DROPPED)
    reopened = services.close_action(action=action, by=support, state=ActionItem.State.OPEN)
    assert (reopened.state, reopened.closed_on, reopened.closed_at_meeting) == ("open", None, None)
