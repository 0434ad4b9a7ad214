"""The time zones people choose from, and the name an old alias is listed under.

Python's `zoneinfo.available_timezones()` gives some 600 names, a third of them aliases kept for old data
("Africa/Asmera", "US/Eastern", "Asia/Calcutta"). People choose from tzdata's own list of zones by place, `zone.tab`
(the list pytz calls `common_timezones`), grouped by region. A saved alias is still accepted: it is read as the zone
tzdata links it to (`tzdata.zi`), or, where a listed zone spells the same place another way ("Africa/Asmara" for
"Africa/Asmera"), as that one. Both files come with the `tzdata` package, so the list is the data the clocks use.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from typing import Any

from django.utils.translation import gettext_lazy as _

UTC = "UTC"
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}
# How alike two city names must be to read as one place spelt two ways ("Asmera" and "Asmara": 0.83).
SAME_PLACE = 0.8


def _tzdata(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def canonical_zones() -> frozenset[str]:
    """UTC and the zones of tzdata's zone.tab: one name per place people live, no aliases."""
    rows = (line.split("\t") for line in _tzdata("zone.tab").splitlines() if line and not line.startswith("#"))
    return frozenset({UTC, *(row[2] for row in rows)})


@functools.cache
def _links() -> dict[str, str]:
    """Alias → the zone tzdata links it to (the "L target alias" lines of tzdata.zi)."""
    links = {}
    for line in _tzdata("tzdata.zi").splitlines():
        if line.startswith("L "):
            _marker, target, alias = line.split()
            links[alias] = target
    return links


def _target(name: str) -> str:
    links = _links()
    seen = {name}
    while name in links and links[name] not in seen:
        name = links[name]
        seen.add(name)
    return name


@functools.cache
def canonical_zone(name: str) -> str:
    """The listed zone a name is shown and saved as: itself when listed; for an alias, the listed zone for the same
    place spelt another way, else the zone tzdata links it to; an unlisted name that is no alias stays itself."""
    if name in canonical_zones():
        return name
    target = _target(name)
    city = name.rpartition("/")[2].lower()
    same_clock = [zone for zone in canonical_zones() if _target(zone) == target]
    alike = [
        (difflib.SequenceMatcher(None, city, zone.rpartition("/")[2].lower()).ratio(), zone) for zone in same_clock
    ]
    best = max(alike, default=(0.0, ""))
    if best[0] >= SAME_PLACE:
        return best[1]
    return target if target in canonical_zones() else name


@functools.cache
def grouped_choices() -> list[tuple[Any, Any]]:
    """UTC, then each region's zones in alphabetical order as an <optgroup>, cities named with spaces."""
    by_region: dict[str, list[tuple[str, str]]] = {}
    for zone in sorted(canonical_zones() - {UTC}):
        region, _slash, place = zone.partition("/")
        by_region.setdefault(region, []).append((zone, place.replace("_", " ").replace("/", " / ")))
    groups: list[tuple[Any, Any]] = [(UTC, UTC)]
    groups += [(REGIONS.get(region, region), zones) for region, zones in sorted(by_region.items())]
    return groups
