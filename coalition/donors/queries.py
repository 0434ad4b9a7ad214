"""Reads for donor coordination. Every one starts from `policy.visible_to`, so a record a viewer may not read is in
no list, export, search result, total or count they see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coalition.core import policy
from coalition.directory.models import Country
from coalition.donors import amounts, money
from coalition.donors.models import (
    Allocation,
    FundingActivity,
    FundingLine,
    ImportBatch,
    Overlap,
    SelfAssessment,
    Topic,
)
from coalition.response.models import Alert, Situation


@dataclass(frozen=True)
class Allowed:
    """What the viewer may do on the donor-coordination pages, asked of the policy once per page (the pages show
    a form or a link only where the action behind it is allowed; the services ask again)."""

    report: bool  # import a member's file (`donors.report`)
    align: bool  # the alignment views and the reference data (`donors.align`)
    manage: bool  # keep the reference data, run overlap detection (`donors.manage`)
    take_part: bool  # record joining or leaving (`donors.take_part`)
    is_support: bool  # the Support Unit, which sees every participant and records for any member


def allowed(user: Any) -> Allowed:
    return Allowed(
        report=policy.can(user, "donors.report"),
        align=policy.can(user, "donors.align"),
        manage=policy.can(user, "donors.manage"),
        take_part=policy.can(user, "donors.take_part"),
        is_support=policy.actor_for(user).has(policy.Role.SUPPORT_UNIT),
    )


def activities(
    user: Any,
    *,
    q: str = "",
    country: str = "",
    topic: str = "",
    reporter: int | None = None,
    stage: str = "",
) -> QuerySet[FundingActivity]:
    """The funding activities `user` may read, searched and filtered."""
    rows = policy.visible_to(user, FundingActivity).select_related("reporter", "group")
    if q.strip():
        words = q.split()[:8]
        for word in words:
            rows = rows.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(identifier__icontains=word)
            )
    if country:
        rows = rows.filter(pk__in=Allocation.objects.filter(country=country.upper()).values("activity_id"))
    if topic:
        rows = rows.filter(pk__in=Allocation.objects.filter(topic=topic).values("activity_id"))
    if reporter:
        rows = rows.filter(reporter_id=reporter)
    if stage:
        lines = FundingLine.objects.filter(stage=stage).exclude(kind=FundingLine.Kind.OTHER)
        rows = rows.filter(pk__in=lines.values("activity_id"))
    return rows


def batches(user: Any) -> QuerySet[ImportBatch]:
    return policy.visible_to(user, ImportBatch).select_related("reporter", "by")


def overlaps(user: Any, *, review: str = "", activity: FundingActivity | None = None) -> QuerySet[Overlap]:
    rows = policy.visible_to(user, Overlap).select_related("first__reporter", "second__reporter")
    if review:
        rows = rows.filter(review=review)
    if activity is not None:
        rows = rows.filter(Q(first=activity) | Q(second=activity))
    return rows


def country_names(codes: set[str]) -> dict[str, str]:
    names = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
    return {code: names.get(code, code) if code else _("Regional or unspecified") for code in codes}


# --- Alignment ----------------------------------------------------------------------------------------------------


@dataclass
class HeatmapRow:
    country: str
    name: str
    cells: dict[str, Decimal]  # topic ("" for none) → amount in the mechanism's currency
    activities: int
    total: Decimal


@dataclass
class Heatmap:
    currency: str
    topics: list[tuple[str, str]]  # (code, label), "" last for funding mapped to no topic
    rows: list[HeatmapRow]
    totals: dict[str, Decimal]
    total: Decimal
    activities: int
    without_rate: int  # activities whose amounts could not be converted (not in the totals)
    max_cell: Decimal = Decimal(0)
    counted_below: int = 0  # programmes whose own amounts are left out: their components report theirs
    netted: int = 0  # activities with negative amounts (reversals netted, negative budgets left out)

    def shade(self, amount: Decimal) -> int:
        """0–5: the cell's colour step, relative to the largest cell."""
        if not amount or amount < 0 or not self.max_cell or self.max_cell < 0:
            return 0  # nothing, or a net repayment: no shade
        return min(5, 1 + int(4 * amount / self.max_cell))


def topic_columns() -> list[tuple[str, str]]:
    """The heatmap's columns in the reader's language: the four topics, then funding mapped to none."""
    return [(code, str(label)) for code, label in Topic.choices] + [("", _("No policy topic"))]


