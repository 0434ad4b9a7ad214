"""Reads of the Program of Action, always through the access policy: the tree with its roll-up, an activity with
its timeline and evidence, stale activities and their digests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber

from coalition.core import policy
from coalition.core.evidence import Evidence, visible_evidence
from coalition.directory.models import Body, Person, Position
from coalition.programme.models import (
    PROGRESS_OF,
    UNFINISHED,
    Activity,
    Goal,
    Objective,
    Programme,
    ProgressUpdate,
    Status,
    StatusProposal,
)


def stale_after_days() -> int:
    return int(getattr(settings, "PROGRAMME_STALE_DAYS", 45))


def programmes(user: Any) -> QuerySet[Programme]:
    return policy.visible_to(user, Programme).select_related("chair", "predecessor").order_by("-year")


def visible_updates(user: Any) -> QuerySet[ProgressUpdate]:
    return policy.visible_to(user, ProgressUpdate)


def visible_activities(user: Any) -> QuerySet[Activity]:
    """Every activity `user` may see, of any programme (the programme page shows one programme's of these; search
    finds among all of them)."""
    return policy.visible_to(user, Activity)


def _last_update_on(user: Any) -> Subquery:
    """The date of an activity's latest update the user may see (an annotation)."""
    updates = visible_updates(user).filter(activity=OuterRef("pk"))
    return Subquery(updates.order_by("-reported_on").values("reported_on")[:1])


def _with_updates(user: Any, rows: list[Activity]) -> None:
    """Sets on each row what activities() annotates: its latest update's date and its number of updates, of those
    the user may see (one query for all the rows)."""
    seen = {
        row["activity_id"]: row
        for row in visible_updates(user)
        .filter(activity__in=[activity.pk for activity in rows])
        .order_by()
        .values("activity_id")
        .annotate(last=Max("reported_on"), n=Count("pk"))
    }
    for activity in rows:
        row = seen.get(activity.pk)
        activity.last_update_on = row["last"] if row else None  # type: ignore[attr-defined]
        activity.update_count = row["n"] if row else None  # type: ignore[attr-defined]


def activities(user: Any, programme: Programme | QuerySet[Any]) -> QuerySet[Activity]:
    """Activities the user may see, each annotated with what the user may see of its updates. `programme` may be
    a query for one programme's key (an activity's page reads its programme in the same query)."""
    updates = visible_updates(user).filter(activity=OuterRef("pk"))
    return (
        visible_activities(user)
        .filter(objective__goal__programme=programme)  # type: ignore[misc]  # a programme or a query for its key
        .select_related("objective__goal", "lead_organisation__country", "lead_body")
        .annotate(
            last_update_on=_last_update_on(user),
            update_count=Subquery(updates.order_by().values("activity").annotate(n=Count("pk")).values("n")[:1]),
        )
        .prefetch_related("topics")
        .order_by("objective__goal__number", "objective__code", "number")
    )


@dataclass(frozen=True)
class TreeFilters:
    status: str = ""
    lead: str = ""  # "org:ID" or "body:ID"
    topic: str = ""  # topic code
    overdue: bool = False
    stale_days: int | None = None


def filter_activities(rows: QuerySet[Activity], filters: TreeFilters, *, on: dt.date) -> QuerySet[Activity]:
    if filters.status:
        rows = rows.filter(status=filters.status)
    kind, _, key = filters.lead.partition(":")
    if kind == "org" and key.isdigit():
        rows = rows.filter(lead_organisation_id=int(key))
    elif kind == "body" and key.isdigit():
        rows = rows.filter(lead_body_id=int(key))
    if filters.topic:
        rows = rows.filter(topics__code=filters.topic)
    if filters.overdue:
        rows = rows.filter(target_on__lt=on, status__in=UNFINISHED)
    if filters.stale_days is not None:
        since = on - dt.timedelta(days=filters.stale_days)
        rows = rows.filter(status__in=UNFINISHED).filter(Q(last_update_on__lt=since) | Q(last_update_on__isnull=True))
    return rows


def _matches(activity: Activity, filters: TreeFilters, *, on: dt.date) -> bool:
    """filter_activities for one row already loaded by activities() (its topics prefetched)."""
    if filters.status and activity.status != filters.status:
        return False
    kind, _, key = filters.lead.partition(":")
    if kind == "org" and key.isdigit() and activity.lead_organisation_id != int(key):
        return False
    if kind == "body" and key.isdigit() and activity.lead_body_id != int(key):
        return False
    if filters.topic and filters.topic not in {topic.code for topic in activity.topics.all()}:
        return False
    if filters.overdue and not activity.is_overdue(on):
        return False
    if filters.stale_days is not None:
        since = on - dt.timedelta(days=filters.stale_days)
        last: dt.date | None = getattr(activity, "last_update_on", None)
        if activity.status not in UNFINISHED or (last is not None and last >= since):
            return False
    return True


