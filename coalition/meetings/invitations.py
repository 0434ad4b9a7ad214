"""Telling invited people about a meeting (PoA 3B.2), through the notification service: an invitation (an RFC 5546
REQUEST, the .ics, the time in their own zone and one-click RSVP links, `notices.invitation_message`), an update
when the meeting changes (a higher SEQUENCE) and a cancellation (CANCEL). The notifications are written in the
caller's transaction and emailed by the task worker after it commits, with retries; at sending time the service
checks again that the person may see the meeting. What each person was last told is on their Invitation
(sent_sequence, sent_at, cancelled_sent_at). A person without an account (an invited minister or expert) is
emailed at their invitation's address through `service.notify_address`: being invited is enough, as before."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.core import ledger
from coalition.meetings import calendar, notices, services
from coalition.meetings.models import Invitation, Meeting
from coalition.meetings.rsvp import RSVP_MAX_AGE, RSVP_SALT, RsvpToken, read_rsvp_token, rsvp_token, rsvp_url
from coalition.notifications import service

__all__ = [
    "RSVP_MAX_AGE",
    "RSVP_SALT",
    "RsvpToken",
    "due_invitations",
    "queue_invitations",
    "queue_updates",
    "read_rsvp_token",
    "rsvp_token",
    "rsvp_url",
    "tell_invited",
]


def due_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    """Who has not been told the meeting as it stands: for a scheduled meeting, everyone whose last REQUEST was of
    another SEQUENCE (or none); for a cancelled one, everyone who was told of it and not of the cancellation."""
    invitations = meeting.invitations.select_related("person__account").order_by("pk")
    if meeting.is_cancelled:
        return invitations.filter(sent_sequence__isnull=False, cancelled_sent_at__isnull=True)
    return invitations.filter(Q(sent_sequence__isnull=True) | ~Q(sent_sequence=meeting.sequence))


def _kind(meeting: Meeting, invitation: Invitation) -> str:
    if meeting.is_cancelled:
        return notices.MEETING_CANCELLED
    return notices.INVITATION if invitation.sent_sequence is None else notices.INVITATION_UPDATED


REASONS = {
    notices.INVITATION: lambda: _("You are invited to this meeting."),
    notices.INVITATION_UPDATED: lambda: _("You are invited to this meeting, and it has changed."),
    notices.MEETING_CANCELLED: lambda: _("You were invited to this meeting, which is cancelled."),
}


def tell_invited(meeting: Meeting) -> int:
    """Notify each invited person of the meeting as it stands (invitation, update or cancellation) and record on
    their Invitation what they were told; returns how many were told. Runs inside the caller's transaction, so a
    change that rolls back tells no one. Safe to run again: the service tells a person once per SEQUENCE (its dedupe
    key), and the invitation then records it. A meeting that has ended is told nothing more."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.ends_at <= timezone.now():
            return 0
        by_kind: dict[str, list[Invitation]] = {}
        addressed: list[Invitation] = []
        skipped = 0
        for invitation in due_invitations(meeting):
            account = getattr(invitation.person, "account", None)
            if not invitation.email:
                skipped += 1
            elif account is None:
                addressed.append(invitation)
            else:
                by_kind.setdefault(_kind(meeting, invitation), []).append(invitation)
        told: list[int] = []
        now = timezone.now()
        for invitation in addressed:
            kind = _kind(meeting, invitation)
            service.notify_address(
                kind=kind,
                subject=meeting,
                address=invitation.email,
                person=invitation.person,
                reason=REASONS[kind](),
                key=str(meeting.sequence),
            )
            # Written now or already for this SEQUENCE: either way this version is on its way to them.
            _record(invitation.pk, kind, meeting.sequence, now)
            told.append(invitation.pk)
        for kind, invitations in by_kind.items():
            written = service.notify(
                kind=kind,
                subject=meeting,
                recipients=[invitation.person.account for invitation in invitations],
                reason=REASONS[kind](),
                key=str(meeting.sequence),
            )
            reached = {notification.recipient_id for notification in written}
            done = [invitation.pk for invitation in invitations if invitation.person.account.pk in reached]
            skipped += len(invitations) - len(done)
            _record(done, kind, meeting.sequence, now)
            told += done
        if told:
            ledger.record(
                "meetings.invitations_sent",
                subject=meeting,
                data={
                    "method": calendar.CANCEL if meeting.is_cancelled else calendar.REQUEST,
                    "sequence": meeting.sequence,
                    "sent": told,
                    "skipped": skipped,
                },
            )
    return len(told)


def _record(invitations: int | list[int], kind: str, sequence: int, now: Any) -> None:
    """Note on the invitations what they were told."""
    changes: dict[str, Any] = {"sent_sequence": sequence, "sent_at": now}
    if kind == notices.MEETING_CANCELLED:
        changes["cancelled_sent_at"] = now
    ids = [invitations] if isinstance(invitations, int) else invitations
    Invitation.objects.filter(pk__in=ids).update(**changes)


def queue_invitations(meeting: Meeting, by: Any) -> list[Invitation]:
    """Invite the meeting's people (`services.invite`, which checks access) and tell everyone who has not been told
    the meeting as it stands. Returns the invitations created now."""
    with transaction.atomic():
        created = services.invite(meeting=meeting, by=by)
        tell_invited(meeting)
    return created


def queue_updates(meeting: Meeting) -> None:
    """After `services.reschedule` or `services.cancel`: tell those invited the new version or the cancellation."""
    tell_invited(meeting)
