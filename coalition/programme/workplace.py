"""The programme's sections of the home page (`coalition.core.workplace`): the unfinished activities a person
answers for (whom the weekly digest would tell: `queries.led_by`), quiet ones first, and the programme at a glance
on the public home."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.programme import queries
from coalition.programme.models import UNFINISHED, Activity, Programme, Status


def register() -> None:
    """Called from ProgrammeConfig.ready()."""
    workplace.register_section(
        "programme.activities",
        gettext_lazy("Programme activities you lead"),
        gettext_lazy(
            "Unfinished activities of the running Program of Action that your body or member leads will appear "
            "here, those without a recent update first."
        ),
        activities_led,
        order=50,
    )
    workplace.register_section(
        "programme.glance",
        gettext_lazy("The Program of Action at a glance"),
        gettext_lazy("The goals of the coalition's Program of Action will appear here once it is published."),
        at_a_glance,
        scope=workplace.PUBLIC,
        order=30,
    )


def activities_led(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item] | workplace.Listing:
    """Unfinished activities of a running programme that the person answers for and may see, the longest quiet
    first (never updated before any other), each with when the viewer last saw it updated (the home reads the
    first few and the count)."""
    if actor.person_id is None:
        return []
    on = now.date()
    updates = queries.visible_updates(user).filter(activity=OuterRef("pk"))
    rows = (
        policy.visible_to(user, Activity)
        .filter(
            queries.led_by(actor.person_id, on=on),
            status__in=UNFINISHED,
            objective__goal__programme__starts_on__lte=on,
            objective__goal__programme__ends_on__gte=on,
        )
        .select_related(None)
        .only("pk", "code", "title", "status")
        .annotate(
            last_update_on=Subquery(updates.order_by("-reported_on").values("reported_on")[:1]),
            year=F("objective__goal__programme__year"),
        )
        .order_by(F("last_update_on").asc(nulls_first=True), "code", "pk")
    )

    def items(activities: list[Activity]) -> list[Item]:
        stale = queries.stale_after_days()
        found = []
        for activity in activities:
            last = activity.last_update_on  # type: ignore[attr-defined]
            if last is None:
                detail = _("No update yet.")
            else:
                days = (on - last).days
                detail = ngettext("Last update %(n)d day ago.", "Last update %(n)d days ago.", days) % {"n": days}
                if days >= stale:
                    detail += " " + _("Quiet: the weekly digest reminds you of it.")
            found.append(
                Item(
                    text=f"{activity.code} {activity.title[:160]} ({activity.get_status_display()})",
                    path=reverse("programme:activity", args=[activity.year, activity.code]),  # type: ignore[attr-defined]
                    detail=detail,
                    subject=activity,
                )
            )
        return found

    return workplace.Listing(rows=rows, items=items)


def _current(user: Any, on: dt.date) -> Programme | None:
    visible = policy.visible_to(user, Programme)
    running = visible.filter(starts_on__lte=on, ends_on__gte=on).order_by("-year").first()
    return running or visible.filter(starts_on__lte=on).order_by("-year").first()


def at_a_glance(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The running (else the latest) programme the viewer may read: each goal with how many of its activities the
    viewer may see, and how many of those are done."""
    programme = _current(user, now.date())
    if programme is None:
        return []
    goals = (
        policy.visible_to(user, Activity)
        .filter(objective__goal__programme=programme)
        .values("objective__goal__number", "objective__goal__title")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Status.DONE)))
        .order_by("objective__goal__number")
    )
    path = reverse("programme:tree", args=[programme.year])
    return [
        Item(
            text=_("%(programme)s — goal %(n)d: %(title)s")
            % {
                "programme": programme.title,
                "n": goal["objective__goal__number"],
                "title": goal["objective__goal__title"],
            },
            path=path,
            detail=ngettext(
                "%(done)d of %(total)d activity done.", "%(done)d of %(total)d activities done.", goal["total"]
            )
            % {"done": goal["done"], "total": goal["total"]},
            subject=programme,
        )
        for goal in goals
    ]
