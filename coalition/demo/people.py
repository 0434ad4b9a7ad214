"""The demo's directory: real members and bodies, offices, chair terms, fictitious people and their accounts."""

from __future__ import annotations

import datetime as dt

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo import data
from coalition.demo.logins import DEMO_DOMAIN, DEMO_PASSWORD, LOGINS
from coalition.directory.models import (
    Body,
    ChairTerm,
    Country,
    Office,
    Organisation,
    Participation,
    Person,
    Position,
)
from coalition.directory.queries import today


def members(countries: dict[str, Country]) -> dict[str, Organisation]:
    governments = {}
    for code, year, note in data.FOC_MEMBERS:
        country = countries[code]
        org = Organisation.objects.create(
            name=f"Government of {country.name_in_text}",
            short_name=country.name,
            kind=Organisation.Kind.GOVERNMENT,
            country=country,
            classification=Classification.PUBLIC,
        )
        precision = Participation.Precision.DAY
        if year == 2011:
            joined = dt.date(*data.FOUNDED_ON)
        elif code == "LV":
            joined = dt.date(*data.LATVIA_JOINED_ON)
        elif year:
            # Only the year is known: dated at its end, so no day within it claims a membership not yet certain.
            joined, precision = dt.date(year, 12, 31), Participation.Precision.YEAR
        else:
            joined, precision = dt.date(2024, 1, 1), Participation.Precision.BY_YEAR
        Participation.objects.create(
            organisation=org,
            status=Participation.Status.MEMBER,
            effective_on=joined,
            precision=precision,
            note=note,
        )
        governments[code] = org
    # A candidate's dated path, and a fictitious regional observer: the pipeline and the observer role.
    brazil = Organisation.objects.create(
        name="Government of Brazil",
        short_name="Brazil",
        country=countries["BR"],
        kind=Organisation.Kind.GOVERNMENT,
    )
    Participation.objects.create(
        organisation=brazil,
        status=Participation.Status.CANDIDATE,
        effective_on=today() - dt.timedelta(days=120),
        note="Demo data: fictitious",
    )
    Participation.objects.create(
        organisation=brazil,
        status=Participation.Status.INVITED,
        effective_on=today() - dt.timedelta(days=30),
        note="Demo data: fictitious",
    )
    observer = Organisation.objects.create(
        name="Demo Regional Forum (fictitious)", short_name="DRF", kind=Organisation.Kind.REGIONAL
    )
    Participation.objects.create(
        organisation=observer,
        status=Participation.Status.OBSERVER,
        effective_on=dt.date(2022, 6, 1),
        note="Demo data: fictitious",
    )
    governments["_observer"] = observer
    for name, short, kind in data.OTHER_ORGANISATIONS:
        Organisation.objects.create(name=name, short_name=short, kind=kind)
    governments["_csos"] = Organisation.objects.create(
        name="Example Digital Rights Centre (fictitious)",
        short_name="EDRC",
        kind=Organisation.Kind.CIVIL_SOCIETY,
    )
    Organisation.objects.create(name="Sample University Internet Lab (fictitious)", kind=Organisation.Kind.ACADEMIA)
    Organisation.objects.create(
        name="Demo Development Agency (fictitious)",
        country=None,
        kind=Organisation.Kind.DONOR_AGENCY,
        parent=governments["SE"],
    )
    return governments


def bodies(countries: dict[str, Country]) -> dict[str, Body]:
    bodies = {}
    for slug, name, kind, mandate in data.BODIES:
        classification = Classification.PUBLIC
        sunset = today() + dt.timedelta(days=400) if kind in {"task_force", "working_group"} else None
        bodies[slug] = Body.objects.create(
            slug=slug, name=name, kind=kind, mandate=mandate, sunset_on=sunset, classification=classification
        )
    for slug, name, city, zone, _host in data.NETWORKS:
        bodies[slug] = Body.objects.create(
            slug=slug,
            name=name,
            kind=Body.Kind.DIPLOMATIC_NETWORK,
            city=city,
            time_zone=zone,
            classification=Classification.PUBLIC,
        )
    return bodies


def offices(governments: dict[str, Organisation], bodies: dict[str, Body], countries: dict[str, Country]) -> None:
    codes = [code for code, _, _ in data.FOC_MEMBERS]
    for index, code in enumerate(codes):
        org, country = governments[code], countries[code]
        Office.objects.create(
            organisation=org,
            kind=Office.Kind.MINISTRY,
            name=f"Ministry of Foreign Affairs of {country.name_in_text}",
            city=country.capital or country.name,
            host_country=country,
            time_zone=country.capital_tz or "UTC",
        )
        for n, (slug, _name, city, zone, host) in enumerate(data.NETWORKS):
            if (index + n) % 5 == 4:  # most members have a mission in each network city; a few do not
                continue
            Office.objects.create(
                organisation=org,
                kind=Office.Kind.MISSION,
                name=f"Mission of {country.name_in_text} in {city}",
                city=city,
                host_country=countries[host],
                time_zone=zone,
                network=bodies[slug],
            )


