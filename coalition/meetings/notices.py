"""What meetings tell people, through the notification service (`coalition.notifications`): invitations (an RFC 5546
REQUEST with the .ics, the time in the person's zone and one-click RSVP links), their updates and cancellations,
and minutes circulated for approval. Registered from MeetingsConfig.ready(); `invitations` and `services.minutes`
call `service.notify`. Each message is rendered for its recipient when it is sent or shown, from the meeting as it
stands then: a meeting cancelled since its invitation was queued is sent as a cancellation."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.meetings import calendar
from coalition.meetings.models import Invitation, Meeting
from coalition.meetings.rsvp import rsvp_url
from coalition.notifications import kinds
from coalition.notifications import unsubscribe as unsubscribe_links
from coalition.notifications.email import absolute

INVITATION = "meetings.invitation"
INVITATION_UPDATED = "meetings.invitation_updated"
MEETING_CANCELLED = "meetings.meeting_cancelled"
MINUTES_CIRCULATED = "meetings.minutes_circulated"

INVITATION_KINDS = (INVITATION, INVITATION_UPDATED, MEETING_CANCELLED)


def register() -> None:
    """Called from MeetingsConfig.ready()."""
    kinds.register(
        kinds.Kind(
            key=INVITATION,
            label=gettext_lazy("An invitation to a meeting asks for your reply"),
            description=gettext_lazy(
                "When you are invited to a meeting you may see: the time in your zone, the calendar file and links "
                "that accept, decline or say tentative in one click."
            ),
            model=Meeting,
            render=_render_invitation(INVITATION),
            urgent=True,
            addressable=is_invited,
        )
    )
    kinds.register(
        kinds.Kind(
            key=INVITATION_UPDATED,
            label=gettext_lazy("A meeting you are invited to changes"),
            description=gettext_lazy(
                "When a meeting you were invited to moves or changes place: the new calendar file replaces the one "
                "you had, and a new time asks for your reply again."
            ),
            model=Meeting,
            render=_render_invitation(INVITATION_UPDATED),
            urgent=True,
            addressable=is_invited,
        )
    )
    kinds.register(
        kinds.Kind(
            key=MEETING_CANCELLED,
            label=gettext_lazy("A meeting you are invited to is cancelled"),
            description=gettext_lazy("The cancellation, with a calendar file that removes the meeting."),
            model=Meeting,
            render=_render_invitation(MEETING_CANCELLED),
            urgent=True,
            addressable=is_invited,
        )
    )
    kinds.register(
        kinds.Kind(
            key=MINUTES_CIRCULATED,
            label=gettext_lazy("Minutes are circulated for approval"),
            description=gettext_lazy(
                "When the minutes of a meeting you were invited to are circulated: they are approved at the next "
                "meeting of the series, so read them before it."
            ),
            model=Meeting,
            render=render_minutes_circulated,
        )
    )


# --- Invitations ------------------------------------------------------------------------------------------------


def invitation_for(meeting: Meeting, user: Any) -> Invitation | None:
    """`user`'s own invitation to `meeting` (None if they have none): the only one whose links their email carries."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return meeting.invitations.select_related("person__account").filter(person_id=person_id).first()


def is_invited(meeting: Meeting, person: Any) -> bool:
    """Who without an account is emailed an invitation, its update and its cancellation: whoever is invited (the
    rule before the notification service: being invited is enough to receive this email)."""
    return meeting.invitations.filter(person_id=person.pk).exists()


def _footer(user: Any, kind: str) -> dict[str, str]:
    if getattr(user, "pk", None) is None:  # a person without an account (kinds.Addressee): no preferences
        return {"preferences_url": "", "unsubscribe_url": ""}
    unsubscribe = unsubscribe_links.url_for(user, kind) if unsubscribe_links.may_unsubscribe(user, kind) else ""
    return {"preferences_url": absolute(reverse("notifications:preferences")), "unsubscribe_url": unsubscribe}


def _render_invitation(kind: str) -> kinds.Render:
    def render(meeting: Meeting, user: Any) -> kinds.Message:
        return invitation_message(meeting, user, kind)

    return render


