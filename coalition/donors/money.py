"""The money of funding activities: converting reported amounts at the recorded exchange rates, which lines an
activity's total (and each funding stage) counts, and an amount spread over the years of its period. What counts
when amounts are negative is `amounts` (see docs/donor-amounts.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from coalition.donors import amounts
from coalition.donors.models import ExchangeRate, FundingActivity, FundingLine

CENT = Decimal("0.01")


class ConversionContext:
    """Exchange rates by currency, loaded once per import."""

    def __init__(self) -> None:
        self.rates: dict[str, list[ExchangeRate]] = defaultdict(list)
        for rate in ExchangeRate.objects.order_by("currency", "on"):
            self.rates[rate.currency].append(rate)

    def rate_for(self, currency: str, on: dt.date | None) -> ExchangeRate | None:
        """The latest rate on or before `on`, else the earliest after it (named on every converted figure)."""
        rates = self.rates.get(currency, [])
        if not rates:
            return None
        if on is None:
            return rates[-1]
        before = [r for r in rates if r.on <= on]
        return before[-1] if before else rates[0]


TOTAL_BASES = (
    ("budgets", ("budget",)),
    ("commitments", ("commitment",)),
    ("planned disbursements", ("planned",)),
    ("disbursements", ("disbursement", "expenditure")),
)


def converted(activity: FundingActivity, lines: list[FundingLine], context: ConversionContext) -> list[FundingLine]:
    """Convert the lines and total the activity in memory; the caller saves both."""
    currency = settings.DONORS_CURRENCY
    for line in lines:
        if line.currency == currency:
            line.converted, line.rate = line.value, None
        else:
            line.rate = context.rate_for(line.currency, line.value_date or line.period_start)
            line.converted = line.rate.convert(line.value) if line.rate else None
    activity.total, activity.total_basis = None, ""
    basis, chosen = counted_lines(lines)
    if chosen:
        missing = sorted({line.currency for line in chosen if line.converted is None})
        if missing:
            activity.total_basis = f"no rate for {', '.join(missing)}"[:24]
        else:
            activity.total = sum((line.converted or Decimal(0) for line in chosen), Decimal(0))
            activity.total_basis = basis
    return lines


def counted_lines(lines: Iterable[FundingLine]) -> tuple[str, list[FundingLine]]:
    """The lines an activity's total counts, and which basis that is: one kind of line only, so that a budget and
    the commitments that spend it are not added up twice."""
    lines = list(lines)
    zeros: tuple[str, list[FundingLine]] = ("", [])
    for basis, kinds in TOTAL_BASES:
        chosen = _counting(lines, kinds)
        if chosen and any(line.value for line in chosen):
            return basis, chosen
        if chosen and not zeros[1]:  # placeholders of 0: the total only where no other kind has an amount
            zeros = (basis, chosen)
    return zeros


# Which lines count towards each funding stage of one activity: one kind of line per stage (the first kind present),
# so that a budget and the planned disbursements or commitments that spend it are not added up twice.
STAGE_BASES: dict[str, tuple[tuple[str, ...], ...]] = {
    FundingLine.Stage.PIPELINE: (("planned",), ("budget",)),
    FundingLine.Stage.PLANNED: (("planned",), ("budget",)),
    FundingLine.Stage.COMMITTED: (("commitment",), ("budget",)),  # commitments, else budgets marked committed
    FundingLine.Stage.SPENT: (("disbursement", "expenditure"),),
}


def stage_lines(lines: Iterable[FundingLine], stage: str) -> list[FundingLine]:
    """The lines of one activity that count at `stage` (never "other" transactions: incoming funds, interest…)."""
    at_stage = [line for line in lines if line.stage == stage and line.kind != FundingLine.Kind.OTHER]
    for kinds in STAGE_BASES[stage]:
        chosen = _counting(at_stage, kinds)
        if chosen:
            return chosen
    return []


def _counting(lines: list[FundingLine], kinds: tuple[str, ...]) -> list[FundingLine]:
    """The lines of `kinds` as they count: negative budgets and forecasts left out, a revised budget in place of the
    original, reversals netted against the lines they correct (`amounts.net_reversals`: never below zero)."""
    chosen = [line for line in lines if line.kind in kinds and not amounts.is_negative_forecast(line)]
    if kinds == ("budget",):
        chosen = _latest_budgets(chosen)
    return amounts.net_reversals(chosen).lines


def by_year(line: FundingLine) -> dict[int, Decimal]:
    """A converted amount spread over the years of its period, pro rata by days (a dated line: its year)."""
    start = line.period_start or line.value_date
    if line.converted is None or start is None:
        return {}
    end = line.period_end if line.period_end and line.period_end > start else start
    days = (end - start).days + 1
    spread: dict[int, Decimal] = {}
    for year in range(start.year, end.year + 1):
        first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        spread[year] = (line.converted * ((last - first).days + 1) / days).quantize(CENT)
    return spread


def _latest_budgets(budgets: list[FundingLine]) -> list[FundingLine]:
    """A revised budget (type 2) replaces the original one (type 1) for the same period."""
    revised = {(b.period_start, b.period_end) for b in budgets if b.code == "2"}
    return [b for b in budgets if b.code == "2" or (b.period_start, b.period_end) not in revised]
