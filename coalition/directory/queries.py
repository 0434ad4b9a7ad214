"""Reads of the directory worth a name. Each one starts from the access policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from coalition.core import policy
from coalition.directory.models import Body, ChairTerm, Organisation, Participation, Person, Position


def today() -> dt.date:
    return timezone.localdate(timezone=dt.UTC)


def with_status_on(queryset: QuerySet[Organisation], on: dt.date) -> QuerySet[Organisation]:
    """Annotate `status` (the latest participation step on or before `on`) and `joined_on` (first time member)."""
    latest = Participation.objects.filter(organisation=OuterRef("pk"), effective_on__lte=on).order_by("-effective_on")
    first_member = Participation.objects.filter(
        organisation=OuterRef("pk"), status=Participation.Status.MEMBER
    ).order_by("effective_on")
    return queryset.annotate(
        status=Subquery(latest.values("status")[:1]),
        joined_on=Subquery(first_member.values("effective_on")[:1]),
        joined_precision=Subquery(first_member.values("precision")[:1]),
    )


def participants_on(
    user: Any, *, on: dt.date, statuses: tuple[str, ...] = (Participation.Status.MEMBER,)
) -> QuerySet[Organisation]:
    return (
        with_status_on(policy.visible_to(user, Organisation), on)
        .filter(status__in=statuses)  # type: ignore[misc]
        .select_related("country")
        .order_by("name")
    )


def statuses_on(organisation_ids: set[int], *, on: dt.date) -> dict[int, str | None]:
    """Each organisation's participation status on a date, in one query (for role derivation; public facts)."""
    rows = with_status_on(Organisation.objects.filter(pk__in=organisation_ids), on)
    return {org.pk: org.status for org in rows.only("pk")}  # type: ignore[attr-defined]


def status_of(organisation: Organisation, on: dt.date) -> str | None:
    step = organisation.participation.filter(effective_on__lte=on).order_by("-effective_on").first()
    return step.status if step else None


@dataclass(frozen=True)
class Troika:
    on: dt.date
    past: ChairTerm | None
    current: ChairTerm | None
    next: ChairTerm | None

    @property
    def next_chair_overdue(self) -> bool:
        """PoA 3A.1: the next chair should be identified by 31 March of the current chair's year."""
        if self.current is None or self.next is not None:
            return False
        return self.on >= dt.date(self.current.year, 3, 31)


def troika_on(on: dt.date) -> Troika:
    terms = {t.year: t for t in ChairTerm.objects.select_related("organisation__country")}
    current = next((t for t in terms.values() if t.starts_on <= on <= t.ends_on), None)
    year = current.year if current else on.year
    return Troika(on=on, past=terms.get(year - 1), current=current, next=terms.get(year + 1))


def current_positions(user: Any, *, on: dt.date) -> QuerySet[Position]:
    return (
        policy.visible_to(user, Position)
        .filter(Position.current_q(on))
        .select_related("person", "body", "organisation")
    )


def people_of(user: Any, organisation: Organisation, *, on: dt.date) -> QuerySet[Person]:
    positions = policy.visible_to(user, Position).filter(organisation=organisation).select_related("body")
    return (
        policy.visible_to(user, Person)
        .filter(positions__in=positions)
        .distinct()
        .select_related("affiliation")
        .prefetch_related(Prefetch("positions", queryset=positions.order_by("-starts_on"), to_attr="held"))
    )


@dataclass
class CoverageCell:
    pocs: list[Position] = field(default_factory=list)
    ending_soon: bool = False

    @property
    def gap(self) -> bool:
        return not self.pocs


@dataclass
class CoverageMatrix:
    networks: list[Body]
    rows: list[tuple[Organisation, list[CoverageCell]]]

    @property
    def gaps(self) -> int:
        return sum(cell.gap for _, cells in self.rows for cell in cells)

    @property
    def ending_soon(self) -> int:
        return sum(cell.ending_soon for _, cells in self.rows for cell in cells)


ENDING_SOON_DAYS = 60


def poc_coverage(user: Any, *, on: dt.date) -> CoverageMatrix:
    """PoA 1A.2: which member has a point of contact in which diplomatic network, gaps, and terms ending soon."""
    policy.require(user, "directory.view_coverage")
    networks = list(policy.visible_to(user, Body).filter(kind=Body.Kind.DIPLOMATIC_NETWORK).order_by("name"))
    members = list(participants_on(user, on=on))
    pocs = (
        current_positions(user, on=on)
        .filter(kind=Position.Kind.NETWORK_POC, body__in=networks, organisation__in=members)
        .order_by("person__full_name")
    )
    cells: dict[tuple[int, int], CoverageCell] = {}
    horizon = on + dt.timedelta(days=ENDING_SOON_DAYS)
    for position in pocs:
        assert position.body_id is not None and position.organisation_id is not None
        cells.setdefault((position.organisation_id, position.body_id), CoverageCell()).pocs.append(position)
    for cell in cells.values():
        # A cell is at risk when every current POC's term ends within the horizon.
        cell.ending_soon = all(p.ends_on is not None and p.ends_on <= horizon for p in cell.pocs)
    rows = [(member, [cells.get((member.pk, n.pk), CoverageCell()) for n in networks]) for member in members]
    return CoverageMatrix(networks=networks, rows=rows)


@dataclass(frozen=True)
class OrganisationPowers:
    """What the viewer of an organisation's page may do there (the policy's answers, asked once)."""

    manage: bool  # record participation steps; propose positions
    consent: bool  # confirm or decline positions proposed on the organisation's behalf

    @property
    def appoint(self) -> bool:
        """Propose (the Support Unit) or appoint (the organisation's own focal points) a position."""
        return self.manage or self.consent

    @classmethod
    def of(cls, user: Any, organisation: Organisation) -> OrganisationPowers:
        manage = policy.can(user, "directory.manage")
        return cls(manage=manage, consent=policy.can(user, "directory.consent", organisation))