def weighted(parts: list[tuple[Decimal, float | None]]) -> float | None:
    """Weighted mean of the parts that count (None: nothing to count, e.g. every activity dropped)."""
    counted = [(weight, value) for weight, value in parts if value is not None and weight > 0]
    total = sum(weight for weight, _ in counted)
    if not total:
        return None
    return float(sum(weight * Decimal(str(value)) for weight, value in counted) / total)


@dataclass
class Node:
    """A goal or objective in the tree, with its children and its rolled-up progress (0–1)."""

    item: Any
    children: list[Any] = field(default_factory=list)
    progress: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    html: str = ""  # an objective's activity rows, rendered by the page that shows them (views/rows.py)
    shown: int = 0  # an objective's activities that match the filters (its children may be the first of them)


@dataclass
class Tree:
    programme: Programme
    goals: list[Node]
    progress: float | None
    counts: dict[str, int]
    shown: int

    @property
    def labelled_counts(self) -> list[tuple[str, str, int]]:
        return [(status, str(Status(status).label), n) for status, n in self.counts.items()]


def activity_progress(activity: Activity) -> float | None:
    return PROGRESS_OF.get(Status(activity.status))


def tree(
    user: Any,
    programme: Programme,
    *,
    filters: TreeFilters | None = None,
    on: dt.date,
    refine: Callable[[QuerySet[Activity]], QuerySet[Activity]] | None = None,
) -> Tree:
    """Programme → goal → objective → activity, with progress rolled up by explicit weights. Filters narrow what
    is listed; the roll-up always covers every activity the viewer may see. `refine` changes what is loaded with
    each activity (the annual report's names), never which activities: it receives the access-filtered rows."""
    rows = activities(user, programme)
    everything = list(refine(rows) if refine else rows)
    # Filtered here rather than by a second query: the rows carry everything the filters look at (the same rules
    # as filter_activities).
    shown_ids = {a.pk for a in everything if _matches(a, filters, on=on)} if filters else None
    tallies: dict[int, dict[str, tuple[int, Decimal]]] = {}
    by_objective: dict[int, list[Activity]] = {}
    for activity in everything:
        activity.is_overdue_now = activity.is_overdue(on)  # type: ignore[attr-defined]
        by_objective.setdefault(activity.objective_id, []).append(activity)
        tally = tallies.setdefault(activity.objective_id, {})
        n, weight = tally.get(activity.status, (0, Decimal(0)))
        tally[activity.status] = (n + 1, weight + (activity.weight if activity.weight > 0 else 0))
    goal_nodes, progress, totals = _rolled_up(programme, tallies)
    for goal_node in goal_nodes:
        for node in goal_node.children:
            members = by_objective.get(node.item.pk, [])
            node.children = [a for a in members if shown_ids is None or a.pk in shown_ids]
            node.shown = len(node.children)
    shown = len(everything) if shown_ids is None else len(shown_ids)
    return Tree(programme=programme, goals=goal_nodes, progress=progress, counts=totals, shown=shown)


ROWS_PER_OBJECTIVE = 10  # the programme page lists the first of each objective's activities, linking to the rest
ROWS_PER_PAGE = 50  # an objective's activities in full, page by page


@dataclass
class TreePage:
    """The programme page: the whole roll-up; of the activities that match the filters, the first
    ROWS_PER_OBJECTIVE of each objective, or one objective's, page by page (`objective`: that objective's node)."""

    tree: Tree
    objective: Node | None = None
    page: Page[Activity] | None = None


