"""What statements tell people (issue 19), through `coalition.notifications.service.notify` only; the kinds are
registered from StatementsConfig.ready().

- `statements.round_opened` (urgent): a text is frozen for sign-on; told to the focal points of the members asked.
- `statements.deadline_near` (urgent): the final reminder, at the lead time before the deadline, to the focal points
  of members that have not responded (`reminders.send_final_reminders`).
- `statements.round_decided` (urgent): the outcome, when the scheduler or a Chair's action decides a round; told to
  the focal points of the members asked and to whoever froze the text.

Each is about a round (`Freeze`, which is read with its statement), so a statement reclassified before the email goes
drops it. A member's focal point cannot switch off the first two: answering is what the position is for. Texts are
rendered for each reader when shown or sent, with the deadline in their own zone and in the host's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy
from coalition.directory.models import Organisation, Position
from coalition.directory.queries import today
from coalition.notifications import kinds, service
from coalition.notifications.kinds import Message
from coalition.statements.forms import MODE_EXPLAINED
from coalition.statements.models import Freeze, Response

ROUND_OPENED = "statements.round_opened"
DEADLINE_NEAR = "statements.deadline_near"
ROUND_DECIDED = "statements.round_decided"


def register() -> None:
    """Called from StatementsConfig.ready()."""
    kinds.register(
        kinds.Kind(
            key=ROUND_OPENED,
            label=gettext_lazy("A sign-on round opens"),
            description=gettext_lazy(
                "When a statement's text is frozen for the members to sign (or to object to under silence "
                "procedure), the focal points of the members asked are told, with the deadline."
            ),
            model=Freeze,
            render=render_round_opened,
            urgent=True,
            obligation=obligation,
        )
    )
    kinds.register(
        kinds.Kind(
            key=DEADLINE_NEAR,
            label=gettext_lazy("A sign-on deadline is near and your member has not responded"),
            description=gettext_lazy(
                "The one final reminder, about a day before the deadline, to the focal points of a member that "
                "has given no response on the text."
            ),
            model=Freeze,
            render=render_deadline_near,
            urgent=True,
            obligation=obligation,
        )
    )
    kinds.register(
        kinds.Kind(
            key=ROUND_DECIDED,
            label=gettext_lazy("A sign-on round is decided"),
            description=gettext_lazy(
                "The outcome of a round at its deadline (adopted, closed with its signatories, silence broken, not "
                "adopted), told to the focal points of the members asked and to whoever froze the text."
            ),
            model=Freeze,
            render=render_round_decided,
            urgent=True,
        )
    )


def obligation(user: Any) -> str | None:
    """A member's focal point answers its sign-on rounds: they cannot switch off being asked and reminded."""
    if policy.actor_for(user).focal_point_for:
        return _("you are your member's focal point, and only a focal point answers a sign-on round for it")
    return None


# --- Who is told ----------------------------------------------------------------------------------------------------


def focal_points(member: Organisation) -> list[Any]:
    """The accounts of the member's focal points today that may commit it (`statements.sign`), in name order."""
    positions = Position.objects.filter(
        Position.current_q(today()), kind=Position.Kind.FOCAL_POINT, organisation=member
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True, person__positions__in=positions)
        .distinct()
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    return [user for user in users if policy.can(user, "statements.sign", member)]


def _tell_members(kind: str, freeze: Freeze, members: Iterable[Organisation], reason: str, key: str = "") -> int:
    """Notify each member's focal points, the reason naming the member; returns how many notifications were written."""
    written = 0
    for member in members:
        written += len(
            service.notify(
                kind=kind,
                subject=freeze,
                recipients=focal_points(member),
                reason=reason % {"member": member.name},
                key=key,
            )
        )
    return written


def round_opened(freeze: Freeze, members: Iterable[Organisation]) -> int:
    """Tell the focal points of the members asked (`services.expected_members`) that the round is open."""
    return _tell_members(
        ROUND_OPENED, freeze, members, _("You are a focal point of %(member)s, one of the members asked to respond.")
    )


def deadline_near(freeze: Freeze, member: Organisation) -> int:
    """The final reminder to one silent member's focal points (once per round and member: the key)."""
    return _tell_members(
        DEADLINE_NEAR,
        freeze,
        [member],
        _("You are a focal point of %(member)s, which has not yet responded to this text."),
        key=f"member:{member.pk}",
    )


def round_decided(freeze: Freeze, members: Iterable[Organisation]) -> int:
    """Tell the focal points of the members asked, and whoever froze the text, the round's outcome."""
    written = _tell_members(
        ROUND_DECIDED, freeze, members, _("You are a focal point of %(member)s, one of the members asked to respond.")
    )
    written += len(
        service.notify(
            kind=ROUND_DECIDED, subject=freeze, recipients=[freeze.frozen_by], reason=_("You froze this text.")
        )
    )
    return written


# --- What they read -------------------------------------------------------------------------------------------------


def deadline_text(freeze: Freeze, zone: str) -> str:
    """The deadline in the reader's zone, and in the host's zone when that differs."""
    zone = zone or "UTC"
    local = date_format(freeze.deadline.astimezone(ZoneInfo(zone)), "j M Y, H:i")
    text = f"{local} ({zone})"
    if freeze.deadline_time_zone != zone:
        host = date_format(freeze.deadline.astimezone(ZoneInfo(freeze.deadline_time_zone)), "j M Y, H:i")
        text += f" = {host} ({freeze.deadline_time_zone})"
    return text


