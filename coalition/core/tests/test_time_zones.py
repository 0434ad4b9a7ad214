"""The time-zone select (issue 17, item 6): tzdata's zones by place, grouped by region, without the 180 aliases
that `zoneinfo.available_timezones()` adds ("Africa/Asmera"); an alias saved or posted before is still accepted and
shown as its listed zone; a search box comes from a static script, the select working without it."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable

import pytest
from django.test import Client

from coalition.core.forms import TimeZoneField
from coalition.core.policy import Role
from coalition.core.time_zones import canonical_zone, canonical_zones, grouped_choices

ALIASES = {
    "Africa/Asmera": "Africa/Asmara",
    "US/Eastern": "America/New_York",
    "Asia/Calcutta": "Asia/Kolkata",
    "Europe/Kiev": "Europe/Kyiv",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "GB": "Europe/London",
    "Etc/UTC": "UTC",
}
SELECTED = re.compile(r'<option value="([^"]+)" selected>')


def test_the_list_holds_one_name_per_place_and_no_aliases() -> None:
    zones = canonical_zones()
    assert zones <= zoneinfo.available_timezones()
    assert len(zones) < 450 < len(zoneinfo.available_timezones())
    assert not zones & set(ALIASES)
    assert {"UTC", "Africa/Asmara", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Pacific/Auckland"} <= zones


@pytest.mark.parametrize(("alias", "listed"), sorted(ALIASES.items()))
def test_an_alias_reads_as_the_listed_zone_of_its_place(alias: str, listed: str) -> None:
    assert canonical_zone(alias) == listed
    assert zoneinfo.ZoneInfo(alias).utcoffset(None) == zoneinfo.ZoneInfo(listed).utcoffset(None)


def test_the_zones_are_grouped_by_region_after_utc() -> None:
    choices = grouped_choices()
    assert choices[0] == ("UTC", "UTC")
    regions = [str(label) for label, _zones in choices[1:]]
    assert regions[:2] == ["Africa", "Americas"] and "Pacific Ocean" in regions
    africa = dict(choices[1][1])
    assert africa["Africa/Asmara"] == "Asmara" and "Africa/Asmera" not in africa


def test_the_field_accepts_an_alias_as_its_listed_zone_and_refuses_what_is_no_zone() -> None:
    field = TimeZoneField()
    assert field.clean("Africa/Asmera") == "Africa/Asmara"
    assert field.clean("Etc/GMT+5") == "Etc/GMT+5"  # an IANA zone, though no place: accepted as it is
    with pytest.raises(Exception, match="valid choice"):
        field.clean("Mars/Olympus_Mons")


@pytest.fixture
def official(signed_in_client: Callable[..., Client]) -> Client:
    return signed_in_client(Role.MEMBER_OFFICIAL)


def test_the_account_page_offers_the_zones_grouped_with_a_search_script(official: Client) -> None:
    body = official.get("/accounts/me/").content.decode()
    select = body[body.index('<select name="time_zone"') : body.index("</select>")]
    assert select.count("<optgroup") == len({label for label, _zones in grouped_choices()[1:]})
    assert 'value="Africa/Asmera"' not in select and 'value="Africa/Asmara"' in select
    assert select.count("<option") == len(canonical_zones())
    assert 'data-zone-search="Search the time zones"' in select
    assert '<script src="/static/core/time_zone_search.js" defer></script>' in body


def test_a_saved_alias_is_shown_as_its_listed_zone(official: Client) -> None:
    person = official.user.person  # type: ignore[attr-defined]
    person.time_zone = "Africa/Asmera"
    person.save(update_fields=["time_zone"])
    body = official.get("/accounts/me/").content.decode()
    select = body[body.index('<select name="time_zone"') : body.index("</select>")]
    assert SELECTED.findall(select) == ["Africa/Asmara"]


def test_a_posted_alias_is_accepted_and_saved_as_its_listed_zone(official: Client) -> None:
    response = official.post("/accounts/me/", {"time_zone": "Asia/Calcutta"})
    assert response.status_code == 302
    person = official.user.person  # type: ignore[attr-defined]
    person.refresh_from_db()
    assert person.time_zone == "Asia/Kolkata"
