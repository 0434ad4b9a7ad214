"""Reads of the directory worth a name. Each one starts from the access policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
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


def members_directory(
    user: Any,
    *,
    on: dt.date,
    statuses: tuple[str, ...],
    region: str = "",
    development: str = "",
    joined: int | None = None,
) -> QuerySet[Organisation]:
    """The members directory's table: `participants_on`, narrowed by its filters (the country's region and
    North/South group, the year first joined), reading only the columns the table shows (at the load test's scale
    ~800 rows of a dozen columns each, two thirds of them never shown)."""
    rows = participants_on(user, on=on, statuses=statuses)
    if region:
        rows = rows.filter(country__region=region)
    if development:
        rows = rows.filter(country__development=development)
    if joined:
        rows = rows.filter(joined_on__year=joined)  # type: ignore[misc]
    return rows.only("name", "country__name", "country__region", "country__sub_region", "country__development")


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


@dataclass(frozen=True)
class PeopleFilters:
    """What the people directory is narrowed to: each filter set must hold of one and the same current position
    (Estonia's network points of contact in Geneva: one position on Estonia's behalf, in Geneva, as point of
    contact). The records given are ones the viewer may see (the filter form offers only those)."""

    member: Organisation | None = None  # on whose behalf the position is held
    body: Body | None = None
    network: Body | None = None  # a diplomatic network (a body of that kind)
    kind: str = ""  # Position.Kind: the role the position gives

    def q(self) -> Q:
        condition = Q()
        if self.member is not None:
            condition &= Q(organisation=self.member)
        if self.body is not None:
            condition &= Q(body=self.body)
        if self.network is not None:
            condition &= Q(body=self.network)
        if self.kind:
            condition &= Q(kind=self.kind)
        return condition


def readable_positions(user: Any, *, on: dt.date) -> QuerySet[Position]:
    """The positions in force on a date that `user` may read, held in a body and for an organisation they may read
    too (a position never names a body or organisation its reader could not see)."""
    return (
        policy.visible_to(user, Position)
        .filter(Position.current_q(on))
        .filter(Q(body__isnull=True) | Q(body__in=policy.visible_to(user, Body).values("pk")))
        .filter(Q(organisation__isnull=True) | Q(organisation__in=policy.visible_to(user, Organisation).values("pk")))
    )


def people_for(user: Any, filters: PeopleFilters | None = None, *, on: dt.date | None = None) -> QuerySet[Person]:
    """The people directory as `user` may read it: the people they may see who hold a position in force today that
    they may see (matching `filters`), by name. Each person carries `current` (those positions, with their body and
    organisation) and `affiliation_visible` (whether the reader may see the person's affiliation). Contact details
    are not decided here: ask `policy.can(user, "directory.view_contact", person)` per person.

    The readable set of the platform search's "people" kind is `people_for(user)`."""
    on = on or today()
    positions = readable_positions(user, on=on)
    return _with_positions(user, _matching_people(user, positions, filters), positions)


def people_page(user: Any, people: QuerySet[Person], *, on: dt.date, number: Any, per_page: int) -> Page[Any]:
    """Page `number` of `people` (a `people_for` list) in two reads of the policy's subqueries rather than three: the
    people's ids by name (their count is the list's length: no COUNT query compiling the same subqueries again,
    issue 20), then the page's people by id, with what `people_for` gives each one."""
    ids: list[int] = list(people.prefetch_related(None).values_list("pk", flat=True))
    page: Page[Any] = Paginator(ids, per_page).get_page(number)
    chosen = policy.visible_to(user, Person).filter(pk__in=page.object_list)
    page.object_list = list(_with_positions(user, chosen, readable_positions(user, on=on)))
    return page


def _matching_people(user: Any, positions: QuerySet[Position], filters: PeopleFilters | None) -> QuerySet[Person]:
    matching = positions.filter((filters or PeopleFilters()).q())
    return policy.visible_to(user, Person).filter(pk__in=matching.values("person_id")).order_by("full_name", "pk")


def _with_positions(user: Any, people: QuerySet[Person], positions: QuerySet[Position]) -> QuerySet[Person]:
    return (
        people.select_related("affiliation")
        .annotate(
            affiliation_visible=Exists(policy.visible_to(user, Organisation).filter(pk=OuterRef("affiliation_id")))
        )
        .prefetch_related(
            Prefetch(
                "positions",
                queryset=positions.select_related("body", "organisation").order_by("starts_on", "pk"),
                to_attr="current",
            )
        )
        .order_by("full_name", "pk")
    )


def people_filter_choices(user: Any) -> dict[str, QuerySet[Any]]:
    """What the people directory's filters offer `user`: the organisations and bodies they may see, the diplomatic
    networks apart."""
    bodies = policy.visible_to(user, Body).order_by("name")
    return {
        "members": policy.visible_to(user, Organisation).order_by("name"),
        "bodies": bodies.exclude(kind=Body.Kind.DIPLOMATIC_NETWORK),
        "networks": bodies.filter(kind=Body.Kind.DIPLOMATIC_NETWORK),
    }


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


def poc_coverage(user: Any, *, on: dt.date, with_people: bool = True) -> CoverageMatrix:
    """PoA 1A.2: which member has a point of contact in which diplomatic network, gaps, and terms ending soon.

    `with_people=False` (the home's queue, which names no one) reads each point of contact's position alone: not its
    person, whose contact details would be decrypted for nothing."""
    policy.require(user, "directory.view_coverage")
    networks = list(policy.visible_to(user, Body).filter(kind=Body.Kind.DIPLOMATIC_NETWORK).order_by("name"))
    members = list(participants_on(user, on=on))
    pocs = current_positions(user, on=on).filter(
        kind=Position.Kind.NETWORK_POC, body__in=networks, organisation__in=members
    )
    if with_people:
        pocs = pocs.order_by("person__full_name")
    else:
        pocs = pocs.select_related(None).only("pk", "organisation_id", "body_id", "ends_on").order_by("pk")
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
