"""The directory's sections of the coalition-wide queue on the home page (`coalition.core.workplace`, shown to the
Support Unit and the Chair): members with no focal point in force today, and members missing a point of contact in a
diplomatic network (PoA 1A.2). Each item links to the member's positions, where a position is proposed or
appointed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.directory import queries
from coalition.directory.models import Organisation, Position


def register() -> None:
    """Called from DirectoryConfig.ready()."""
    workplace.register_section(
        "directory.no_focal_point",
        gettext_lazy("Members with no focal point"),
        gettext_lazy("Members with no focal point in force today will appear here."),
        members_without_focal_point,
        scope=workplace.COALITION,
        order=20,
    )
    workplace.register_section(
        "directory.poc_vacancies",
        gettext_lazy("Network point-of-contact vacancies"),
        format_lazy(
            gettext_lazy(
                "Members with no point of contact in a diplomatic network, or whose every contact's term there ends "
                "within {days} days, will appear here."
            ),
            days=queries.ENDING_SOON_DAYS,
        ),
        poc_vacancies,
        scope=workplace.COALITION,
        order=30,
    )


def _positions_pages() -> Callable[[Organisation], str]:
    """Each member's positions (its page, at the positions): the address reversed once, not once per member, which
    the Support Unit's queue has hundreds of (issue 20, page cost)."""
    marker = 987654321
    before, after = reverse("directory:organisation", args=[marker]).split(str(marker))
    return lambda member: f"{before}{member.pk}{after}#positions"


def _day(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone=dt.UTC)  # the directory's day, as queries.today()


def _name(member: Organisation) -> str:
    return member.country.name if member.country else member.name


def members_without_focal_point(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Each member government (as the viewer reads the members) without a focal point position in force today that
    the viewer may see; a focal point proposed and awaiting the member's confirmation is said (one query)."""
    on = _day(now)
    focal_points = policy.visible_to(user, Position).filter(kind=Position.Kind.FOCAL_POINT, organisation=OuterRef("pk"))
    members = (
        queries.participants_on(user, on=on)
        .annotate(
            has_focal_point=Exists(focal_points.filter(Position.current_q(on))),
            awaiting=Exists(focal_points.filter(consent=Position.Consent.AWAITED)),
        )
        .filter(has_focal_point=False)
    )
    text, awaiting = (
        _("%(member)s has no focal point"),
        _("A focal point is proposed and awaits the member's confirmation."),
    )
    page = _positions_pages()
    return [
        Item(
            text=text % {"member": _name(member)},
            path=page(member),
            detail=awaiting if member.awaiting else "",
            subject=member,
        )
        for member in members
    ]


def poc_vacancies(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Each member with a gap in the point-of-contact coverage (the networks page's matrix, as the viewer may read
    it): the networks where it has no point of contact, and those where every contact's term ends soon (three
    queries, whatever the number of members and networks)."""
    if not policy.can(user, "directory.view_coverage"):
        return []
    matrix = queries.poc_coverage(user, on=_day(now), with_people=False)
    # Said once, filled in per member: the queue names hundreds of members (issue 20, page cost).
    no_contact = _("%(member)s has no point of contact in %(networks)s")
    leaving = _("%(member)s: points of contact leaving soon")
    every_term = _("Every term ends within %(days)d days in %(networks)s.")
    page = _positions_pages()
    items = []
    for member, cells in matrix.rows:
        gaps = [network for network, cell in zip(matrix.networks, cells, strict=True) if cell.gap]
        ending = [network for network, cell in zip(matrix.networks, cells, strict=True) if cell.ending_soon]
        if not gaps and not ending:
            continue
        text = (
            no_contact % {"member": _name(member), "networks": ", ".join(n.city or n.name for n in gaps)}
            if gaps
            else leaving % {"member": _name(member)}
        )
        detail = (
            every_term % {"days": queries.ENDING_SOON_DAYS, "networks": ", ".join(n.city or n.name for n in ending)}
            if ending
            else ""
        )
        items.append(Item(text=text, path=page(member), detail=detail, subject=member))
    return items
