"""Helpers for meetings tests: member governments whose capitals sit in given zones, and the people who represent
them (a focal point with or without an account)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coalition.accounts.models import User
from coalition.directory.models import Country, Organisation, Participation, Person, Position
from coalition.directory.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
from coalition.meetings import services
from coalition.meetings.models import MeetingSeries
from coalition.programme.models import Activity, Goal, Objective, Programme

SINCE = dt.date(2015, 1, 1)

# Capitals round the globe, both hemispheres: enough spread that no single hour suits everyone.
GLOBE = {
    "NL": "Europe/Amsterdam",
    "US": "America/New_York",
    "CL": "America/Santiago",
    "JP": "Asia/Tokyo",
    "NZ": "Pacific/Auckland",
    "KE": "Africa/Nairobi",
}


def government(
    code: str, tz: str | None = None, *, status: str | None = "member", since: dt.date = SINCE
) -> Organisation:
    """The government of country `code`, its capital in zone `tz` (a new country takes GLOBE's zone, else none),
    with a participation step `status` from `since` (None: no step)."""
    country, _ = Country.objects.get_or_create(
        code=code,
        defaults={"alpha3": f"{code}X", "numeric": "999", "name": f"Country {code}", "capital_tz": GLOBE.get(code, "")},
    )
    if tz is not None and country.capital_tz != tz:
        country.capital_tz = tz
        country.save(update_fields=["capital_tz"])
    org = Organisation.objects.filter(country=country, kind=Organisation.Kind.GOVERNMENT).first()
    if org is None:
        org = OrganisationFactory.create(
            name=f"Government of {code}", short_name=code, kind=Organisation.Kind.GOVERNMENT, country=country
        )
    if status:
        Participation.objects.update_or_create(organisation=org, effective_on=since, defaults={"status": status})
    return org


def members(*codes: str) -> list[Organisation]:
    return [government(code) for code in (codes or tuple(GLOBE))]


def focal_point(
    org: Organisation,
    *,
    account: bool = True,
    kind: str = Position.Kind.FOCAL_POINT,
    starts_on: dt.date = dt.date(2020, 1, 1),
    **person_fields: Any,
) -> Person:
    """A person holding a position (a focal point by default) on behalf of `org`; with an account unless told."""
    person = PersonFactory.create(affiliation=org, **person_fields)
    PositionFactory.create(person=person, kind=kind, organisation=org, starts_on=starts_on)
    if account:
        User.objects.create_user(email=f"person-{person.pk}@example.org", password=None, person=person)
    return person


def activity(code: str = "3B.2", *, year: int = 2027) -> Activity:
    """A public Program of Action activity that minutes can serve as evidence for."""
    programme, _ = Programme.objects.get_or_create(
        year=year,
        defaults={
            "title": f"Program of Action {year}",
            "starts_on": dt.date(year, 1, 1),
            "ends_on": dt.date(year, 12, 31),
        },
    )
    objective_code, number = code.split(".")
    goal, _ = Goal.objects.get_or_create(
        programme=programme, number=int(objective_code[0]), defaults={"title": f"Goal {objective_code[0]}"}
    )
    objective, _ = Objective.objects.get_or_create(
        goal=goal, code=objective_code, defaults={"title": f"Objective {objective_code}"}
    )
    return Activity.objects.create(
        objective=objective, number=int(number), code=code, title=f"Activity {code}", target_on=programme.ends_on
    )


def create_series(*, by: Any, time_limit_seconds: float | None = None, **fields: Any) -> MeetingSeries:
    """`services.create_series` with the series' fields as keywords (a `SeriesSpec` built from them), as the tests
    read best."""
    return services.create_series(services.SeriesSpec(**fields), by=by, time_limit_seconds=time_limit_seconds)
