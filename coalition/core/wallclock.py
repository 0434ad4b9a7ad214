"""Wall-clock times typed by people, in a named zone: the hour a clock change skips and the hour it repeats.

Python (PEP 495) reads a skipped time with the offset before the change, an hour later on the new clock, and a
repeated time as its first occurrence; both silently. A deadline or a meeting typed into those hours is refused with
what to type instead, or asked which of the two it is, and a repeated-hour time is shown with its UTC offset, so
nobody reads "02:30" without knowing which one (issue 17, item 9).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coalition.core.errors import InvalidInput

FIRST, SECOND = "first", "second"  # which occurrence of a repeated time: before the clocks go back, or after


def offset_label(moment: dt.datetime) -> str:
    """ "UTC+1", "UTC+5:30", "UTC-3", "UTC" for an aware moment."""
    offset = moment.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > dt.timedelta(0) else "-"
    hours, rest = divmod(abs(offset), dt.timedelta(hours=1))
    minutes = rest // dt.timedelta(minutes=1)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def is_repeated(local: dt.datetime) -> bool:
    """Whether this wall-clock time happens twice in its zone (the hour a fall-back change repeats)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset() and _exists(other)


def clock_with_offset(local: dt.datetime, shown: str) -> str:
    """`shown` (a time as a page writes it) followed by the UTC offset when that time happens twice in its zone."""
    return f"{shown} ({offset_label(local)})" if is_repeated(local) else shown


def local_instant(
    day: dt.date, clock: dt.time, zone: str, *, field: str, occurrence: str = "", occurrence_field: str = "occurrence"
) -> dt.datetime:
    """The instant a person means by `clock` on `day` in `zone`. A time the clocks skip raises InvalidInput on
    `field` with the times to choose instead; a time they repeat needs `occurrence` (FIRST or SECOND), else raises
    InvalidInput on `occurrence_field` naming the two offsets."""
    tz = ZoneInfo(zone)
    local = dt.datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=tz)
    if not _exists(local):
        after = local.astimezone(dt.UTC).astimezone(tz)
        before = local.replace(fold=1).astimezone(dt.UTC).astimezone(tz)
        raise InvalidInput(
            _("%(time)s on %(day)s does not exist in %(zone)s (clocks go forward); choose %(after)s or %(before)s.")
            % {
                "time": f"{clock:%H:%M}",
                "day": date_format(day, "j F"),
                "zone": zone,
                "after": f"{after:%H:%M}",
                "before": f"{before:%H:%M}",
            },
            field=field,
        )
    if is_repeated(local):
        if occurrence not in (FIRST, SECOND):
            raise InvalidInput(
                _(
                    "%(time)s on %(day)s happens twice in %(zone)s (clocks go back): choose %(time)s (%(first)s), "
                    "before the change, or %(time)s (%(second)s), after it."
                )
                % {
                    "time": f"{clock:%H:%M}",
                    "day": date_format(day, "j F"),
                    "zone": zone,
                    "first": offset_label(local.replace(fold=0)),
                    "second": offset_label(local.replace(fold=1)),
                },
                field=occurrence_field,
            )
        local = local.replace(fold=0 if occurrence == FIRST else 1)
    return local


def _exists(local: dt.datetime) -> bool:
    """Whether a wall-clock time is shown by the zone's clocks (a skipped one comes back as another time)."""
    back = local.astimezone(dt.UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None, fold=0)
