"""What rapid response tells people (issue 19), through `coalition.notifications.service.notify` only; the kinds are
registered from ResponseConfig.ready(). All three are urgent: emailed at once unless the person chose the digest.

- `response.alert_raised`: `services.raise_alerts` raised a new alert. Alerts are members-only: told to the focal
  points of every member government (who open a situation from it) and to the Support Unit and the Chair (who review,
  open or dismiss it). The email links to the alert's page, or to its situation's once one is opened.
- `response.pledge_requested`: a situation is opened, and every member government is asked what it can pledge (the
  notion of the home page's "situations awaiting your member's pledge", `workplace.situations_to_pledge`): told to
  the focal points of the member governments; the link goes to the situation's pledge form.
- `response.situation_opened`: the same opening, told to everyone else it concerns: the members' officials, the
  Support Unit and the Chair, but not whoever opened it. A focal point already told by the pledge request is not
  told twice (unless they switched pledge requests off).

Recipients are proposed widely and the service keeps only those who may see the record (a restricted situation
reaches its audience alone); it checks again when the email goes, so a record reclassified since is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy
from coalition.directory.models import Body, Organisation, Participation, Position
from coalition.directory.queries import today, with_status_on
from coalition.notifications import kinds, service
from coalition.notifications.kinds import Message
from coalition.response.models import Alert, Pledge, Situation

ALERT_RAISED = "response.alert_raised"
SITUATION_OPENED = "response.situation_opened"
PLEDGE_REQUESTED = "response.pledge_requested"


def register() -> None:
    """Called from ResponseConfig.ready()."""
    kinds.register(
        kinds.Kind(
            key=ALERT_RAISED,
            label=gettext_lazy("An alert is raised"),
            description=gettext_lazy(
                "When signals from monitoring sources agree on a shutdown or a block, the member governments' focal "
                "points, the Support Unit and the Chair are told: any of them may open a situation from it."
            ),
            model=Alert,
            render=render_alert_raised,
            urgent=True,
        )
    )
    kinds.register(
        kinds.Kind(
            key=SITUATION_OPENED,
            label=gettext_lazy("A situation is opened"),
            description=gettext_lazy(
                "When the coalition opens a rapid-response situation, the people of the member governments, the "
                "Support Unit and the Chair are told (focal points get the pledge request instead)."
            ),
            model=Situation,
            render=render_situation_opened,
            urgent=True,
        )
    )
    kinds.register(
        kinds.Kind(
            key=PLEDGE_REQUESTED,
            label=gettext_lazy("A pledge is asked of your member"),
            description=gettext_lazy(
                "When a situation is opened, every member government is asked what it can pledge: its focal points "
                "are told, with a link to the pledge form."
            ),
            model=Situation,
            render=render_pledge_requested,
            urgent=True,
        )
    )


# --- Who is told ----------------------------------------------------------------------------------------------------


def _accounts(positions: QuerySet[Position]) -> list[Any]:
    """The active accounts of the people holding `positions`."""
    users = get_user_model().objects.filter(is_active=True, person__positions__in=positions)
    return list(users.distinct().select_related("person").order_by("pk"))


def _at_members(*kinds_of_position: str) -> QuerySet[Position]:
    """Positions of these kinds in force today on behalf of a government that is a member today."""
    on = today()
    members = (
        with_status_on(Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT), on)
        .filter(status=Participation.Status.MEMBER)  # type: ignore[misc]
        .values("pk")
    )
    return Position.objects.filter(Position.current_q(on), kind__in=kinds_of_position, organisation__in=members)


def _staff() -> QuerySet[Position]:
    """Positions in force today in the Support Unit or the Chair."""
    return Position.objects.filter(
        Position.current_q(today()), body__kind__in=[Body.Kind.SUPPORT_UNIT, Body.Kind.CHAIR]
    )


def member_focal_points() -> list[Any]:
    return _accounts(_at_members(Position.Kind.FOCAL_POINT))


def alerts_raised(alerts: Iterable[Alert]) -> int:
    """Tell who acts on new alerts; returns how many notifications were written."""
    alerts = list(alerts)
    if not alerts:
        return 0
    people = _accounts(_at_members(Position.Kind.FOCAL_POINT) | _staff())
    reason = _(
        "Alerts go to the focal points of every member government, to the Support Unit and to the Chair: any of "
        "them may open a situation from an alert, and the Support Unit and the Chair may dismiss one."
    )
    return sum(len(service.notify(kind=ALERT_RAISED, subject=a, recipients=people, reason=reason)) for a in alerts)


def situation_opened(situation: Situation) -> int:
    """Ask the members' focal points for a pledge, and tell everyone else concerned that the situation is open;
    returns how many notifications were written."""
    asked = service.notify(
        kind=PLEDGE_REQUESTED,
        subject=situation,
        recipients=member_focal_points(),
        reason=_("You are a focal point of a member government, and every member is asked what it can pledge."),
    )
    told = {notification.recipient_id for notification in asked} | {situation.opened_by_id}  # the opener knows
    others = _accounts(_at_members(Position.Kind.FOCAL_POINT, Position.Kind.OFFICIAL) | _staff())
    opened = service.notify(
        kind=SITUATION_OPENED,
        subject=situation,
        recipients=[user for user in others if user.pk not in told],
        reason=_("Situations are for the member governments to act on, with the Support Unit and the Chair."),
    )
    return len(asked) + len(opened)


# --- What they read -------------------------------------------------------------------------------------------------


def _when(moment: Any, user: Any, *, whole_day: bool = False) -> str:
    """A moment in the reader's zone (a source's whole day as its UTC day)."""
    if whole_day:
        return date_format(moment.astimezone(ZoneInfo("UTC")), "j M Y")
    zone = user.time_zone or "UTC"
    return f"{date_format(moment.astimezone(ZoneInfo(zone)), 'j M Y, H:i')} ({zone})"


def _situation_path(situation: Situation) -> str:
    return reverse("response:situation", args=[situation.pk])


def render_alert_raised(alert: Alert, user: Any) -> Message:
    country = alert.country.name
    text = [
        _("%(sources)s agree on a network disruption in %(country)s since %(since)s.")
        % {
            "sources": alert.get_sources_display(),
            "country": country,
            "since": _when(alert.first_signal_at, user, whole_day=alert.first_signal_whole_day),
        }
    ]
    if alert.single_source:
        text.append(_("One source alone raised it: check it before anyone acts on it."))
    path = reverse("response:alert", args=[alert.pk])
    situation = Situation.objects.filter(alert=alert).first()
    if situation is not None and policy.is_visible(user, situation):
        text.append(_("A situation has since been opened: %(title)s.") % {"title": situation.title})
        path = _situation_path(situation)
    elif alert.status == Alert.Status.DISMISSED:
        text.append(_("It has since been dismissed: %(reason)s") % {"reason": alert.dismissed_reason})
    elif policy.can(user, "response.manage"):
        text.append(_("On its page, open a situation from it or dismiss it with a reason."))
    elif policy.can(user, "response.open_situation"):
        text.append(_("On its page, open a situation from it if the coalition should respond."))
    return Message(
        subject=_("Alert: network disruption in %(country)s") % {"country": country},
        text="\n\n".join(text),
        path=path,
    )


def _opened_lines(situation: Situation, user: Any) -> list[str]:
    text = [
        _("The coalition opened a rapid-response situation on %(country)s on %(day)s: %(title)s.")
        % {"country": situation.country.name, "day": _when(situation.opened_at, user), "title": situation.title}
    ]
    if situation.summary:
        text.append(situation.summary)
    if situation.status == Situation.Status.CLOSED:
        text.append(_("It has since been closed, with an after-action review."))
    return text


def render_situation_opened(situation: Situation, user: Any) -> Message:
    text = _opened_lines(situation, user)
    text.append(_("Its page has the brief, the playbook, the timeline and the members' pledges."))
    return Message(
        subject=_("Situation opened: %(title)s") % {"title": situation.title},
        text="\n\n".join(text),
        path=_situation_path(situation),
    )


def render_pledge_requested(situation: Situation, user: Any) -> Message:
    text = _opened_lines(situation, user)
    text.append(_("Every member is asked what it can pledge: an action from the toolkit, or a resource."))
    actor = policy.actor_for(user)
    mine = Organisation.objects.filter(pk__in=actor.acts_for, kind=Organisation.Kind.GOVERNMENT).order_by("name")
    pledged = set(
        Pledge.objects.filter(situation=situation, organisation__in=mine)
        .filter(~Q(status=Pledge.Status.WITHDRAWN))
        .values_list("organisation_id", flat=True)
    )
    for member in mine:
        if member.pk in pledged:
            text.append(_("%(member)s has pledged.") % {"member": member.name})
        else:
            text.append(_("No pledge yet from %(member)s.") % {"member": member.name})
    return Message(
        subject=_("A pledge is asked of your member: %(title)s") % {"title": situation.title},
        text="\n\n".join(text),
        path=_situation_path(situation) + "#pledge",
    )