def chair_terms(governments: dict[str, Organisation], on: dt.date) -> Organisation:
    for code, year in data.CHAIR_TERMS:
        ChairTerm.objects.create(
            organisation=governments[code],
            year=year,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            note="Program of Action 2023",
        )
    # Relative to today: a previous and a current chair (fictitious), no next chair yet, so the 3A.1 flag shows.
    for code, year in [("EE", on.year - 1), ("CL", on.year)]:
        if year > 2023:
            ChairTerm.objects.create(
                organisation=governments[code],
                year=year,
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                note="Demo data: fictitious term",
            )
    return governments["CL"]


def make_person(
    name: str,
    affiliation: Organisation | None,
    zone: str,
    *,
    classification: str = Classification.COALITION,
    email: str = "",
    phone: str = "",
) -> Person:
    return Person.objects.create(
        full_name=name,
        affiliation=affiliation,
        time_zone=zone,
        email=email,
        phone=phone,
        classification=classification,
    )


def people(
    governments: dict[str, Organisation], bodies: dict[str, Body], chair: Organisation, on: dt.date
) -> dict[str, Person]:
    long_ago = dt.date(on.year - 2, 1, 1)
    people: dict[str, Person] = {}
    spec: dict[str, tuple[Organisation | None, list[tuple[str, Body | None, Organisation | None, str]]]] = {
        "support": (
            None,
            [(Position.Kind.SUPPORT_UNIT_STAFF, bodies["support-unit"], None, "Programme officer")],
        ),
        "chair": (chair, [(Position.Kind.FOCAL_POINT, bodies["chair"], chair, "Chair's lead")]),
        "focal": (governments["EE"], [(Position.Kind.FOCAL_POINT, None, governments["EE"], "Focal point")]),
        "official": (governments["GH"], [(Position.Kind.OFFICIAL, None, governments["GH"], "Desk officer")]),
        "observer": (
            governments["_observer"],
            [(Position.Kind.OFFICIAL, None, governments["_observer"], "Observer delegate")],
        ),
        "advisory": (
            governments["_csos"],
            [
                (
                    Position.Kind.MEMBER,
                    bodies["advisory-network"],
                    governments["_csos"],
                    "Advisory Network member",
                )
            ],
        ),
        "guest": (None, [(Position.Kind.GUEST, bodies["tf-ai-human-rights"], None, "Invited expert")]),
    }
    for _role, login, name, zone in LOGINS:
        affiliation, positions = spec[login]
        person = make_person(name, affiliation, zone, email=f"{login}@{DEMO_DOMAIN}", phone="+00 0000 0000")
        for kind, body, org, title in positions:
            ends = on + dt.timedelta(days=14) if kind == Position.Kind.GUEST else None
            Position.objects.create(
                person=person,
                kind=kind,
                body=body,
                organisation=org,
                title=title,
                starts_on=long_ago,
                ends_on=ends,
            )
        people[login] = person
    # Network points of contact: most members covered, some terms ending within 60 days, some gaps.
    first_names = ["Alex", "Bea", "Chen", "Dara", "Eli", "Fatou", "Goran", "Hana", "Ines", "Jae"]
    codes = [code for code, _, _ in data.FOC_MEMBERS]
    for index, code in enumerate(codes):
        for n, (slug, _name, city, zone, _host) in enumerate(data.NETWORKS):
            if (index * 3 + n) % 7 == 0:
                continue  # a gap in the coverage matrix
            ending = on + dt.timedelta(days=20 + index) if (index + n) % 9 == 0 else None
            poc = make_person(
                f"{first_names[(index + n) % 10]} Example-{code}{n}",
                governments[code],
                zone,
                email=f"poc-{code.lower()}-{slug}@{DEMO_DOMAIN}",
            )
            Position.objects.create(
                person=poc,
                kind=Position.Kind.NETWORK_POC,
                body=bodies[slug],
                organisation=governments[code],
                title=f"{city} network POC",
                starts_on=long_ago,
                ends_on=ending,
            )
    # A members-only record, to show what the Advisory Network and observers do not see.
    sensitive = make_person(
        "Morgan Restricted-Example",
        governments["KE"],
        "Africa/Nairobi",
        classification=Classification.MEMBERS,
    )
    Position.objects.create(
        person=sensitive,
        kind=Position.Kind.OFFICIAL,
        organisation=governments["KE"],
        title="Cyber diplomacy lead",
        starts_on=long_ago,
        classification=Classification.MEMBERS,
    )
    return people


def accounts(people: dict[str, Person]) -> None:
    for _role, login, _name, _tz in LOGINS:
        user = User.objects.create_user(email=f"{login}@{DEMO_DOMAIN}", password=DEMO_PASSWORD, person=people[login])
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)


def demo_focal_point(government: Organisation, name: str, zone: str) -> User:
    """A fictitious focal point with an account that cannot sign in (no password): they responded in the past."""
    person = make_person(name, government, zone, email=f"focal-{government.country.code.lower()}@{DEMO_DOMAIN}")  # type: ignore[union-attr]
    Position.objects.create(
        person=person,
        kind=Position.Kind.FOCAL_POINT,
        organisation=government,
        title="Focal point",
        starts_on=dt.date(2020, 1, 1),
    )
    user = User.objects.create_user(email=person.email, password=None, person=person)
    return user
