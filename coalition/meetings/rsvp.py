"""One-click replies to an invitation: a signed link naming the invitation, the version of the meeting it was sent
for and the reply it offers. Each link is made for its invitation's own person (the invitation email is rendered
for them alone) and the reply page checks that whoever follows it is that person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from coalition.core.errors import InvalidInput
from coalition.meetings.models import Invitation

RSVP_SALT = "coalition.meetings.rsvp"
RSVP_MAX_AGE = dt.timedelta(days=60)


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
