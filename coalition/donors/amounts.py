"""Which amounts count, and at which level (issue 15, items 10 and 14): the rules every total follows.

- **Negative amounts** (item 14). IATI lets a transaction be negative: it corrects or reverses earlier transactions
  of its type (a commitment lowered from 10,000 to 8,000 is published as 10,000 then -2,000; funds a partner returns
  are a negative disbursement), and "data users sum all of the outgoing commitments to calculate the total". So a
  negative transaction is netted against the activity's other lines of the same kind and currency, the latest
  before it first (then later ones, for a reversal dated before what it reverses). What a reversal would take
  beyond everything the activity reports is not counted, so no activity counts below zero. Budgets "should not be
  negative" (a lower budget is a revised budget, type 2, not a negative one), and neither can a forecast: a negative
  budget or planned disbursement is left out of every total. Import reports and pages say where either happened.
- **Hierarchies** (item 10). The IATI schema: "If multiple levels are reported then, to avoid double counting,
  financial transactions should only be reported at the lowest hierarchical level". Publishers still report
  budgets at both levels, so each amount is counted once, at the lowest level that reports money: an activity whose
  components (at any depth, linked by related-activity type 1 "parent" on the child or type 2 "child" on the
  parent, within one reporter) report money is not counted; where its components report none, it is. The decision
  is taken among the records a reader may see, so a hidden component never changes (or betrays itself through)
  what its programme counts for that reader.

docs/donor-amounts.md says the same for the people who read the totals.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
FORECASTS = frozenset({"budget", "planned"})


# --- Negative amounts ---------------------------------------------------------------------------------------------


def is_negative_forecast(line: Any) -> bool:
    """A budget or planned disbursement below zero: never a reversal in IATI, and never counted."""
    return line.kind in FORECASTS and line.value < 0


@dataclass
class Netted:
    """The lines of one kind as counted, and what netting did to them."""

    lines: list[Any]  # the positive lines, copies where a reversal took from them
    reversals: list[Any] = field(default_factory=list)  # the negative transactions netted
    beyond: dict[str, Decimal] = field(default_factory=dict)  # currency → what reversals took beyond the lines
    left_out: list[Any] = field(default_factory=list)  # negative budgets and planned disbursements


def _when(line: Any) -> dt.date:
    return line.period_start or line.value_date or dt.date.min


def _take(line: Any, amount: Decimal) -> None:
    """Lower a (copied) line by `amount` as reported; its converted amount follows at the line's own rate."""
    remaining = line.value - amount
    if line.converted is not None and line.value:
        line.converted = (line.converted * remaining / line.value).quantize(CENT)
    line.value = remaining


def net_reversals(lines: Iterable[Any]) -> Netted:
    """Net an activity's negative transactions against its other lines of the same kind and currency (see the module
    docstring); the lines returned are never negative, and the originals are never changed."""
    lines = list(lines)
    if not any(line.value < 0 for line in lines):
        return Netted(lines)
    left_out = [line for line in lines if is_negative_forecast(line)]
    reversals = sorted((line for line in lines if line.value < 0 and line.kind not in FORECASTS), key=_when)
    counted = [copy.copy(line) for line in lines if line.value >= 0]
    beyond: dict[str, Decimal] = defaultdict(Decimal)
    for reversal in reversals:
        left = -reversal.value
        same = [
            line
            for line in counted
            if line.kind == reversal.kind and line.currency == reversal.currency and line.value > 0
        ]
        earlier = sorted((line for line in same if _when(line) <= _when(reversal)), key=_when, reverse=True)
        later = sorted((line for line in same if _when(line) > _when(reversal)), key=_when)
        for line in [*earlier, *later]:
            taken = min(left, line.value)
            _take(line, taken)
            left -= taken
            if not left:
                break
        if left:
            beyond[reversal.currency] += left
    return Netted(counted, reversals, dict(beyond), left_out)


def negative_notes(lines: Sequence[Any]) -> list[str]:
    """What a reader is told about an activity's negative lines: the reversals netted, what they took beyond the
    activity's lines, and the negative forecasts left out (empty when it has none)."""
    notes = []
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        if line.value < 0 and line.kind in PLURALS:  # "other" transactions (incoming funds, interest…) never count
            by_kind[line.kind].append(line)
    for kind, negatives in sorted(by_kind.items()):
        name = plural(kind, len(negatives))
        amounts = _amounts(negatives)
        if kind in FORECASTS:
            notes.append(
                f"{len(negatives)} negative {name} ({amounts}) left out of the totals: IATI budgets and forecasts "
                "are never negative (a lower budget is reported as a revised budget)"
            )
            continue
        netted = net_reversals(line for line in lines if line.kind == kind)
        note = f"{len(negatives)} negative {name} ({amounts}) netted against its earlier {plural(kind, 2)}"
        if netted.beyond:
            beyond = ", ".join(f"{currency} {amount:,.2f}" for currency, amount in sorted(netted.beyond.items()))
            note += (
                f"; {beyond} beyond what it reports is not counted, so its {plural(kind, 2)} count as no less than 0"
            )
        notes.append(note)
    return notes


PLURALS = {
    "budget": "budgets",
    "planned": "planned disbursements",
    "commitment": "commitments",
    "disbursement": "disbursements",
    "expenditure": "expenditures",
}


def plural(kind: str, count: int) -> str:
    name = PLURALS.get(kind, kind)
    if count == 1:
        return "planned disbursement" if kind == "planned" else name.removesuffix("s")
    return name


def _amounts(lines: Iterable[Any]) -> str:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[line.currency] += line.value
    return ", ".join(f"{currency} {amount:,.2f}" for currency, amount in sorted(sums.items()))


# --- Hierarchies --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """Where one activity stands in its reporter's hierarchy, as its record says."""

    key: int
    reporter: int
    identifier: str
    parent: str = ""  # related-activity type 1: the activity this one is a part of
    components: tuple[str, ...] = ()  # related-activity type 2: the activities that are parts of this one


def parents(links: Iterable[Link]) -> dict[int, int]:
    """Each activity's parent among `links` (same reporter): the parent it names, else the one naming it as a
    component. A link that would close a cycle is dropped, so every chain of parents ends."""
    links = sorted(links, key=lambda link: link.key)
    by_identifier = {(link.reporter, link.identifier): link.key for link in links}
    naming: dict[tuple[int, str], int] = {}
    for link in links:
        for component in link.components:
            naming.setdefault((link.reporter, component), link.key)
    found: dict[int, int] = {}
    for link in links:
        parent = by_identifier.get((link.reporter, link.parent)) if link.parent else None
        if parent is None:
            parent = naming.get((link.reporter, link.identifier))
        if parent is None or parent == link.key:
            continue
        ancestor: int | None = parent
        while ancestor is not None and ancestor != link.key:
            ancestor = found.get(ancestor)
        if ancestor is None:
            found[link.key] = parent
    return found


def counted_below(links: Iterable[Link], reporting: Iterable[int]) -> dict[int, list[int]]:
    """The activities of `reporting` (those that report money) whose amounts are not counted because components
    below them report money, each with those components: every amount is counted once, at the lowest level."""
    above = parents(links)
    reporting = set(reporting)
    below: dict[int, list[int]] = defaultdict(list)
    for key in sorted(reporting):
        ancestor = above.get(key)
        while ancestor is not None:
            if ancestor in reporting:
                below[ancestor].append(key)
            ancestor = above.get(ancestor)
    # a part that is itself counted through parts below it is not what counts for its ancestors
    return {key: [part for part in parts if part not in below] for key, parts in below.items()}