def tree_page(
    user: Any,
    programme: Programme,
    *,
    filters: TreeFilters | None = None,
    on: dt.date,
    objective: str = "",
    page: str | None = None,
) -> TreePage:
    """What the programme page lists, bounded however many activities a programme has: the roll-up is counted by
    the database (one query), and only the rows listed are loaded (one query, or a count and a page of one
    objective's), then what the reader may see of their updates (one query)."""
    visible = visible_activities(user).filter(objective__goal__programme=programme)
    tallies: dict[int, dict[str, tuple[int, Decimal]]] = {}
    for row in (
        visible.order_by()
        .values("objective_id", "status")
        .annotate(n=Count("pk"), weight=Sum("weight", filter=Q(weight__gt=0)))
    ):
        tallies.setdefault(row["objective_id"], {})[row["status"]] = (row["n"], row["weight"] or Decimal(0))
    goal_nodes, progress, totals = _rolled_up(programme, tallies)
    # The listed rows, with their leads (named through the policy); their updates are counted apart, for the listed
    # rows alone, unless the filter on staleness needs each activity's last update in this query.
    rows = visible.select_related("lead_organisation", "lead_body").order_by("number", "pk")
    if filters and filters.stale_days is not None:
        rows = rows.annotate(last_update_on=_last_update_on(user))
    rows = filter_activities(rows, filters, on=on) if filters else rows
    nodes = {node.item.pk: node for goal in goal_nodes for node in goal.children}
    chosen = next((node for node in nodes.values() if objective and node.item.code == objective), None)
    listed: Page[Activity] | None = None
    if chosen is not None:
        listed = Paginator(rows.filter(objective=chosen.item.pk), ROWS_PER_PAGE).get_page(page)
        chosen.children, chosen.shown = list(listed), listed.paginator.count
        goal_nodes = [_only(goal, chosen) for goal in goal_nodes if chosen in goal.children]
    else:
        position = Window(RowNumber(), partition_by=[F("objective_id")], order_by=[F("number").asc(), F("pk").asc()])
        in_all = Window(Count("pk"), partition_by=[F("objective_id")])
        for activity in rows.annotate(position=position, in_objective=in_all).filter(position__lte=ROWS_PER_OBJECTIVE):
            node = nodes[activity.objective_id]
            node.children.append(activity)
            node.shown = activity.in_objective
    _with_updates(user, [activity for node in nodes.values() for activity in node.children])
    for node in nodes.values():
        for activity in node.children:
            activity.is_overdue_now = activity.is_overdue(on)
    shown = sum(node.shown for goal in goal_nodes for node in goal.children)
    tree = Tree(programme=programme, goals=goal_nodes, progress=progress, counts=totals, shown=shown)
    return TreePage(tree=tree, objective=chosen, page=listed)


def _only(goal: Node, objective: Node) -> Node:
    """A goal's node showing only one of its objectives (its progress and counts still those of the whole goal)."""
    return Node(goal.item, children=[objective], progress=goal.progress, counts=goal.counts)


def _rolled_up(
    programme: Programme, tallies: dict[int, dict[str, tuple[int, Decimal]]]
) -> tuple[list[Node], float | None, dict[str, int]]:
    """The goals and objectives of `programme` (one query; a goal without any objective has nothing to show or
    count), each with its counts and progress rolled up from `tallies`: per objective, per status, the number of
    activities and the sum of their positive weights (the weighted mean of the activities, computed by status)."""
    goals: dict[int, Goal] = {}
    objectives_of: dict[int, list[Objective]] = {}
    for objective in Objective.objects.filter(goal__programme=programme).select_related("goal"):
        goals.setdefault(objective.goal_id, objective.goal)
        objectives_of.setdefault(objective.goal_id, []).append(objective)
    goal_nodes, totals = [], _empty_counts()
    for goal in sorted(goals.values(), key=lambda g: g.number):
        goal_node = Node(goal, counts=_empty_counts())
        for objective in sorted(objectives_of[goal.pk], key=lambda o: o.code):
            tally = tallies.get(objective.pk, {})
            node = Node(objective, counts=_empty_counts())
            node.progress = weighted(
                [(weight, PROGRESS_OF.get(Status(status))) for status, (_, weight) in tally.items()]
            )
            for status, (n, _) in tally.items():
                node.counts[status] += n
                goal_node.counts[status] += n
            goal_node.children.append(node)
        goal_node.progress = weighted([(o.item.weight, o.progress) for o in goal_node.children])
        for status, n in goal_node.counts.items():
            totals[status] += n
        goal_nodes.append(goal_node)
    return goal_nodes, weighted([(g.item.weight, g.progress) for g in goal_nodes]), totals


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(Status.values, 0)


@dataclass
class ActivityPage:
    activity: Activity
    updates: list[ProgressUpdate]
    evidence: list[Evidence]
    proposals: list[StatusProposal]
    history: list[Any]


def activity_page(user: Any, activity: Activity) -> ActivityPage:
    return ActivityPage(
        activity=activity,
        updates=list(visible_updates(user).filter(activity=activity).select_related("author__person", "on_behalf_of")),
        evidence=visible_evidence(user, activity.evidence.all()),
        proposals=list(
            policy.visible_to(user, StatusProposal)
            .filter(activity=activity, state=StatusProposal.State.PENDING)
            .select_related("proposed_by__person")
        ),
        history=list(activity.status_history.select_related("changed_by__person")),
    )