def invitation_message(meeting: Meeting, user: Any, kind: str = INVITATION) -> kinds.Message:
    """The email one person receives: the time in their zone, the .ics attached (the mailer also puts it inline, so
    that mail clients show their accept and decline buttons), and links that reply in one click for this version."""
    cancelled = meeting.is_cancelled
    path = reverse("meetings:meeting", args=[meeting.pk])
    if cancelled:
        subject = _("Cancelled: %(title)s") % {"title": meeting.title}
    elif kind == INVITATION_UPDATED:
        subject = _("Updated invitation: %(title)s") % {"title": meeting.title}
    else:
        subject = _("Invitation: %(title)s") % {"title": meeting.title}
    invitation = invitation_for(meeting, user)
    if invitation is None:  # no longer invited: the meeting page says the rest
        return kinds.Message(
            subject=subject, text=_("Open the meeting page to see “%(title)s”.") % {"title": meeting.title}, path=path
        )
    method = calendar.CANCEL if cancelled else calendar.REQUEST
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
        "person": invitation.person,
        "meeting": meeting,
        "when": calendar.local_time_text(meeting, invitation.person.time_zone),
        "cancelled": cancelled,
        "updated": kind == INVITATION_UPDATED and not cancelled,
        "agenda": [item.title for item in meeting.agenda.all()],
        "replies": replies,
        "meeting_url": calendar.meeting_url(meeting),
        "invitation_url": absolute(reverse("meetings:my_invitation", args=[meeting.pk])),
        "addressed": getattr(user, "pk", None) is None,
        **_footer(user, kind),
    }
    ics = calendar.invitation_ics(meeting, invitation, method).decode()
    filename = "cancellation.ics" if cancelled else "invitation.ics"
    return kinds.Message(
        subject=subject,
        text=render_to_string("meetings/calendar/email/invitation.txt", context),
        html=render_to_string("meetings/calendar/email/invitation.html", context),
        path=path,
        attachments=((filename, ics, f"text/calendar; method={method}"),),
    )


# --- Minutes ----------------------------------------------------------------------------------------------------


def render_minutes_circulated(meeting: Meeting, user: Any) -> kinds.Message:
    """What the minutes ask of the person now: their approval at the next meeting while circulated; once approved or
    back in draft, the message says so rather than what it said when it was queued."""
    values = {"title": meeting.title, "date": f"{meeting.local_start():%d %b %Y}"}
    following = (
        Meeting.objects.filter(series_id=meeting.series_id, starts_at__gt=meeting.starts_at)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("starts_at")
        .first()
        if meeting.series_id
        else None
    )
    if meeting.minutes_state == Meeting.MinutesState.APPROVED:
        text = _("The minutes of “%(title)s” of %(date)s have been approved.") % values
    elif meeting.minutes_state == Meeting.MinutesState.DRAFT:
        text = _("The minutes of “%(title)s” of %(date)s went back to draft; they will be circulated again.") % values
    elif following is not None:
        text = _(
            "The minutes of “%(title)s” of %(date)s are circulated. They are approved at “%(next)s” on "
            "%(next_date)s: read them and raise any correction before then."
        ) % {**values, "next": following.title, "next_date": f"{following.local_start():%d %b %Y}"}
    else:
        text = (
            _(
                "The minutes of “%(title)s” of %(date)s are circulated for approval: read them and raise any "
                "correction with the Support Unit."
            )
            % values
        )
    return kinds.Message(
        subject=_("Minutes to approve: %(title)s of %(date)s") % values,
        text=text,
        path=reverse("meetings:meeting", args=[meeting.pk]) + "#minutes",
    )


def minutes_readers(meeting: Meeting, *, by: Any) -> list[Any]:
    """Who approves circulated minutes: the accounts of those invited to the meeting or to the next of its series
    (the service leaves out whoever may not see the meeting); not the person who circulated them."""
    meetings = [meeting.pk]
    if meeting.series_id:
        following = (
            Meeting.objects.filter(series_id=meeting.series_id, starts_at__gt=meeting.starts_at)
            .exclude(state=Meeting.State.CANCELLED)
            .order_by("starts_at")
            .values_list("pk", flat=True)
            .first()
        )
        if following is not None:
            meetings.append(following)
    invited = Invitation.objects.filter(meeting_id__in=meetings, person__account__isnull=False).select_related(
        "person__account"
    )
    accounts = {invitation.person.account.pk: invitation.person.account for invitation in invited}
    return [account for pk, account in accounts.items() if pk != getattr(by, "pk", None)]
