"""Reading rapid response: the brief of a situation, its metrics and the metrics over time. Everything shown passes
the access policy for the person reading (the brief is built when it is read, never stored, so it never shows more
than the reader may see today)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When

from coalition.core import policy
from coalition.core.policy import Role
from coalition.directory.models import Office, Organisation, Position
from coalition.directory.queries import participants_on, today
from coalition.response.models import CivilSocietyReport, Pledge, Signal, Situation
from coalition.statements.models import Statement


def situations(user: Any) -> QuerySet[Situation]:
    return policy.visible_to(user, Situation).select_related("country", "statement", "alert")


PAST_SHOWN = 10  # a brief's past situations in the country, most recent first


def with_past(rows: QuerySet[Situation], pk: int) -> tuple[Situation | None, list[Situation]]:
    """Situation `pk` of `rows` (the situations a reader may see) and the brief's past situations of its country, in
    one read: the situation room shows both. `(None, [])` when `pk` is not among `rows`."""
    first = Case(When(pk=pk, then=Value(0)), default=Value(1))
    found = list(
        rows.filter(Q(pk=pk) | Q(country__in=rows.filter(pk=pk).values("country"))).order_by(first, "-opened_at")[
            : PAST_SHOWN + 1
        ]
    )
    if not found or found[0].pk != pk:
        return None, []
    return found[0], found[1:]


def reports(user: Any, situation: Situation) -> QuerySet[CivilSocietyReport]:
    """Civil-society reports in a situation: restricted, so the Support Unit and each report's audience only."""
    return policy.visible_to(user, CivilSocietyReport).filter(situation=situation).select_related("submitted_by")


@dataclass
class Brief:
    embassies: list[Office] = field(default_factory=list)
    network_contacts: list[Position] = field(default_factory=list)
    statements: list[Any] = field(default_factory=list)
    past: list[Situation] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    funding_note: str = "Donor funding in the country will show here once members share it (donor coordination)."


# Donor coordination, which depends on this app, registers how to summarise the funding members share in a country
# (what the reader may see) — rapid response knows nothing of it.
_funding_note: Callable[[Any, Any], str] | None = None


def register_funding_note(summarise: Callable[[Any, Any], str]) -> None:
    global _funding_note
    _funding_note = summarise


def brief(user: Any, situation: Situation, past: list[Situation] | None = None) -> Brief:
    """Who is there (members' embassies and network contacts in the country), what the coalition said before about
    it, its past situations (`past` when the caller read them with the situation: `with_past`), and the country's
    recent and ongoing signals, whether an alert or a person opened it."""
    on = today()
    members = participants_on(user, on=on).values("pk")  # members today, not observers or former members
    embassies = list(
        policy.visible_to(user, Office)
        .filter(host_country=situation.country, organisation__in=members)
        .select_related("organisation")
        .order_by("organisation__name", "city")
    )
    present = {office.organisation_id for office in embassies}
    contacts = (
        policy.visible_to(user, Position)
        .filter(Position.current_q(on), kind=Position.Kind.NETWORK_POC, organisation_id__in=present)
        .select_related("person", "organisation", "body")
        .order_by("organisation__name")
    )
    statements = (
        policy.visible_to(user, Statement)
        .filter(about_country=situation.country)
        .select_related("document")
        .order_by("-created_at")[:10]
    )
    if past is None:
        others = situations(user).filter(country=situation.country).exclude(pk=situation.pk)
        past = list(others.order_by("-opened_at")[:PAST_SHOWN])
    signals = policy.visible_to(user, Signal).filter(_recent_or_ongoing(situation)).order_by("starts_at")[:50]
    found = Brief(embassies, list(contacts), list(statements), past, list(signals))
    if _funding_note is not None:
        found.funding_note = _funding_note(user, situation.country)
    return found


# Signals of the country this long before its first signal (or the opening) are recent; an end left empty is an
# ongoing event for this long after its start, and beyond it an end the source never recorded (old STOP rows).
RECENT_SIGNALS = dt.timedelta(days=30)
ONGOING_SIGNALS = dt.timedelta(days=180)


def _recent_or_ongoing(situation: Situation) -> Q:
    """The country's signals around the situation, whatever opened it (an alert or a person), and its alert's own."""
    since = (situation.first_signal_at or situation.opened_at) - RECENT_SIGNALS
    around = Q(country=situation.country_id) & (
        Q(starts_at__gte=since)
        | Q(ends_at__gte=since)
        | Q(ends_at__isnull=True, starts_at__gte=situation.opened_at - ONGOING_SIGNALS)
    )
    if situation.closed_at is not None:
        around &= Q(starts_at__lte=situation.closed_at)
    if situation.alert_id:
        around |= Q(pk__in=Signal.objects.filter(alerts=situation.alert_id).values("pk"))
    return around


def timeline(user: Any, situation: Situation) -> QuerySet[Any]:
    """The situation's timeline; the statement's publication shows only to those who may read the statement."""
    entries = situation.timeline.select_related("by__person").order_by("at", "pk")
    return entries if readable_statement(user, situation) is not None else entries.exclude(kind="published")


