"""What a rotation is made of: participants, the burden categories and points, ledgers, schedules and plans,
and how one meeting counts for one participant (`classify_meeting`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coalition.core.errors import InvalidInput

SOLVER_OPTIMAL = "cp-sat optimal"


SOLVER_FEASIBLE = "cp-sat feasible within time limit"


SOLVER_HEURISTIC = "heuristic"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Category(enum.StrEnum):
    WORKING = "working"
    UNSOCIAL = "unsocial"
    NIGHT = "night"


SEVERITY = {Category.WORKING: 0, Category.UNSOCIAL: 1, Category.NIGHT: 2}


DAY = 24 * 3600


# Local wall-clock bands: (first second of the band, category); each runs to the next band or to midnight.
_BANDS = (
    (0, Category.NIGHT),
    (7 * 3600, Category.UNSOCIAL),
    (8 * 3600, Category.WORKING),
    (19 * 3600, Category.UNSOCIAL),
    (22 * 3600, Category.NIGHT),
)


class RotationImpossible(InvalidInput):
    """No rotation can meet a constraint; `field` names the constraint (host, weekday, max_nights_per_quarter)."""


class RotationUndecided(RotationImpossible):
    """Neither found nor proven impossible: CP-SAT ran out of its time and the fast search found nothing. Refused
    like an impossible one where the time given was all there is (the task worker's), but a web request with its
    short budget hands such a rotation to the worker instead of refusing one that may well exist."""


@dataclass(frozen=True, kw_only=True)
class Participant:
    key: str
    tz: str
    weight: int = 1

    @property
    def label(self) -> str:
        return self.key if self.key == self.tz else f"{self.key} ({self.tz})"


@dataclass(frozen=True, kw_only=True)
class BurdenPoints:
    working: int = 0
    unsocial: int = 1
    night: int = 3

    def of(self, category: Category) -> int:
        return {Category.WORKING: self.working, Category.UNSOCIAL: self.unsocial, Category.NIGHT: self.night}[category]


@dataclass(frozen=True, kw_only=True)
class LedgerEntry:
    starts_at: datetime
    local_start: datetime
    category: Category
    points: int
    cumulative: int


@dataclass(frozen=True, kw_only=True)
class Ledger:
    participant: Participant
    entries: tuple[LedgerEntry, ...]

    @property
    def total(self) -> int:
        return self.entries[-1].cumulative if self.entries else 0

    @property
    def nights(self) -> int:
        return sum(1 for entry in self.entries if entry.category == Category.NIGHT)


@dataclass(frozen=True, kw_only=True)
class Schedule:
    starts_at: tuple[datetime, ...]
    ledgers: tuple[Ledger, ...]
    worst_off: int
    worst_off_keys: tuple[str, ...]
    total: int

    def ledger(self, key: str) -> Ledger:
        return next(ledger for ledger in self.ledgers if ledger.participant.key == key)


@dataclass(frozen=True, kw_only=True)
class RotationPlan:
    rotation: Schedule
    fixed: Schedule  # the best single UTC time; within the constraints when any single time meets them
    fixed_time: time
    fixed_meets_constraints: bool
    solver: str
    solve_seconds: float
    explanation: str


def classify_meeting(*, starts_at: datetime, duration: timedelta, tz: str | tzinfo) -> Category:
    """The worst category of local hours that a meeting touches in zone `tz` on its actual date."""
    if starts_at.tzinfo is None:
        raise InvalidInput("A meeting's start must carry its time zone (UTC).", field="starts_at")
    zone = zone_info(tz) if isinstance(tz, str) else tz
    length = int(duration.total_seconds())
    local_start = starts_at.astimezone(zone)
    local_end = (starts_at + duration).astimezone(zone)
    # Without a clock change the two readings agree; across one, each covers the wall-clock span on its side.
    from_start = _worst_between(_seconds_of_day(local_start), length)
    to_end = _worst_between((_seconds_of_day(local_end) - length) % DAY, length)
    return max(from_start, to_end, key=SEVERITY.__getitem__)


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"{name!r} is not an IANA time zone.", field="participants") from error


def _seconds_of_day(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _worst_between(start: int, length: int) -> Category:
    """The worst category touched by wall-clock seconds [start, start + length), start within one day."""
    worst = Category.WORKING
    end = start + length
    for day in (0, DAY):
        for index, (band_start, category) in enumerate(_BANDS):
            band_end = _BANDS[index + 1][0] if index + 1 < len(_BANDS) else DAY
            if day + band_start < end and start < day + band_end and SEVERITY[category] > SEVERITY[worst]:
                worst = category
    return worst