# --- Staleness -------------------------------------------------------------------------------------------------


def stale_activities(*, on: dt.date, days: int | None = None) -> QuerySet[Activity]:
    """Unfinished activities of running programmes with no update at all for `days` (any classification: the
    lead must hear of an activity that went quiet even when its last update was confidential)."""
    days = stale_after_days() if days is None else days
    since = on - dt.timedelta(days=days)
    return (
        Activity.objects.filter(
            status__in=UNFINISHED,
            objective__goal__programme__starts_on__lte=since,
            objective__goal__programme__ends_on__gte=on,
        )
        .annotate(last_update_on=Max("updates__reported_on"))
        .filter(Q(last_update_on__lt=since) | Q(last_update_on__isnull=True))
        .select_related("objective__goal__programme", "lead_body", "lead_organisation")
        .order_by("code")
    )


def leads_of(activity: Activity, *, on: dt.date) -> QuerySet[Person]:
    """The people who answer for an activity: current members of its lead body, or its lead member's focal
    points."""
    current = Position.objects.filter(Position.current_q(on))
    if activity.lead_body_id:
        current = current.filter(body_id=activity.lead_body_id)
    elif activity.lead_organisation_id:
        current = current.filter(organisation_id=activity.lead_organisation_id, kind=Position.Kind.FOCAL_POINT)
    else:
        current = current.filter(body__kind=Body.Kind.SUPPORT_UNIT)  # nobody leads: the Support Unit answers
    return Person.objects.filter(positions__in=current).distinct()


@dataclass
class Digest:
    person: Person
    activities: list[Activity]


def digests(*, on: dt.date, days: int | None = None) -> list[Digest]:
    """One digest per person, listing every stale activity they lead that their own account may see."""
    by_person: dict[int, Digest] = {}
    for activity in stale_activities(on=on, days=days):
        for person in leads_of(activity, on=on).select_related("account"):
            account = getattr(person, "account", None)
            if account is None or not account.is_active or not policy.is_visible(account, activity):
                continue
            by_person.setdefault(person.pk, Digest(person, [])).activities.append(activity)
    return sorted(by_person.values(), key=lambda d: d.person.full_name)


def digest_for(person: Person, *, on: dt.date) -> Digest:
    """One person's entry of `digests` in a fixed number of queries (for the preview page): leads_of turned
    around, then the same check of what their own account may see."""
    account = getattr(person, "account", None)
    if account is None or not account.is_active:
        return Digest(person, [])
    return Digest(person, list(policy.visible_to(account, stale_activities(on=on)).filter(led_by(person, on=on))))


def led_by(person: Person | int, *, on: dt.date) -> Q:
    """The activities `person` answers for on `on` (leads_of turned around): those their bodies lead, those of a
    member they are a focal point of, and, for the Support Unit, those nobody leads."""
    current = Position.objects.filter(Position.current_q(on), person=person)
    led = Q(lead_body_id__in=current.filter(body__isnull=False).values("body_id")) | Q(
        lead_body__isnull=True,
        lead_organisation_id__in=current.filter(kind=Position.Kind.FOCAL_POINT).values("organisation_id"),
    )
    if current.filter(body__kind=Body.Kind.SUPPORT_UNIT).exists():
        led |= Q(lead_body__isnull=True, lead_organisation__isnull=True)
    return led


def thematic_goals(user: Any, programme: Programme) -> list[tuple[Any, list[str]]]:
    """The multi-year thematic goals (PoA 3A.3) this programme's visible activities serve, with their codes: one
    query over the link table."""
    links = (
        Activity.thematic_goals.through.objects.filter(
            activity__in=policy.visible_to(user, Activity).filter(objective__goal__programme=programme)
        )
        .select_related("thematicgoal", "activity")
        .order_by("thematicgoal__from_year", "thematicgoal__title", "activity__code")
    )
    grouped: dict[int, tuple[Any, list[str]]] = {}
    for link in links:
        grouped.setdefault(link.thematicgoal_id, (link.thematicgoal, []))[1].append(link.activity.code)
    return list(grouped.values())


@dataclass(frozen=True)
class ActivityPowers:
    """What the viewer of an activity's page may do there (the policy's answers, asked once)."""

    update: bool  # post a progress update
    link: bool  # link a record as evidence
    manage: bool  # change the status, decide proposals, carry the programme over

    @classmethod
    def of(cls, user: Any) -> ActivityPowers:
        return cls(
            update=policy.can(user, "programme.post_update"),
            link=policy.can(user, "programme.link_evidence"),
            manage=policy.can(user, "programme.manage"),
        )
