"""Every write to meetings: one function per use case, access first, one transaction, the ledger. A module per
subject: `series` (creating a series) with its `schedule` (dates, participants) and `rotations` (the fair rotation,
and the task worker's half of it); `meetings` (a meeting, attendance, reschedule, cancel, invitations, replies);
`agenda`; `minutes` (minutes, decisions, action items); `calls` (quarterly update calls); `checks` they share.

The names callers use are here, so `services.cancel(...)` reads as before."""

from coalition.meetings.services.agenda import (
    add_agenda_item,
    next_meeting,
    open_actions_before,
    previous_meeting,
    quarterly_digest_text,
    set_outcome,
)
from coalition.meetings.services.calls import record_quarterly_call, refresh_quarterly_digests
from coalition.meetings.services.meetings import (
    AttendanceRow,
    cancel,
    create_meeting,
    invite,
    invitees,
    record_attendance,
    record_reply,
    reschedule,
)
from coalition.meetings.services.minutes import (
    APPROVAL_MARGIN,
    approve_minutes,
    assign_action,
    circulate_minutes,
    close_action,
    minutes_hash,
    record_decision,
    return_to_draft,
    save_minutes,
)
from coalition.meetings.services.rotations import (
    ROTATION_FAULT,
    ROTATION_QUEUED,
    ROTATION_REFUSED,
    ROTATION_SOLVING,
    ROTATION_STALE_MARGIN,
    finish_queued_rotation,
    solve_queued_rotation,
    solve_rotation,
)
from coalition.meetings.services.schedule import (
    MAX_MEETINGS_PER_SERIES,
    SeriesParticipant,
    cadence_dates,
    fixed_local_starts,
    participants_of,
)
from coalition.meetings.services.series import SeriesSpec, create_series

__all__ = [
    "APPROVAL_MARGIN",
    "MAX_MEETINGS_PER_SERIES",
    "ROTATION_FAULT",
    "ROTATION_QUEUED",
    "ROTATION_REFUSED",
    "ROTATION_SOLVING",
    "ROTATION_STALE_MARGIN",
    "AttendanceRow",
    "SeriesParticipant",
    "SeriesSpec",
    "add_agenda_item",
    "approve_minutes",
    "assign_action",
    "cadence_dates",
    "cancel",
    "circulate_minutes",
    "close_action",
    "create_meeting",
    "create_series",
    "finish_queued_rotation",
    "fixed_local_starts",
    "invite",
    "invitees",
    "minutes_hash",
    "next_meeting",
    "open_actions_before",
    "participants_of",
    "previous_meeting",
    "quarterly_digest_text",
    "record_attendance",
    "record_decision",
    "record_quarterly_call",
    "record_reply",
    "refresh_quarterly_digests",
    "reschedule",
    "return_to_draft",
    "save_minutes",
    "set_outcome",
    "solve_queued_rotation",
    "solve_rotation",
]
