"""Roles come from a person's current positions, and from nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.accounts.models import User
from coalition.accounts.roles import resolve_actor
from coalition.core.policy import Actor, Role
from coalition.directory.models import Body, Organisation, Participation, Person, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    body,
    chair_term,
    government,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2020, 1, 1)


def actor_of(person: Person | None) -> Actor:
    user = User.objects.create_user(email=f"someone-{User.objects.count()}@example.org", person=person)
    return resolve_actor(user)


def holding(**position_fields: object) -> Person:
    person = PersonFactory.create()
    PositionFactory.create(person=person, starts_on=LONG_AGO, **position_fields)
    return person


def test_support_unit_staff_have_the_support_unit_role():
    person = holding(kind=Position.Kind.SUPPORT_UNIT_STAFF, body=body(Body.Kind.SUPPORT_UNIT))
    assert actor_of(person).roles == {Role.SUPPORT_UNIT}


def test_a_member_of_the_advisory_network_has_the_advisory_network_role():
    cso = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)
    person = holding(kind=Position.Kind.MEMBER, body=body(Body.Kind.ADVISORY_NETWORK), organisation=cso)
    assert actor_of(person).roles == {Role.ADVISORY_NETWORK}


def test_a_position_in_the_chair_body_gives_the_chair_role():
    person = holding(kind=Position.Kind.CHAIR_LEAD, body=body(Body.Kind.CHAIR))
    assert actor_of(person).roles == {Role.CHAIR}


def test_the_focal_point_of_this_years_chair_government_is_chair():
    chile = government("CL")
    chair_term(chile, today().year)
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=chile)
    assert actor_of(person).roles == {Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL}


def test_a_focal_point_of_the_chair_government_and_another_member_is_resolved_in_one_query(
    django_assert_num_queries,
):
    """Every signed-in page resolves its reader: positions, their members' status and today's chair in one query
    (issue 17 item 8: the status and the troika each cost one more)."""
    chile, estonia = government("CL"), government("EE")
    chair_term(chile, today().year)
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=chile)
    PositionFactory.create(person=person, kind=Position.Kind.FOCAL_POINT, organisation=estonia, starts_on=LONG_AGO)
    user = User.objects.create_user(email="two-members@example.org", person=person)
    with django_assert_num_queries(1):
        actor = resolve_actor(user)
    assert actor.roles == {Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL}
    assert actor.focal_point_for == {chile.pk, estonia.pk}


def test_the_focal_point_of_last_years_chair_government_is_not_chair():
    canada = government("CA")
    chair_term(canada, today().year - 1)
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=canada)
    assert Role.CHAIR not in actor_of(person).roles


def test_an_official_of_the_chair_government_who_is_not_its_focal_point_is_not_chair():
    chile = government("CL")
    chair_term(chile, today().year)
    person = holding(kind=Position.Kind.OFFICIAL, organisation=chile)
    assert actor_of(person).roles == {Role.MEMBER_OFFICIAL}


def test_an_official_of_a_member_government_is_a_member_official():
    person = holding(kind=Position.Kind.OFFICIAL, organisation=government("EE"))
    assert actor_of(person).roles == {Role.MEMBER_OFFICIAL}


def test_a_focal_point_of_a_member_may_commit_that_member_only():
    estonia = government("EE")
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=estonia)
    actor = actor_of(person)
    assert actor.roles == {Role.FOCAL_POINT, Role.MEMBER_OFFICIAL}
    assert actor.focal_point_for == {estonia.pk}
    assert actor.acts_for == {estonia.pk}


def test_a_network_point_of_contact_for_a_member_is_a_member_official():
    estonia = government("EE")
    person = holding(kind=Position.Kind.NETWORK_POC, organisation=estonia, body=body(Body.Kind.DIPLOMATIC_NETWORK))
    assert actor_of(person).roles == {Role.MEMBER_OFFICIAL}


def test_an_official_of_an_observer_is_an_observer():
    person = holding(kind=Position.Kind.OFFICIAL, organisation=government("BR", status="observer"))
    assert actor_of(person).roles == {Role.OBSERVER}


def test_a_focal_point_of_a_candidate_government_has_no_role():
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=government("BR", status="candidate"))
    assert actor_of(person).roles == set()


def test_an_official_of_a_government_that_withdrew_has_no_role():
    estonia = government("EE", since=dt.date(2015, 1, 1))
    Participation.objects.create(organisation=estonia, status="withdrawn", effective_on=dt.date(2021, 1, 1))
    person = holding(kind=Position.Kind.FOCAL_POINT, organisation=estonia)
    assert actor_of(person).roles == set()


def test_an_official_of_a_government_that_joins_tomorrow_has_no_role_today():
    estonia = government("EE", since=today() + dt.timedelta(days=1))
    person = holding(kind=Position.Kind.OFFICIAL, organisation=estonia)
    assert actor_of(person).roles == set()


def test_an_invited_guest_is_a_guest_and_nothing_more():
    person = holding(kind=Position.Kind.GUEST, body=body(Body.Kind.TASK_FORCE), organisation=government("EE"))
    assert actor_of(person).roles == {Role.GUEST}


def test_an_ended_position_gives_no_role():
    person = PersonFactory.create()
    PositionFactory.create(
        person=person,
        kind=Position.Kind.SUPPORT_UNIT_STAFF,
        body=body(Body.Kind.SUPPORT_UNIT),
        starts_on=LONG_AGO,
        ends_on=today() - dt.timedelta(days=1),
    )
    assert actor_of(person).roles == set()


def test_a_position_ending_today_still_counts_today():
    person = PersonFactory.create()
    PositionFactory.create(
        person=person,
        kind=Position.Kind.SUPPORT_UNIT_STAFF,
        body=body(Body.Kind.SUPPORT_UNIT),
        starts_on=LONG_AGO,
        ends_on=today(),
    )
    assert actor_of(person).roles == {Role.SUPPORT_UNIT}


def test_a_position_starting_tomorrow_gives_no_role_yet():
    person = PersonFactory.create()
    PositionFactory.create(
        person=person,
        kind=Position.Kind.SUPPORT_UNIT_STAFF,
        body=body(Body.Kind.SUPPORT_UNIT),
        starts_on=today() + dt.timedelta(days=1),
    )
    assert actor_of(person).roles == set()


def test_roles_from_several_current_positions_add_up():
    person = holding(kind=Position.Kind.SUPPORT_UNIT_STAFF, body=body(Body.Kind.SUPPORT_UNIT))
    PositionFactory.create(
        person=person, kind=Position.Kind.OFFICIAL, organisation=government("EE"), starts_on=LONG_AGO
    )
    assert actor_of(person).roles == {Role.SUPPORT_UNIT, Role.MEMBER_OFFICIAL}


def test_an_account_without_a_person_has_no_role():
    assert actor_of(None).roles == set()


def test_a_person_without_positions_has_no_role():
    assert actor_of(PersonFactory.create()).roles == set()


def test_principals_name_the_person_the_body_the_organisation_and_the_roles():
    estonia = government("EE")
    network = body(Body.Kind.DIPLOMATIC_NETWORK)
    person = holding(kind=Position.Kind.NETWORK_POC, organisation=estonia, body=network)
    actor = actor_of(person)
    assert {f"person:{person.pk}", f"body:{network.pk}", f"org:{estonia.pk}", "role:member_official"} <= set(
        actor.principals
    )
