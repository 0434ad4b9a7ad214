"""Small pieces of HTML that many pages repeat, written once in Python (issue 20, page cost).

A moment with its zones and a classification badge were inclusion tags with a template each; a row of a long list
called them hundreds of times a page, and the rows written in Python (meetings, programme, directory) copied their
markup. Here is the one copy: the `show_time` and `classification_badge` tags and the Python rows all call it.
Alongside are what those rows share: a value escaped as `{{ value }}` writes it, a route reversed once a page and
filled per row, a date as the pages write it. Every function returns text in which each value is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from html import escape  # what django.utils.html.escape runs, without its lazy-string wrapper
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.encoding import iri_to_uri
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coalition.core import policy, wallclock

__all__ = [
    "Route",
    "badge_html",
    "classification_of",
    "day",
    "escape",
    "moment",
    "text",
    "time_html",
    "time_values",
    "zone",
]

_SAFE_IN_PATH = "!$&'()*+,;=/~:@"  # what Django's `reverse` leaves unquoted in a path argument


def text(value: Any) -> str:
    """A value as a template's `{{ value }}` writes it: localized, then escaped unless already safe."""
    if type(value) is str:  # most values: localize leaves a plain string as it is, and escape is html.escape
        return escape(value)
    return str(conditional_escape(localize(value)))


class Route:
    """`{% url name *args value %}` for many rows: reversed once with a placeholder, the last argument filled per row
    (quoted as `reverse` quotes a path argument) and escaped as the tag's output is."""

    _PLACEHOLDER = "999999999"  # fits an int, slug or str path argument

    def __init__(self, name: str, *args: Any) -> None:
        self.pattern = reverse(name, args=[*args, self._PLACEHOLDER])

    def to(self, value: Any) -> str:
        filled = self.pattern.replace(self._PLACEHOLDER, quote(str(value), safe=_SAFE_IN_PATH))
        return escape(iri_to_uri(filled))


# --- Dates and moments ------------------------------------------------------------------------------------------


@functools.cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of this name (ZoneInfo keeps only a few strongly; a page asks for the same two or three per row)."""
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _months(language: str | None) -> tuple[str, ...]:
    # Django's "M": the translated three-letter month, title-cased (index 0 unused).
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


def day(value: dt.date) -> str:
    """`date_format(value, "j M Y")`, without the generic format machinery: the day, the active language's
    three-letter month, the year."""
    return f"{value.day} {_months(get_language())[value.month]} {value.year:04d}"


def moment(local: dt.datetime) -> str:
    """`date_format(local, "j M Y, H:i")` (see `day`), with the UTC offset where the clock shows that time twice."""
    shown = f"{day(local)}, {local.hour:02d}:{local.minute:02d}"
    return wallclock.clock_with_offset(local, shown)


def time_values(value: dt.datetime | None, viewer_tz: str, host_tz: str = "", quiet: bool = False) -> dict[str, Any]:
    """What a moment shows: on the viewer's clock, naming the zone; on the host's beside it where the zones differ
    (`quiet` leaves out the warning that they differ)."""
    if value is None:
        return {"value": None}
    host = None
    if host_tz and host_tz != viewer_tz:
        host = timezone.localtime(value, zone(host_tz))
    return {
        "value": value,
        "iso": value.astimezone(zone("UTC")).isoformat(),
        "local": moment(timezone.localtime(value, zone(viewer_tz))),
        "viewer_tz": viewer_tz,
        "host": moment(host) if host else "",
        "host_tz": host_tz,
        "quiet": quiet,
    }


@functools.cache
def _time_words(language: str | None) -> tuple[str, str]:
    # Translated once per language, not per row.
    return escape(_("your time zone")), escape(_("differs from your zone"))


def time_html(shown: dict[str, Any]) -> SafeString:
    """The markup of a moment for the values `time_values` gives ("—" for none)."""
    if not shown["value"]:
        return mark_safe("—")
    your_zone, differs = _time_words(get_language())
    out = (
        f'<time datetime="{escape(shown["iso"])}">{escape(shown["local"])} '
        f'<abbr title="{your_zone}">{escape(shown["viewer_tz"])}</abbr></time>'
    )
    if shown["host"]:
        warning = "" if shown["quiet"] else f' — <strong class="warn">{differs}</strong>'
        out += f' <span class="host-time">({escape(shown["host"])} {escape(shown["host_tz"])}{warning})</span>'
    return mark_safe(out)  # noqa: S308  # every value escaped above


# --- Classification ---------------------------------------------------------------------------------------------


def classification_of(obj: Any) -> str:
    """A record's classification: its own, or its model's fixed one."""
    return str(getattr(obj, "classification", None) or getattr(type(obj), "fixed_classification", "public"))


@functools.cache
def _badge(language: str | None, value: str) -> SafeString:
    label = policy.Classification(value).label
    return mark_safe(f'<span class="badge badge-{escape(value)}">{escape(str(label))}</span>')  # noqa: S308


def badge_html(obj: Any) -> SafeString:
    """A record's classification badge (written once per language and classification)."""
    return _badge(get_language(), classification_of(obj))
