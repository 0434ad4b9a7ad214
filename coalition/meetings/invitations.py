"""Sending meeting invitations by email (PoA 3B.2): an RFC 5546 REQUEST to each invited person with the time in
their own zone and one-click RSVP links, and a CANCEL when the meeting is cancelled. Sending runs as a task; what
each person last received is on their Invitation (sent_sequence, sent_at, cancelled_sent_at)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coalition.core import ledger, policy
from coalition.core.errors import CoalitionError, InvalidInput
from coalition.meetings import calendar, services
from coalition.meetings.models import Invitation, Meeting

logger = logging.getLogger(__name__)

RSVP_SALT = "coalition.meetings.rsvp"
RSVP_MAX_AGE = dt.timedelta(days=60)


# --- One-click replies -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpToken:
    """What a signed RSVP link carries: which invitation, the version of the meeting it was sent for, and the reply
    the link offers ("" when the person chooses on the page)."""

    invitation_id: int
    sequence: int
    reply: str


def rsvp_token(invitation: Invitation, *, sequence: int, reply: str = "") -> str:
    return signing.dumps({"i": invitation.pk, "s": sequence, "r": reply}, salt=RSVP_SALT)


def read_rsvp_token(token: str) -> RsvpToken:
    """The token's content, or `InvalidInput` saying whether it expired, was altered or is not a reply link."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInput(
            _("This reply link has expired (links last %(days)d days). Reply from the meeting page instead.")
            % {"days": RSVP_MAX_AGE.days},
            field="token",
        ) from None
    except signing.BadSignature:
        raise InvalidInput(
            _("This reply link is not valid: it may have been cut short or altered. Reply from the meeting page."),
            field="token",
        ) from None
    try:
        claim = RsvpToken(invitation_id=int(data["i"]), sequence=int(data["s"]), reply=str(data.get("r", "")))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput(_("This reply link is not valid."), field="token") from None
    if claim.reply and claim.reply not in Invitation.REPLIES:
        raise InvalidInput(_("This reply link is not valid."), field="token")
    return claim


def rsvp_url(invitation: Invitation, *, sequence: int, reply: str = "") -> str:
    token = rsvp_token(invitation, sequence=sequence, reply=reply)
    return settings.SITE_URL + reverse("meetings:rsvp_link", kwargs={"token": token})


# --- The email ---------------------------------------------------------------------------------------------------


def invitation_message(
    meeting: Meeting, invitation: Invitation, method: str = calendar.REQUEST
) -> EmailMultiAlternatives:
    """The email one person receives: the time in their zone in the body, the .ics attached and inline (mail clients
    show their accept/decline buttons from the inline text/calendar part), and links that reply in one click."""
    person = invitation.person
    cancelled = method == calendar.CANCEL
    when = calendar.local_time_text(meeting, person.time_zone)
    if cancelled:
        subject = _("Cancelled: %(title)s") % {"title": meeting.title}
    elif invitation.sent_sequence is None:
        subject = _("Invitation: %(title)s") % {"title": meeting.title}
    else:
        subject = _("Updated invitation: %(title)s") % {"title": meeting.title}
    replies = (
        []
        if cancelled
        else [
            (label, rsvp_url(invitation, sequence=meeting.sequence, reply=value))
            for value, label in (
                (Invitation.Reply.ACCEPTED, _("Accept")),
                (Invitation.Reply.TENTATIVE, _("Tentative")),
                (Invitation.Reply.DECLINED, _("Decline")),
            )
        ]
    )
    context: dict[str, Any] = {
        "person": person,
        "meeting": meeting,
        "when": when,
        "cancelled": cancelled,
        "updated": invitation.sent_sequence is not None and not cancelled,
        "agenda": [item.title for item in meeting.agenda.all()],
        "replies": replies,
        "meeting_url": calendar.meeting_url(meeting),
        "invitation_url": settings.SITE_URL + reverse("meetings:my_invitation", args=[meeting.pk]),
    }
    ics = calendar.invitation_ics(meeting, invitation, method).decode()
    content_type = f"text/calendar; method={method}"
    message = EmailMultiAlternatives(
        f"[Coalition] {subject}",
        render_to_string("meetings/calendar/email/invitation.txt", context),
        None,
        [invitation.email],
    )
    message.attach_alternative(render_to_string("meetings/calendar/email/invitation.html", context), "text/html")
    message.attach_alternative(ics, content_type)
    message.attach("invitation.ics" if not cancelled else "cancellation.ics", ics, content_type)
    return message


# --- Sending -----------------------------------------------------------------------------------------------------


class InvitationsNotSent(CoalitionError):
    """Some invitations could not be handed to the mail server; running the task again retries exactly those."""