# --- Metrics ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    situation: Situation
    to_opened: dt.timedelta | None  # first signal → situation opened
    to_first_pledge: dt.timedelta | None  # first signal (or opening) → first pledge
    to_statement: dt.timedelta | None  # first signal (or opening) → statement published


def readable_statement(user: Any, situation: Situation) -> Any:
    """The situation's statement if `user` may read it now: a draft or an embargoed statement (members-only until
    its release) stays hidden in a widened room — its publication time included."""
    statement = situation.statement if situation.statement_id else None
    return statement if statement is not None and policy.is_visible(user, statement) else None


def metrics_of(user: Any, situation: Situation, first_pledge_at: dt.datetime | None = None) -> Metrics:
    start = situation.first_signal_at or situation.opened_at
    if first_pledge_at is None:
        first = situation.pledges.order_by("pledged_at").values_list("pledged_at", flat=True).first()
        first_pledge_at = first
    statement = readable_statement(user, situation)
    published = statement.published_at if statement is not None else None
    return Metrics(
        situation=situation,
        to_opened=situation.opened_at - situation.first_signal_at if situation.first_signal_at else None,
        to_first_pledge=first_pledge_at - start if first_pledge_at else None,
        to_statement=published - start if published else None,
    )


@dataclass(frozen=True)
class Summary:
    """A year's medians, each over the situations whose time is known (`counted_*` of `count`): a situation opened
    by hand without a first signal has no time to its opening — counting it as zero would make the coalition look
    faster than it was — and one without a pledge or a published statement has no time to them yet."""

    count: int
    median_to_opened: dt.timedelta | None
    median_to_first_pledge: dt.timedelta | None
    median_to_statement: dt.timedelta | None
    counted_to_opened: int
    counted_to_first_pledge: int
    counted_to_statement: int


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    return dt.timedelta(seconds=statistics.median(v.total_seconds() for v in values)) if values else None


def metrics(user: Any) -> tuple[list[Metrics], dict[str, Summary]]:
    """Each visible situation's times, and per year the medians."""
    rows = list(situations(user).order_by("-opened_at"))
    firsts: dict[int, dt.datetime] = {}
    for situation_id, at in (
        Pledge.objects.filter(situation__in=rows).order_by("pledged_at").values_list("situation_id", "pledged_at")
    ):
        firsts.setdefault(situation_id, at)
    each = [metrics_of(user, s, firsts.get(s.pk)) for s in rows]
    by_year: dict[str, list[Metrics]] = {}
    for m in each:
        by_year.setdefault(str(m.situation.opened_at.year), []).append(m)
    summaries = {year: _summary(items) for year, items in by_year.items()}
    return each, summaries


def _summary(items: list[Metrics]) -> Summary:
    opened = [m.to_opened for m in items if m.to_opened is not None]
    pledged = [m.to_first_pledge for m in items if m.to_first_pledge is not None]
    stated = [m.to_statement for m in items if m.to_statement is not None]
    return Summary(
        count=len(items),
        median_to_opened=_median(opened),
        median_to_first_pledge=_median(pledged),
        median_to_statement=_median(stated),
        counted_to_opened=len(opened),
        counted_to_first_pledge=len(pledged),
        counted_to_statement=len(stated),
    )


# --- What a viewer may do in a situation room ---------------------------------------------------------------------


def pledgeable(user: Any) -> list[Organisation]:
    """The member governments `user` may pledge for: their own (focal points, officials); any for the Support
    Unit. Read once, by name: the room's select is drawn from this list."""
    governments = policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")
    actor = policy.actor_for(user)
    if not actor.has(Role.SUPPORT_UNIT):
        governments = governments.filter(pk__in=actor.acts_for)
    return [org for org in governments if policy.can(user, "response.pledge", org)]


@dataclass(frozen=True)
class RoomRights:
    """What a viewer may do in a situation room, as the policy says: each panel shows its form only if so."""

    is_open: bool
    manage: bool  # the Support Unit runs the room: set playbook steps, close it (while it is open)
    pledge: bool  # may pledge for some member (which ones: `pledgeable`), while the situation is open
    fast_track: bool  # may draft the situation's statement, while it is open and has none
    report: bool  # may send a civil-society report, while it is open
    note: bool  # may add a note to the timeline, open or closed
    widen: bool  # may change who reads the situation

    @property
    def edit_steps(self) -> bool:
        return self.manage and self.is_open

    @property
    def close(self) -> bool:
        return self.manage and self.is_open


def room_rights(user: Any, situation: Situation) -> RoomRights:
    is_open = situation.status == Situation.Status.OPEN
    return RoomRights(
        is_open=is_open,
        manage=policy.can(user, "response.manage"),
        pledge=is_open and policy.can(user, "response.pledge"),
        fast_track=is_open and not situation.statement_id and policy.can(user, "statements.manage"),
        report=is_open and policy.can(user, "response.report"),
        note=policy.can(user, "response.open_situation"),
        widen=policy.can(user, "response.widen"),
    )