def _respond_path(freeze: Freeze) -> str:
    return reverse("statements:statement", args=[freeze.statement.slug]) + "#respond"


def _mode(freeze: Freeze) -> str:
    return _("silence procedure") if freeze.mode == Freeze.Mode.SILENCE else _("sign-on")


def _since(freeze: Freeze) -> str:
    """A line for a round no longer open when the notification is read (decided or superseded since)."""
    if freeze.superseded_at is not None and freeze.outcome == Freeze.Outcome.SUPERSEDED:
        return _("This text has since been superseded by a new one: respond to the current text.")
    if freeze.outcome != Freeze.Outcome.OPEN:
        return _("This round has since been decided: %(outcome)s.") % {"outcome": freeze.get_outcome_display()}
    return ""


def render_round_opened(freeze: Freeze, user: Any) -> Message:
    title, zone = freeze.statement.title, user.time_zone
    text = [
        _("“%(title)s” (text %(n)d) is frozen for the members to respond, by %(mode)s.")
        % {"title": title, "n": freeze.number, "mode": _mode(freeze)},
        _("Deadline: %(deadline)s") % {"deadline": deadline_text(freeze, zone)},
        str(MODE_EXPLAINED.get(freeze.mode, "")),
        _(
            "Only a focal point of the member responds on its behalf: sign (with a reservation if need be), or object "
            "with a reason."
        ),
        _since(freeze),
    ]
    return Message(
        subject=_("Sign-on round opened: “%(title)s”, by %(deadline)s")
        % {"title": title, "deadline": _local(freeze, zone)},
        text="\n\n".join(line for line in text if line),
        path=_respond_path(freeze),
    )


def _local(freeze: Freeze, zone: str) -> str:
    zone = zone or "UTC"
    return f"{date_format(freeze.deadline.astimezone(ZoneInfo(zone)), 'j M Y, H:i')} ({zone})"


def _silent_members_of(freeze: Freeze, user: Any) -> list[str]:
    """The members `user` is a focal point of that have given no response on `freeze`, by name."""
    answered = freeze.responses.values("organisation_id")
    mine = Organisation.objects.filter(pk__in=policy.actor_for(user).focal_point_for).exclude(pk__in=answered)
    return list(mine.order_by("name").values_list("name", flat=True))


def render_deadline_near(freeze: Freeze, user: Any) -> Message:
    zone = user.time_zone or "UTC"
    silent = _silent_members_of(freeze, user)
    context = {
        "member": ", ".join(silent),
        "statement": freeze.statement,
        "freeze": freeze,
        "person_tz": zone,
        "deadline_local": date_format(freeze.deadline.astimezone(ZoneInfo(zone)), "j M Y, H:i"),
        "deadline_host": ""
        if zone == freeze.deadline_time_zone
        else date_format(freeze.deadline.astimezone(ZoneInfo(freeze.deadline_time_zone)), "j M Y, H:i"),
        "mode_explained": MODE_EXPLAINED.get(freeze.mode, ""),
        "since": _since(freeze),
    }
    return Message(
        subject=_("Final reminder: respond to “%(title)s” by %(deadline)s")
        % {"title": freeze.statement.title, "deadline": deadline_text(freeze, zone)},
        text=render_to_string("statements/email/final_reminder.txt", context).strip(),
        path=_respond_path(freeze),
    )


OUTCOME_EXPLAINED: dict[str, Any] = {
    Freeze.Outcome.ADOPTED: gettext_lazy("No member objected by the deadline: the text is adopted."),
    Freeze.Outcome.SILENCE_BROKEN: gettext_lazy(
        "A member objected before the deadline: the silence is broken. The text may still be published as the "
        "statement of the members that signed it."
    ),
    Freeze.Outcome.CLOSED: gettext_lazy("The round closed with its signatories: the statement is theirs."),
    Freeze.Outcome.NOT_ADOPTED: gettext_lazy("No member signed by the deadline: the text is not adopted."),
    Freeze.Outcome.SUPERSEDED: gettext_lazy("The text was superseded by a new one before its deadline."),
}


def render_round_decided(freeze: Freeze, user: Any) -> Message:
    title = freeze.statement.title
    counts = {kind: 0 for kind in Response.Kind.values}
    for kind in freeze.responses.values_list("kind", flat=True):
        counts[kind] += 1
    text = [
        _("“%(title)s” (text %(n)d, %(mode)s): %(outcome)s.")
        % {"title": title, "n": freeze.number, "mode": _mode(freeze), "outcome": freeze.get_outcome_display()},
        str(OUTCOME_EXPLAINED.get(freeze.outcome, "")),
        _("Signed: %(signed)d. Objected: %(objected)d.")
        % {"signed": counts[Response.Kind.SIGNED], "objected": counts[Response.Kind.OBJECTED]},
    ]
    mine = dict(
        freeze.responses.filter(organisation_id__in=policy.actor_for(user).focal_point_for).values_list(
            "organisation__name", "kind"
        )
    )
    for name in Organisation.objects.filter(pk__in=policy.actor_for(user).focal_point_for).values_list(
        "name", flat=True
    ):
        given = mine.get(name)
        text.append(
            _("%(member)s: %(response)s.")
            % {"member": name, "response": Response.Kind(given).label if given else _("no response")}
        )
    return Message(
        subject=_("“%(title)s”: %(outcome)s") % {"title": title, "outcome": freeze.get_outcome_display()},
        text="\n\n".join(str(line) for line in text if line),
        path=reverse("statements:statement", args=[freeze.statement.slug]),
    )
