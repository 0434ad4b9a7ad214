"""Countries come from reference libraries: every ISO 3166-1 country, its M49 region, North/South and capital zone."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from coalition.directory.models import Country
from coalition.directory.services import load_countries

pytestmark = pytest.mark.django_db

ISO_3166_1_COUNTRIES = 249
M49_SNAPSHOT = (
    Path(settings.BASE_DIR).parent / "shared" / "data" / "country-codes" / "m49-developed-developing-2020.csv"
)
AGREEMENT_REQUIRED = 0.97


@pytest.fixture
def countries() -> dict[str, Country]:
    load_countries()
    return {country.code: country for country in Country.objects.all()}


def test_every_iso_3166_1_country_is_loaded(countries):
    assert len(countries) == ISO_3166_1_COUNTRIES


def test_loading_countries_twice_changes_nothing(countries):
    assert load_countries() == ISO_3166_1_COUNTRIES
    assert {c.code: c for c in Country.objects.all()} == countries


def test_loading_countries_repairs_an_edited_row(countries):
    Country.objects.filter(code="FR").update(capital_tz="Europe/Berlin", region="Asia")
    load_countries()
    france = Country.objects.get(code="FR")
    assert (france.capital_tz, france.region) == ("Europe/Paris", "Europe")


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("US", "America/New_York"),
        ("BR", "America/Sao_Paulo"),
        ("AU", "Australia/Sydney"),
        ("CA", "America/Toronto"),
        ("RU", "Europe/Moscow"),
        ("NZ", "Pacific/Auckland"),
        ("CL", "America/Santiago"),
        ("KE", "Africa/Nairobi"),
    ],
)
def test_the_capitals_zone_is_the_one_its_clocks_follow(countries, code, zone):
    assert countries[code].capital_tz == zone


def test_a_countrys_zones_include_its_capitals_zone(countries):
    for country in countries.values():
        if country.time_zones:
            assert country.capital_tz in country.time_zones, country.code


def test_codes_match_iso_3166_1(countries):
    germany = countries["DE"]
    assert (germany.alpha3, germany.numeric, germany.name) == ("DEU", "276", "Germany")


@pytest.mark.parametrize(
    ("code", "region", "sub_region", "intermediate_region"),
    [
        ("KE", "Africa", "Sub-Saharan Africa", "Eastern Africa"),
        ("CL", "Americas", "Latin America and the Caribbean", "South America"),
        ("CA", "Americas", "Northern America", ""),
        ("EE", "Europe", "Northern Europe", ""),
        ("JP", "Asia", "Eastern Asia", ""),
        ("NZ", "Oceania", "Australia and New Zealand", ""),
    ],
)
def test_m49_regions_nest_intermediate_regions_under_their_sub_region(
    countries, code, region, sub_region, intermediate_region
):
    country = countries[code]
    assert (country.region, country.sub_region, country.intermediate_region) == (
        region,
        sub_region,
        intermediate_region,
    )


@pytest.mark.parametrize(
    ("code", "development"),
    [
        ("EE", "north"),
        ("US", "north"),
        ("AU", "north"),
        ("JP", "north"),
        ("IL", "north"),
        ("CY", "north"),
        ("GH", "south"),
        ("MX", "south"),
        ("KR", "south"),
        ("TN", "south"),
    ],
)
def test_global_north_and_south_follow_the_m49_developed_regions_convention(countries, code, development):
    assert countries[code].development == development


def test_antarctica_has_no_region_and_no_development_class(countries):
    antarctica = countries["AQ"]
    assert (antarctica.region, antarctica.development) == ("", "")


def _agreement(rows: list[dict[str, str]], countries: dict[str, Country], column: str, ours) -> tuple[int, int]:
    compared = [row for row in rows if row[column] and row["ISO3166-1-Alpha-2"] in countries]
    agreeing = [row for row in compared if ours(countries[row["ISO3166-1-Alpha-2"]], row[column])]
    return len(agreeing), len(compared)


@pytest.mark.realdata
def test_north_south_and_regions_agree_with_the_un_m49_snapshot(countries):
    if not M49_SNAPSHOT.exists():
        pytest.skip(f"{M49_SNAPSHOT} is absent")
    with M49_SNAPSHOT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    figures = {
        "development": _agreement(
            rows,
            countries,
            "Developed / Developing Countries",
            lambda country, theirs: (country.development == "north") == (theirs == "Developed"),
        ),
        "region": _agreement(rows, countries, "Region Name", lambda country, theirs: country.region == theirs),
        "sub-region": _agreement(
            rows, countries, "Sub-region Name", lambda country, theirs: country.sub_region == theirs
        ),
    }

    summary = ", ".join(f"{name} {agree}/{total}" for name, (agree, total) in figures.items())
    print(f"Agreement with the UN M49 2020 snapshot: {summary}")
    for name in ("development", "region"):
        agree, total = figures[name]
        assert total > 240, summary
        assert agree / total >= AGREEMENT_REQUIRED, summary
