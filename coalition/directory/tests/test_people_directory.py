"""The people directory (/people/): each role sees exactly the people and positions the policy lets it see, contact
details only where `directory.view_contact` allows, filters that combine on one position, a clear refusal of a
filter value naming nothing the reader may choose, and a query count that does not grow with the page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification as C
from coalition.core.policy import Role as R
from coalition.core.tests.clients import client_for, text_of
from coalition.directory import queries
from coalition.directory.models import Body, Organisation, Person, Position
from coalition.directory.tests.factories import (
    BodyFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    body,
    government,
)
from coalition.directory.views_people import PEOPLE_PER_PAGE

pytestmark = pytest.mark.django_db

NAMES = ["Ana Public", "Ben Coalition", "Cleo Members", "Dana Restricted", "Eve Civil"]
CIVIL_EMAIL = "eve@cso.example"


@dataclass
class World:
    estonia: Organisation
    ghana: Organisation
    geneva: Body
    people: dict[str, Person]


def _person(name: str, classification: str, affiliation: Any, email: str, audience: Any = None) -> Person:
    return PersonFactory.create(
        full_name=name,
        classification=classification,
        audience=audience,
        affiliation=affiliation,
        email=email,
        phone="+1 555 0100",
    )


@pytest.fixture
def world() -> World:
    estonia, ghana = government("EE"), government("GH")
    geneva = BodyFactory.create(slug="geneva", name="Geneva network", kind=Body.Kind.DIPLOMATIC_NETWORK)
    ghana_only = Audience.objects.create(name="Ghana only")
    AudienceMember.objects.create(audience=ghana_only, principal=f"org:{ghana.pk}")
    people = {
        "Ana Public": _person("Ana Public", C.PUBLIC, estonia, "ana@gov.example"),
        "Ben Coalition": _person("Ben Coalition", C.COALITION, ghana, "ben@gov.example"),
        "Cleo Members": _person("Cleo Members", C.MEMBERS, estonia, "cleo@gov.example"),
        "Dana Restricted": _person("Dana Restricted", C.RESTRICTED, ghana, "dana@gov.example", ghana_only),
        "Eve Civil": _person("Eve Civil", C.COALITION, OrganisationFactory.create(name="Open Net CSO"), CIVIL_EMAIL),
    }
    PositionFactory(person=people["Ana Public"], organisation=estonia, classification=C.PUBLIC)
    PositionFactory(
        person=people["Ben Coalition"], organisation=ghana, kind=Position.Kind.FOCAL_POINT, classification=C.COALITION
    )
    PositionFactory(person=people["Cleo Members"], organisation=estonia, classification=C.MEMBERS)
    PositionFactory(
        person=people["Cleo Members"],
        organisation=estonia,
        body=geneva,
        kind=Position.Kind.NETWORK_POC,
        classification=C.MEMBERS,
    )
    PositionFactory(
        person=people["Dana Restricted"], organisation=ghana, classification=C.RESTRICTED, audience=ghana_only
    )
    PositionFactory(
        person=people["Eve Civil"],
        organisation=people["Eve Civil"].affiliation,
        body=body("advisory_network"),
        kind=Position.Kind.MEMBER,
        classification=C.COALITION,
    )
    return World(estonia=estonia, ghana=ghana, geneva=geneva, people=people)


def _listed(response: Any) -> set[str]:
    """The world's people the page lists (the viewers' own people are listed too, under factory names)."""
    return {name for name in NAMES if f">{name}" in response.content.decode()}


def _row(response: Any, name: str) -> str:
    """The words of the table row that lists `name`."""
    html = response.content.decode()
    start = html.index(f">{name}")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</tr>", start)]))


def _viewer(make_user: Any, role: R) -> Any:
    return None if role == R.ANONYMOUS else make_user(role)


GOVERNMENT_PEOPLE = {"Ana Public", "Ben Coalition", "Cleo Members"}
# Who each role reads (Dana is restricted to Ghana: see the test of a Ghanaian official below), and whose contacts.
EXPECTED: dict[R, tuple[set[str], set[str]]] = {
    R.SUPPORT_UNIT: (set(NAMES), set(NAMES)),
    R.CHAIR: ({*GOVERNMENT_PEOPLE, "Eve Civil"}, GOVERNMENT_PEOPLE),
    R.FOCAL_POINT: ({*GOVERNMENT_PEOPLE, "Eve Civil"}, GOVERNMENT_PEOPLE),
    R.MEMBER_OFFICIAL: ({*GOVERNMENT_PEOPLE, "Eve Civil"}, GOVERNMENT_PEOPLE),
    R.OBSERVER: ({"Ana Public", "Ben Coalition", "Eve Civil"}, set()),
    R.ADVISORY_NETWORK: ({"Ana Public", "Ben Coalition", "Eve Civil"}, set()),
    R.GUEST: ({"Ana Public"}, set()),
    R.ANONYMOUS: ({"Ana Public"}, set()),
}


@pytest.mark.parametrize("role", list(R))
def test_each_role_sees_exactly_the_people_and_contacts_the_policy_allows(world, make_user, role):
    response = client_for(_viewer(make_user, role)).get("/people/")
    assert response.status_code == 200
    seen, with_contact = EXPECTED[role]
    assert _listed(response) == seen
    for name in seen:
        email = world.people[name].email
        assert (email in _row(response, name)) is (name in with_contact), name
        assert ("Not shown to you" in _row(response, name)) is (name not in with_contact), name


def test_an_encrypted_civil_society_email_never_reaches_a_member_official(world, make_user):
    eve = world.people["Eve Civil"]
    stored = Person.objects.filter(pk=eve.pk).values_list("email", flat=True).query
    with connection.cursor() as cursor:
        cursor.execute(*stored.sql_with_params())
        (ciphertext,) = cursor.fetchone()
    assert ciphertext and CIVIL_EMAIL not in ciphertext  # encrypted at rest
    for role in (R.MEMBER_OFFICIAL, R.FOCAL_POINT, R.CHAIR):
        html = client_for(make_user(role)).get("/people/").content.decode()
        assert "Eve Civil" in html
        assert CIVIL_EMAIL not in html and ciphertext not in html and "cso.example" not in html
    assert CIVIL_EMAIL in client_for(make_user(R.SUPPORT_UNIT)).get("/people/").content.decode()


def test_a_person_named_in_a_restricted_audience_is_listed_with_contacts_to_that_member_only(world, make_user):
    ghanaian = make_user(R.MEMBER_OFFICIAL)
    position = ghanaian.person.positions.get()
    position.organisation = world.ghana
    position.save()
    response = client_for(ghanaian).get("/people/")
    assert "dana@gov.example" in _row(response, "Dana Restricted")
    assert "Dana Restricted" not in client_for(make_user(R.MEMBER_OFFICIAL)).get("/people/").content.decode()


def test_an_ended_a_future_and_an_unconfirmed_position_list_no_one(world, support):
    today = queries.today()
    terms: dict[str, dict[str, Any]] = {
        "Fay Former": {"starts_on": dt.date(2019, 1, 1), "ends_on": dt.date(2019, 12, 31)},
        "Gil Future": {"starts_on": today + dt.timedelta(days=30)},
        "Hal Awaited": {"consent": Position.Consent.AWAITED},
    }
    for name, fields in terms.items():
        PositionFactory(person=PersonFactory(full_name=name), organisation=world.estonia, **fields)
    html = client_for(support).get("/people/").content.decode()
    assert "Ana Public" in html
    assert not [name for name in terms if name in html]


def test_a_position_in_a_body_the_reader_may_not_see_is_not_shown(world, make_user):
    members_only = BodyFactory.create(slug="quiet-group", name="Quiet group", classification=C.MEMBERS)
    PositionFactory(person=world.people["Ana Public"], body=members_only, classification=C.COALITION)
    assert "Quiet group" not in client_for(make_user(R.OBSERVER)).get("/people/").content.decode()
    assert "Quiet group" in _row(client_for(make_user(R.SUPPORT_UNIT)).get("/people/"), "Ana Public")


def test_an_affiliation_the_reader_may_not_see_is_not_named(world, make_user):
    hidden = OrganisationFactory.create(name="Hidden Foundation", classification=C.MEMBERS)
    person = PersonFactory.create(full_name="Ivo Hidden", affiliation=hidden, classification=C.COALITION)
    PositionFactory(person=person, body=body("advisory_network"), kind=Position.Kind.MEMBER)
    response = client_for(make_user(R.OBSERVER)).get("/people/")
    assert "Ivo Hidden" in response.content.decode() and "Hidden Foundation" not in response.content.decode()


# --- Filters ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("member={estonia}", {"Ana Public", "Cleo Members"}),
        ("member={ghana}", {"Ben Coalition", "Dana Restricted"}),
        ("body=advisory-network", {"Eve Civil"}),
        ("network=geneva", {"Cleo Members"}),
        ("role=focal_point", {"Ben Coalition"}),
        ("role=network_poc&member={estonia}", {"Cleo Members"}),
        ("role=focal_point&member={estonia}", set()),  # filters hold of one and the same position
        ("network=geneva&member={ghana}", set()),
    ],
)
def test_filters_narrow_the_list_and_combine_on_one_position(world, support, query, expected):
    address = "/people/?" + query.format(estonia=world.estonia.pk, ghana=world.ghana.pk)
    response = client_for(support).get(address)
    assert response.status_code == 200
    assert _listed(response) == expected
    if not expected:
        assert "No one you can see holds a position matching these filters." in text_of(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("member=999999", "Member or organisation: No organisation you can choose has the number 999999."),
        ("member=estonia", "Member or organisation: No organisation you can choose has the number estonia."),
        ("body=no-such-body", "Body: There is no body “no-such-body” among those you can choose."),
        ("network=advisory-network", "Diplomatic network: There is no diplomatic network “advisory-network”"),
        ("role=emperor", "Role: “emperor” is not one of the roles listed."),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_the_field(world, support, query, message):
    response = client_for(support).get("/people/?" + query)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not _listed(response)


def test_a_filter_naming_an_organisation_the_reader_may_not_see_reads_as_unknown(world, make_user):
    hidden = OrganisationFactory.create(name="Hidden Foundation", classification=C.MEMBERS)
    response = client_for(make_user(R.OBSERVER)).get(f"/people/?member={hidden.pk}")
    assert response.status_code == 400
    assert f"No organisation you can choose has the number {hidden.pk}." in text_of(response)
    assert "Hidden Foundation" not in response.content.decode()


def test_the_filters_offer_only_what_the_reader_may_see(world, make_user):
    OrganisationFactory.create(name="Hidden Foundation", classification=C.MEMBERS)
    html = client_for(make_user(R.OBSERVER)).get("/people/").content.decode()
    assert "Hidden Foundation" not in html
    assert '<option value="geneva"' in html and f'<option value="{world.estonia.pk}"' in html


def test_member_and_body_pages_link_to_their_people_in_the_directory(world, support):
    assert (
        f'href="/people/?member={world.estonia.pk}"'
        in client_for(support).get(f"/organisations/{world.estonia.pk}/").content.decode()
    )
    assert 'href="/people/?network=geneva"' in client_for(support).get("/bodies/geneva/").content.decode()
    assert (
        'href="/people/?body=advisory-network"' in client_for(support).get("/bodies/advisory-network/").content.decode()
    )


# --- Pages and queries ------------------------------------------------------------------------------------------


def _crowd(count: int, organisation: Organisation, **person_fields: Any) -> None:
    people = Person.objects.bulk_create(
        Person(full_name=f"Zed Crowd {n:03d}", affiliation=organisation, email=f"zed{n}@gov.example", **person_fields)
        for n in range(count)
    )
    Position.objects.bulk_create(
        Position(person=p, organisation=organisation, kind=Position.Kind.OFFICIAL, starts_on=dt.date(2020, 1, 1))
        for p in people
    )


def test_the_list_is_paginated_and_the_next_page_keeps_the_filters(world, support):
    _crowd(PEOPLE_PER_PAGE + 5, world.estonia)
    first = client_for(support).get(f"/people/?member={world.estonia.pk}")
    assert f"{PEOPLE_PER_PAGE + 7} people" in text_of(first)  # Ana and Cleo, and the crowd
    assert first.content.decode().count('<tr id="person-') == PEOPLE_PER_PAGE
    assert f'href="?member={world.estonia.pk}&amp;page=2"' in first.content.decode()
    second = client_for(support).get(f"/people/?member={world.estonia.pk}&page=2")
    assert second.content.decode().count('<tr id="person-') == 7
    assert "Page 2 of 2" in text_of(second)


@pytest.mark.parametrize("role", [R.SUPPORT_UNIT, R.MEMBER_OFFICIAL, R.OBSERVER])
def test_the_page_costs_the_same_queries_for_five_people_as_for_a_full_page(world, make_user, role):
    viewer = make_user(role)
    client = client_for(viewer)
    client.get("/people/")  # the session's first request records when it was seen

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries_run:
            assert client.get("/people/").status_code == 200
        return len(queries_run)

    few = cost()
    audience = Audience.objects.create(name="Estonia's")
    AudienceMember.objects.create(audience=audience, principal=f"org:{world.estonia.pk}")
    _crowd(PEOPLE_PER_PAGE, world.estonia, classification=C.RESTRICTED, audience=audience)
    _crowd(PEOPLE_PER_PAGE, world.estonia, classification=C.COALITION)
    assert cost() == few <= 15
