"""Factories for directory rows, and `person_with_role`, which builds the positions that give each role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from coalition.core.policy import Classification, Role
from coalition.directory.models import Body, ChairTerm, Country, Organisation, Participation, Person, Position


def country(code: str = "EE") -> Country:
    """Countries come from the reference libraries (loaded once per test database)."""
    found = Country.objects.filter(code=code).first()
    if found:
        return found
    return Country.objects.create(
        code=code,
        alpha3=code + "X",
        numeric="999",
        name=f"Country {code}",
        region="Europe",
        development=Country.Development.NORTH,
        capital_tz="Europe/Tallinn",
    )


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.CIVIL_SOCIETY
    classification = Classification.PUBLIC


def government(code: str, *, status: str | None = "member", since: dt.date = dt.date(2015, 1, 1)) -> Organisation:
    org = Organisation.objects.filter(country__code=code, kind="government").first()
    if org is None:
        org = OrganisationFactory.create(name=f"Government of {code}", kind="government", country=country(code))
    if status:
        Participation.objects.get_or_create(organisation=org, effective_on=since, defaults={"status": status})
    return org


class BodyFactory(factory.django.DjangoModelFactory[Body]):
    class Meta:
        model = Body
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Body {n}")
    slug = factory.Sequence(lambda n: f"body-{n}")
    kind = Body.Kind.TASK_FORCE
    classification = Classification.PUBLIC


def body(kind: str) -> Body:
    return BodyFactory.create(slug=kind.replace("_", "-"), name=kind.replace("_", " ").title(), kind=kind)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    time_zone = "Europe/Tallinn"
    classification = Classification.COALITION


class PositionFactory(factory.django.DjangoModelFactory[Position]):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    kind = Position.Kind.OFFICIAL
    starts_on = dt.date(2020, 1, 1)
    classification = Classification.COALITION


def chair_term(org: Organisation, year: int) -> ChairTerm:
    return ChairTerm.objects.create(
        organisation=org, year=year, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31)
    )


def person_with_role(role: Role, **person_fields: Any) -> Person:
    """A person whose current positions give exactly `role` (plus what it implies, e.g. focal point → official)."""
    since = dt.date(2020, 1, 1)
    if role == Role.SUPPORT_UNIT:
        person = PersonFactory.create(**person_fields)
        PositionFactory(
            person=person, kind=Position.Kind.SUPPORT_UNIT_STAFF, body=body("support_unit"), starts_on=since
        )
    elif role == Role.CHAIR:
        person = PersonFactory.create(**person_fields)
        PositionFactory(person=person, kind=Position.Kind.CHAIR_LEAD, body=body("chair"), starts_on=since)
    elif role in (Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
        org = government("EE")
        person = PersonFactory.create(affiliation=org, **person_fields)
        kind = Position.Kind.FOCAL_POINT if role == Role.FOCAL_POINT else Position.Kind.OFFICIAL
        PositionFactory(person=person, kind=kind, organisation=org, starts_on=since)
    elif role == Role.OBSERVER:
        org = government("BR", status="observer")
        person = PersonFactory.create(affiliation=org, **person_fields)
        PositionFactory(person=person, kind=Position.Kind.OFFICIAL, organisation=org, starts_on=since)
    elif role == Role.ADVISORY_NETWORK:
        cso = OrganisationFactory(kind=Organisation.Kind.CIVIL_SOCIETY)
        person = PersonFactory.create(affiliation=cso, **person_fields)
        PositionFactory(
            person=person, kind=Position.Kind.MEMBER, body=body("advisory_network"), organisation=cso, starts_on=since
        )
    elif role == Role.GUEST:
        person = PersonFactory.create(**person_fields)
        PositionFactory(person=person, kind=Position.Kind.GUEST, body=body("task_force"), starts_on=since)
    else:
        raise ValueError(f"No positions give the role {role}")
    return person
