"""The directory's sections of the coalition-wide queue on the home page (`coalition.core.workplace`, shown to the
Support Unit and the Chair): members with no focal point in force today, and members missing a point of contact in a
diplomatic network (PoA 1A.2). Each item links to the member's positions, where a position is proposed or
appointed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.directory import queries
from coalition.directory.models import Body, Organisation, Position


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


def members_without_focal_point(user: Any, actor: policy.Actor, now: dt.datetime) -> workplace.Listing:
    """Each member government (as the viewer reads the members) without a focal point position in force today that
    the viewer may see, those with none proposed first; a focal point proposed and awaiting the member's
    confirmation is said (the home reads the first few and the count)."""
    on = _day(now)
    focal_points = policy.visible_to(user, Position).filter(kind=Position.Kind.FOCAL_POINT, organisation=OuterRef("pk"))
    members = (
        queries.participants_on(user, on=on)
        .annotate(
            has_focal_point=Exists(focal_points.filter(Position.current_q(on))),
            awaiting=Exists(focal_points.filter(consent=Position.Consent.AWAITED)),
        )
        .filter(has_focal_point=False)
        .only("pk", "name", "country__name")
        .order_by("awaiting", "name", "pk")
    )

    def items(rows: list[Organisation]) -> list[Item]:
        text, awaiting = (
            _("%(member)s has no focal point"),
            _("A focal point is proposed and awaits the member's confirmation."),
        )
        page = _positions_pages()
        return [
            Item(
                text=text % {"member": _name(member)},
                path=page(member),
                detail=awaiting if member.awaiting else "",  # type: ignore[attr-defined]
                subject=member,
            )
            for member in rows
        ]

    return workplace.Listing(rows=members, items=items)


def poc_vacancies(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item] | workplace.Listing:
    """Each member with a gap in the point-of-contact coverage (the networks page's matrix, as the viewer may read
    it): a network where it has no point of contact, or where every contact's term ends soon. The members are found
    in the database (a network is covered when a contact there stays beyond the horizon), the fewest networks
    covered first; only the members shown have their networks read. Every one is on the networks page's matrix."""
    if not policy.can(user, "directory.view_coverage"):
        return []
    on = _day(now)
    horizon = on + dt.timedelta(days=queries.ENDING_SOON_DAYS)
    networks = list(
        policy.visible_to(user, Body)
        .filter(kind=Body.Kind.DIPLOMATIC_NETWORK)
        .only("pk", "name", "city")
        .order_by("name")
    )
    pocs = (
        policy.visible_to(user, Position)
        .filter(Position.current_q(on), kind=Position.Kind.NETWORK_POC, body__in=networks)
        .select_related(None)
    )
    staying = (
        pocs.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=horizon), organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("body", distinct=True))
        .values("n")
    )
    members = (
        queries.participants_on(user, on=on)
        .annotate(covered=Coalesce(Subquery(staying, output_field=IntegerField()), 0))
        .filter(covered__lt=len(networks))
        .only("pk", "name", "country__name")
        .order_by("covered", "name", "pk")
    )
    # Said once, filled in per member (issue 20, page cost).
    no_contact = _("%(member)s has no point of contact in %(networks)s")
    leaving = _("%(member)s: points of contact leaving soon")
    every_term = _("Every term ends within %(days)d days in %(networks)s.")
    page = _positions_pages()

    def items(rows: list[Organisation]) -> list[Item]:
        ends: dict[tuple[int, int], list[dt.date | None]] = {}
        for organisation_id, body_id, ends_on in pocs.filter(organisation__in=rows).values_list(
            "organisation_id", "body_id", "ends_on"
        ):
            ends.setdefault((organisation_id, body_id), []).append(ends_on)
        found = []
        for member in rows:
            cells = [(network, ends.get((member.pk, network.pk), [])) for network in networks]
            gaps = [network for network, terms in cells if not terms]
            ending = [n for n, terms in cells if terms and all(e is not None and e <= horizon for e in terms)]
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
            found.append(Item(text=text, path=page(member), detail=detail, subject=member))
        return found

    return workplace.Listing(rows=members, items=items, see_all=reverse("directory:networks") + "#coverage")