def due_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    """Who has not received the meeting as it stands: for a scheduled meeting, everyone whose last REQUEST was of
    another SEQUENCE (or none); for a cancelled one, everyone who received a REQUEST and no CANCEL yet."""
    invitations = meeting.invitations.select_related("person__account").order_by("pk")
    if meeting.is_cancelled:
        return invitations.filter(sent_sequence__isnull=False, cancelled_sent_at__isnull=True)
    return invitations.filter(Q(sent_sequence__isnull=True) | ~Q(sent_sequence=meeting.sequence))


def _claim(invitation: Invitation, meeting: Meeting, *, cancel: bool, now: dt.datetime) -> bool:
    """Mark the invitation sent for this SEQUENCE, if no one else did since it was read (compare and set)."""
    unchanged = Invitation.objects.filter(pk=invitation.pk)
    if cancel:
        unchanged = unchanged.filter(cancelled_sent_at__isnull=True)
        changes: dict[str, Any] = {"cancelled_sent_at": now, "sent_sequence": meeting.sequence, "sent_at": now}
    elif invitation.sent_sequence is None:
        unchanged = unchanged.filter(sent_sequence__isnull=True)
        changes = {"sent_sequence": meeting.sequence, "sent_at": now}
    else:
        unchanged = unchanged.filter(sent_sequence=invitation.sent_sequence)
        changes = {"sent_sequence": meeting.sequence, "sent_at": now}
    return unchanged.update(**changes) == 1


def _withdraw(invitation: Invitation, meeting: Meeting, *, now: dt.datetime) -> None:
    """Put back what the invitation said before the claim, so that the next run sends it again."""
    Invitation.objects.filter(pk=invitation.pk, sent_sequence=meeting.sequence, sent_at=now).update(
        sent_sequence=invitation.sent_sequence,
        sent_at=invitation.sent_at,
        cancelled_sent_at=invitation.cancelled_sent_at,
    )


def _may_receive(invitation: Invitation, meeting: Meeting) -> bool:
    """The same test `services.invitees` applied, asked again at sending: access may have changed since."""
    account = getattr(invitation.person, "account", None)
    return account is None or policy.is_visible(account, meeting)


@task()
def send_invitations(meeting_id: int) -> int:
    """Email each invited person the meeting as it stands (REQUEST), or its cancellation (CANCEL); returns how many
    emails went out. Safe to run again and from several workers: nothing is sent twice for one SEQUENCE.

    Each invitation is claimed before its email is sent (a compare-and-set on what it last received), so a second
    run or a concurrent worker skips it; if the mail server refuses, the claim is withdrawn and the task fails,
    so the next run sends exactly what is still due. A meeting that has ended gets no more email."""
    meeting = (
        Meeting.objects.select_related("organiser__person").prefetch_related("agenda").filter(pk=meeting_id).first()
    )
    if meeting is None or meeting.ends_at <= timezone.now():
        return 0
    cancel = meeting.is_cancelled
    method = calendar.CANCEL if cancel else calendar.REQUEST
    sent: list[int] = []
    failed: list[int] = []
    skipped = 0
    for invitation in due_invitations(meeting):
        if not invitation.email or not _may_receive(invitation, meeting):
            skipped += 1
            continue
        message = invitation_message(meeting, invitation, method)
        now = timezone.now()
        if not _claim(invitation, meeting, cancel=cancel, now=now):
            continue  # another run sent it since we read it
        try:
            message.send()
        except Exception:  # the mail server's errors are many; any of them means "not sent"
            logger.exception("Invitation %s (%s) of meeting %s was not sent", invitation.pk, method, meeting.pk)
            _withdraw(invitation, meeting, now=now)
            failed.append(invitation.pk)
            continue
        sent.append(invitation.pk)
    if sent or failed:
        ledger.record(
            "meetings.invitations_sent",
            subject=meeting,
            data={
                "method": method,
                "sequence": meeting.sequence,
                "sent": sent,
                "failed": failed,
                "skipped": skipped,
            },
        )
    if failed:
        raise InvitationsNotSent(
            f"{len(failed)} {method} email(s) of meeting {meeting.pk} could not be sent ({len(sent)} were); "
            "run the task again to retry them."
        )
    return len(sent)


def _enqueue_after_commit(meeting: Meeting) -> None:
    # The worker must find the invitations and the new SEQUENCE committed; a change that rolls back sends nothing.
    meeting_id = meeting.pk
    transaction.on_commit(lambda: send_invitations.enqueue(meeting_id))


def queue_invitations(meeting: Meeting, by: Any) -> list[Invitation]:
    """Invite the meeting's people (`services.invite`, which checks access) and queue the emails to everyone who has
    not received the meeting as it stands. Returns the invitations created now."""
    created = services.invite(meeting=meeting, by=by)
    _enqueue_after_commit(meeting)
    return created


def queue_updates(meeting: Meeting) -> None:
    """After `services.reschedule` or `services.cancel`: queue the updated REQUEST or the CANCEL to those invited."""
    _enqueue_after_commit(meeting)