def _lines_by_activity(rows: QuerySet[FundingActivity]) -> dict[int, list[FundingLine]]:
    found: dict[int, list[FundingLine]] = defaultdict(list)
    for line in FundingLine.objects.filter(activity__in=rows.values("pk"), converted__isnull=False).exclude(
        kind=FundingLine.Kind.OTHER
    ):
        found[line.activity_id].append(line)
    return found


def hierarchy_links(rows: QuerySet[FundingActivity]) -> list[amounts.Link]:
    """Where each of `rows` stands in its reporter's hierarchy (the rows a reader may see: a component hidden from
    them never changes what its programme counts for them); none when no row names a parent or a component."""
    if not rows.filter(~Q(parent_identifier="") | ~Q(component_identifiers=[])).exists():
        return []  # the usual case, for one query
    found = rows.order_by().values_list("pk", "reporter_id", "identifier", "parent_identifier", "component_identifiers")
    return [
        amounts.Link(pk, reporter, identifier, parent, tuple(components or ()))
        for pk, reporter, identifier, parent, components in found
    ]


def counted_below(rows: QuerySet[FundingActivity], reporting: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Of `rows`, the programmes whose amounts are left out because components among `rows` report money, each with
    those components (`amounts.counted_below`: every amount counted once, at the lowest level that reports it).
    `reporting` is who reports money in what is summed (a stage, a year); by default, a total above zero."""
    links = hierarchy_links(rows)
    if not links:
        return {}
    if reporting is None:
        reporting = rows.filter(total__gt=0).values_list("pk", flat=True)
    return amounts.counted_below(links, reporting)


def counted_level(user: Any, activity: FundingActivity) -> tuple[str, list[FundingActivity]]:
    """Where the totals count the money of `activity`'s hierarchy, among what `user` reads: "components" (its own
    amounts are left out; the components returned are counted), "instead" (its own are counted in place of the
    programmes returned), "own" (a programme none of whose components reports money), or "" (no such question)."""
    rows = policy.visible_to(user, FundingActivity).filter(reporter_id=activity.reporter_id)
    has_parts = bool(activity.component_identifiers) or rows.filter(parent_identifier=activity.identifier).exists()
    if not (has_parts or activity.parent_identifier):
        return "", []
    below = counted_below(rows)
    shown = ("pk", "identifier", "title", "hierarchy")
    if activity.pk in below:
        return "components", list(rows.filter(pk__in=below[activity.pk]).only(*shown).order_by("identifier"))
    instead_of = [programme for programme, parts in below.items() if activity.pk in parts]
    if instead_of:
        return "instead", list(rows.filter(pk__in=instead_of).only(*shown).order_by("identifier"))
    return ("own", []) if has_parts else ("", [])


def _amounts(rows: QuerySet[FundingActivity], *, stage: str, year: int | None) -> dict[int, Decimal]:
    """Each activity's converted amount at `stage` (its total's lines when none is chosen), in `year` if one is."""
    amounts: dict[int, Decimal] = {}
    for activity_id, lines in _lines_by_activity(rows).items():
        counted = money.stage_lines(lines, stage) if stage else money.counted_lines(lines)[1]
        if year:
            amount = sum((money.by_year(line).get(year, Decimal(0)) for line in counted), Decimal(0))
        else:
            amount = sum((line.converted or Decimal(0) for line in counted), Decimal(0))
        if amount:
            amounts[activity_id] = amount
    return amounts


def heatmap(user: Any, *, stage: str = "", year: int | None = None) -> Heatmap:
    """Funding by recipient country × policy topic: sums of what `user` may read, nothing else. With a stage, what
    each activity puts at that stage; with a year, what it puts in that year (amounts spread over their periods)."""
    visible = activities(user, stage=stage)
    if year:
        visible = visible.filter(
            Q(starts_on__year__lte=year) | Q(starts_on__isnull=True),
            Q(ends_on__year__gte=year) | Q(ends_on__isnull=True),
        )
    cells: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if stage or year:  # what each activity puts at that stage or in that year, split as its total is
        at_stage = _amounts(visible, stage=stage, year=year)
        below = counted_below(visible, reporting=at_stage)
        for programme in below:
            del at_stage[programme]
        shares = Allocation.objects.filter(activity__in=list(at_stage)).values_list(
            "activity_id", "country", "topic", "share"
        )
        funded: dict[str, set[int]] = defaultdict(set)
        for activity_id, country, topic, share in shares:
            cells[country][topic] += (at_stage[activity_id] * share).quantize(money.CENT)
            funded[country].add(activity_id)
        per_country = {country: len(ids) for country, ids in funded.items()}
    else:
        below = counted_below(visible)
        rows = (
            Allocation.objects.filter(activity__in=visible.values("pk"), amount__isnull=False)
            .exclude(activity_id__in=list(below))
            .values("country", "topic")
            .annotate(amount=Sum("amount"))
        )
        for row in rows:
            cells[row["country"]][row["topic"]] += row["amount"] or Decimal(0)
        per_country = dict(
            Allocation.objects.filter(activity__in=visible.values("pk"), amount__isnull=False)
            .exclude(activity_id__in=list(below))
            .values("country")
            .annotate(n=Count("activity", distinct=True))
            .values_list("country", "n")
        )
    names = country_names(set(cells))
    result = [
        HeatmapRow(code, names[code], dict(by_topic), per_country.get(code, 0), sum(by_topic.values(), Decimal(0)))
        for code, by_topic in cells.items()
    ]
    result.sort(key=lambda r: (-r.total, r.name))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in result:
        for topic, amount in r.cells.items():
            totals[topic] += amount
    counted = visible.filter(total__isnull=False).exclude(pk__in=list(below))
    negative = FundingLine.objects.filter(value__lt=0).exclude(kind=FundingLine.Kind.OTHER)
    return Heatmap(
        currency=settings.DONORS_CURRENCY,
        topics=topic_columns(),
        rows=result,
        totals=dict(totals),
        total=sum(totals.values(), Decimal(0)),
        activities=counted.count(),
        without_rate=visible.filter(total__isnull=True).exclude(total_basis="").count(),
        max_cell=max((amount for r in result for amount in r.cells.values()), default=Decimal(0)),
        counted_below=len(below),
        netted=visible.filter(pk__in=negative.values("activity_id")).count(),
    )


@dataclass
class Gap:
    country: str
    name: str
    why: list[str]  # "open situation: …", "open alert since …"
    funding: dict[str, Decimal]  # topic → amount the viewer can see
    missing: list[str]  # topic labels with no funding
    total: Decimal = Decimal(0)


def gaps(user: Any) -> list[Gap]:
    """Countries where the coalition is responding to a crisis (an open situation or alert) and what funding members
    share there: no funding at all, or none on fundamental freedoms and shutdowns, is a gap."""

    why: dict[str, list[str]] = defaultdict(list)
    for situation in policy.visible_to(user, Situation).filter(status=Situation.Status.OPEN).select_related("country"):
        why[situation.country.code].append(_("Open situation: %(title)s") % {"title": situation.title})
    for alert in policy.visible_to(user, Alert).filter(status=Alert.Status.OPEN).select_related("country"):
        why[alert.country.code].append(_("Open alert since %(day)s") % {"day": f"{alert.first_signal_at:%Y-%m-%d}"})
    if not why:
        return []
    visible = activities(user)
    rows = (
        Allocation.objects.filter(activity__in=visible.values("pk"), country__in=list(why), amount__isnull=False)
        .exclude(activity_id__in=list(counted_below(visible)))
        .values("country", "topic")
        .annotate(amount=Sum("amount"))
    )
    funding: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        funding[row["country"]][row["topic"]] = row["amount"]
    names = country_names(set(why))
    labels = dict(Topic.choices)
    result = []
    for code, reasons in why.items():
        have = funding.get(code, {})
        missing = [str(labels[t]) for t in Topic.values if not have.get(t)]
        result.append(Gap(code, names[code], reasons, have, missing, sum(have.values(), Decimal(0))))
    result.sort(key=lambda g: (g.total > 0, Topic.FREEDOMS in g.funding, g.name))
    return result


@dataclass
class TimelineBar:
    activity: FundingActivity
    left: float  # percent of the timeline's width
    width: float


@dataclass
class Timeline:
    years: list[int]
    bars: list[TimelineBar]
    by_year: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # year → stage → amount
    stages: list[tuple[str, str]] = field(default_factory=list)
    currency: str = ""


def timeline(user: Any, *, country: str = "", topic: str = "", limit: int = 60) -> Timeline:
    """Activities laid out over the years they run, and the amounts by year and stage (pipeline → spent)."""
    visible = activities(user, country=country, topic=topic)
    rows = visible.exclude(starts_on__isnull=True)
    chosen = list(rows.order_by("starts_on", "pk")[:limit])
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    links = hierarchy_links(visible)
    staged = {  # every visible activity's lines, a bar or not
        activity_id: {stage: money.stage_lines(lines, stage) for stage in FundingLine.Stage.values}
        for activity_id, lines in _lines_by_activity(visible).items()
    }
    for stage in FundingLine.Stage.values:
        reporting = [key for key, at in staged.items() if sum(line.converted or 0 for line in at[stage]) > 0]
        below = amounts.counted_below(links, reporting) if links else {}
        for activity_id, at in staged.items():
            if activity_id in below:
                continue  # its components' amounts are counted instead
            for line in at[stage]:
                for year, amount in money.by_year(line).items():
                    by_year[year][stage] += amount
    starts = [a.starts_on for a in chosen if a.starts_on]
    ends = [a.ends_on or a.starts_on for a in chosen if a.starts_on]
    if not starts:
        return Timeline(
            [],
            [],
            {year: dict(stages) for year, stages in sorted(by_year.items())},
            [(code, str(label)) for code, label in FundingLine.Stage.choices],
            settings.DONORS_CURRENCY,
        )
    first, last = min(starts).year, max(max(ends).year, min(starts).year)
    span_start, span_end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    days = (span_end - span_start).days or 1
    bars = []
    for a in chosen:
        end = a.ends_on or span_end
        left = 100 * (a.starts_on - span_start).days / days  # type: ignore[operator]
        width = max(1.0, 100 * (end - a.starts_on).days / days)  # type: ignore[operator]
        bars.append(TimelineBar(a, round(left, 2), round(min(width, 100 - left), 2)))
    return Timeline(
        list(range(first, last + 1)),
        bars,
        {year: dict(stages) for year, stages in sorted(by_year.items())},
        [(code, str(label)) for code, label in FundingLine.Stage.choices],
        settings.DONORS_CURRENCY,
    )


def funding_note(user: Any, country: Country) -> str:
    """One sentence for a situation's brief: what funding members share in the country (what `user` may read).

    One read answers the usual case (a situation room is a busy page): the count and the sums in the country, and
    whether any activity the reader may see has a hierarchy at all. Only when one has are the sums read again
    without the programmes whose components are counted instead (`counted_below`)."""
    rows = activities(user)
    visible = FundingActivity.objects.filter(pk__in=rows.values("pk"))  # the sums join allocations to these alone
    in_country = Q(allocations__country=country.code)
    sums = {
        "total": Sum("allocations__amount", filter=in_country),
        "freedoms": Sum("allocations__amount", filter=in_country & Q(allocations__topic=Topic.FREEDOMS)),
    }
    found = visible.aggregate(
        count=Count("pk", filter=in_country, distinct=True),
        in_hierarchy=Count("pk", filter=~Q(parent_identifier="") | ~Q(component_identifiers=[]), distinct=True),
        **sums,
    )
    count = found["count"]
    if not count:
        return _("No member shares funding in %(country)s with you through donor coordination.") % {
            "country": country.name
        }
    below = counted_below(rows) if found["in_hierarchy"] else {}
    if below:
        found = visible.exclude(pk__in=list(below)).aggregate(**sums)
    amount, freedoms = found["total"], found["freedoms"]
    money = f"{settings.DONORS_CURRENCY} {amount:,.0f}" if amount else _("amounts not converted")
    on_freedoms = f"{settings.DONORS_CURRENCY} {freedoms:,.0f}" if freedoms else _("none")
    return ngettext(
        "Members share %(count)d funding activity in %(country)s (%(money)s); "
        "on fundamental freedoms and shutdowns: %(freedoms)s.",
        "Members share %(count)d funding activities in %(country)s (%(money)s); "
        "on fundamental freedoms and shutdowns: %(freedoms)s.",
        count,
    ) % {"count": count, "country": country.name, "money": money, "freedoms": on_freedoms}


def assessments(user: Any, document: Any) -> QuerySet[SelfAssessment]:
    return policy.visible_to(user, SelfAssessment).filter(document=document).select_related("organisation", "by")
