"""The directory's notification: a change to who holds a position on a government's behalf, told to that
government's focal points (`directory.position_consent`, registered from DirectoryConfig.ready()). A position proposed
by someone else starts only when one of them confirms it, so a focal point cannot switch it off."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy
from coalition.directory.models import Person, Position
from coalition.directory.queries import today
from coalition.notifications import kinds, service

POSITION_CONSENT = "directory.position_consent"


def render(position: Position, user: Any) -> kinds.Message:
    """The position as it stands when the email is sent or the notification shown (what changed is the reason)."""
    member = position.organisation
    name = policy.name_if_visible(user, position.person) or _("Someone")
    held = position.title or position.get_kind_display()
    if position.consent == Position.Consent.AWAITED:
        subject = _("Your consent is asked: a position on behalf of %(member)s") % {"member": member}
    else:
        subject = _("A position on behalf of %(member)s") % {"member": member}
    where = _(" in %(body)s") % {"body": position.body} if position.body else ""
    term = (
        _("from %(start)s to %(end)s") % {"start": position.starts_on, "end": position.ends_on}
        if position.ends_on
        else _("from %(start)s") % {"start": position.starts_on}
    )
    text = _("%(name)s: %(held)s%(where)s, on behalf of %(member)s, %(term)s. Consent: %(consent)s.") % {
        "name": name,
        "held": held,
        "where": where,
        "member": member,
        "term": term,
        "consent": position.get_consent_display(),
    }
    text += "\n\n" + _("If your government did not agree to this, tell the Support Unit through a channel you trust.")
    path = reverse("directory:organisation", args=[position.organisation_id]) + "#positions"
    return kinds.Message(subject=subject, text=text, path=path)


def _obliged(user: Any) -> str | None:
    if policy.actor_for(user).has(policy.Role.FOCAL_POINT):
        return _("as a focal point you answer for your government whether a position is held on its behalf")
    return None


def register() -> None:
    kinds.register(
        kinds.Kind(
            key=POSITION_CONSENT,
            label=gettext_lazy("A position on behalf of your government"),
            description=gettext_lazy(
                "Sent to a government's focal points when a position on its behalf is proposed (it starts only when "
                "one of them confirms it), confirmed, declined or ended."
            ),
            model=Position,
            render=render,
            urgent=True,
            obligation=_obliged,
        )
    )


def focal_points(member: Any) -> QuerySet[Any]:
    """The accounts of the member's current focal points (only their confirmed positions count)."""
    people = Person.objects.filter(
        positions__in=Position.objects.filter(
            Position.current_q(today()), kind=Position.Kind.FOCAL_POINT, organisation=member
        )
    )
    return get_user_model()._default_manager.filter(person__in=people, is_active=True)


def tell_member(position: Position, change: str, key: str) -> int:
    """Tell the focal points of the government `position` is held for what `change` happened to it, in the
    caller's transaction (the emails go after the commit). Returns how many were told."""
    told = service.notify(
        kind=POSITION_CONSENT,
        subject=position,
        recipients=focal_points(position.organisation),
        reason=change,
        key=key,
    )
    return len(told)
